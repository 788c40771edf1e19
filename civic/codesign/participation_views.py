"""Pages of the organisations taking part in a co-design process (on the "codesign" blueprint):
expressing interest, the commission's decisions, withdrawing; and the template globals the process
page and the organisation page use. Rules: civic/codesign/participation.py."""
from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.codesign import participation
from civic.codesign.forms import DecisionForm, InterestForm
from civic.codesign.models import ExpressionOfInterest, InterestStatus
from civic.codesign.views import _process, _user, bp
from civic.core.access import load_or_404, perform, require
from civic.core.errors import abort_with
from civic.core.forms import UNVERIFIED, handle_button, handle_form, optional_id
from civic.extensions import db
from civic.urls import process_url


@bp.app_template_global()
def codesign_interest_panel(process):
    """The organisations' part of the process page (templates/codesign/_interests.html)."""
    return participation.panel(_user(), process)


@bp.app_template_global()
def codesign_participations(org):
    """The processes an organisation was admitted to, for its page (templates/codesign/_participations.html)."""
    return participation.participations_of(_user(), org)


@bp.route("/codesign/<int:process_id>/interest", methods=["GET", "POST"])
@login_required
def express_interest(process_id: int):
    """Express (or, while pending, change) an organisation's interest in the process."""
    process = _process(process_id)
    user = current_user._get_current_object()
    organisations = participation.eligible_organisations(user)
    require(bool(organisations), _("Only the administrators of a Third Sector organisation can express its interest: "
                                   "register your organisation, or ask its administrators."))
    perform(lambda: participation.check_accepting(process, None))
    existing = {i.organisation_id: i for i in participation.interests_of(process)
                if i.organisation_id in {o.id for o in organisations}}
    form = InterestForm(organisations=organisations)
    chosen = optional_id(form.organisation.data if form.is_submitted() else request.args.get("organisation"))
    current = existing.get(chosen) if chosen else None
    if not form.is_submitted():
        if current is not None:
            form.organisation.data = str(current.organisation_id)
            form.role.data, form.contribution.data, form.experience.data = (current.role, current.contribution,
                                                                          current.experience)
        elif len(organisations) == 1:
            form.organisation.data = str(organisations[0].id)

    def save():
        data = participation.InterestData(organisation_id=chosen, role=form.role.data or "",
                                          contribution=form.contribution.data or "",
                                          experience=form.experience.data or "")
        if current is not None and current.status == InterestStatus.PENDING:
            participation.update_interest(user, current, data)
            return current
        return participation.express_interest(user, process, data)

    return handle_form(form, save,
                       message=_("The expression of interest is sent: the commission will decide and give its "
                                 "reasons publicly."),
                       redirect_to=lambda _interest: process_url(process, _anchor="interests"),
                       template="codesign/interest_form.html", process=process, form=form, current=current,
                       organisations=organisations)


def _interest(interest_id: int) -> ExpressionOfInterest:
    interest = load_or_404(ExpressionOfInterest, interest_id, _("This expression of interest does not exist."))
    _process(interest.process_id)  # 404 when the process is hidden from the reader
    return interest


def _decide(interest_id: int, admit: bool):
    interest = _interest(interest_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort_with(400, UNVERIFIED)
    perform(lambda: participation.decide(current_user._get_current_object(), interest, admit, form.reason.data or ""))
    db.session.commit()
    return interest


@bp.route("/codesign/interests/<int:interest_id>/admit", methods=["POST"])
@login_required
def admit_interest(interest_id: int):
    interest = _decide(interest_id, True)
    flash(_("%(name)s is admitted to the co-design process.", name=interest.organisation.name), "success")
    return redirect(process_url(interest.process, _anchor=f"interest-{interest.id}"))


@bp.route("/codesign/interests/<int:interest_id>/decline", methods=["POST"])
@login_required
def decline_interest(interest_id: int):
    interest = _decide(interest_id, False)
    flash(_("%(name)s is not admitted to the co-design process.", name=interest.organisation.name), "info")
    return redirect(process_url(interest.process, _anchor=f"interest-{interest.id}"))


@bp.route("/codesign/interests/<int:interest_id>/withdraw", methods=["POST"])
@login_required
def withdraw_interest(interest_id: int):
    interest = _interest(interest_id)
    process, name = interest.process, interest.organisation.name
    return handle_button(lambda: participation.withdraw_interest(current_user._get_current_object(), interest),
                         message=_("The expression of interest of %(name)s is withdrawn.", name=name),
                         category="info", redirect_to=lambda _result: process_url(process, _anchor="interests"))
