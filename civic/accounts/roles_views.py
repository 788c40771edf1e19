"""Administrators' pages for people and roles: /admin/users."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField
from wtforms.validators import InputRequired

from civic.accounts import roles
from civic.accounts.models import ROLE_LABELS, Role, User
from civic.accounts.permissions import is_admin
from civic.core.access import load_or_404, require
from civic.core.errors import abort_with
from civic.core.forms import MultiCheckboxField, handle_form
from civic.core.routing import query_int
from civic.territories.services import all_cities

bp = Blueprint("people", __name__)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_LABELS[r]) for r in Role], validate_choice=False)
    cities = MultiCheckboxField(_l("Cities moderated"), coerce=int, choices=[], validate_choice=False,
                                description=_l("For a moderator: the cities whose content they moderate."))
    password = PasswordField(_l("Your password"), validators=[InputRequired(_l("Enter your password to confirm."))],
                             description=_l("Changing a role needs your password again."),
                             render_kw={"autocomplete": "current-password"})


def _require_admin() -> None:
    require(is_admin(current_user), _("Only administrators can manage people and roles."))


@bp.route("/admin/users")
@login_required
def index():
    _require_admin()
    role = request.args.get("role") or None
    if role is not None and role not in {r.value for r in Role}:
        abort_with(400, _("Unknown role."))
    query = (request.args.get("q") or "").strip()[:200]
    result = roles.find_users(query, role, query_int("page", 1))
    return render_template("accounts/people.html", result=result, query=query, role=role, roles=ROLE_LABELS)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def person(user_id: int):
    _require_admin()
    person = load_or_404(User, user_id, _("This account does not exist."),
                         visible=lambda person: person.deleted_at is None)
    form = RoleForm()
    form.cities.choices = [(c.id, c.name) for c in all_cities()]
    if request.method == "GET":
        form.role.data = person.role
        form.cities.data = [c.id for c in person.moderated_cities]
    actor = current_user._get_current_object()
    return handle_form(form, lambda: roles.set_role(actor, person, form.role.data, form.cities.data or [],
                                                    form.password.data),
                       message=lambda changed: (_("The role of %(name)s is saved.", name=person.display_name), "success")
                       if changed else (_("Nothing changed."), "info"),
                       redirect_to=url_for("people.person", user_id=person.id),
                       template="accounts/person.html", person=person, form=form)
