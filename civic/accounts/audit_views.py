"""The audit log's page, for administrators (the log itself, which every domain writes, is civic/audit)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.accounts.permissions import is_admin
from civic.audit import services
from civic.core.access import require
from civic.core.errors import abort_with
from civic.core.forms import optional_id
from civic.territories.services import all_cities

bp = Blueprint("audit", __name__)


@bp.route("/admin/audit")
@login_required
def index():
    require(is_admin(current_user), _("Only administrators can read the audit log."))
    page = optional_id(request.args.get("page")) or 1
    city_id = optional_id(request.args.get("city"))
    action = request.args.get("action") or None
    if page < 1 or (city_id is not None and city_id < 1):
        abort_with(400, _("The filters of the audit log are not valid."))
    actions = services.known_actions()
    if action is not None and action not in actions:
        action = "__none__"  # an unknown action simply matches nothing
    result = services.browse(action=action, city_id=city_id, page=page)
    return render_template("audit/index.html", result=result, actions=actions, cities=all_cities(),
                           chosen_action=action, chosen_city=city_id)
