"""The pages of co-design processes: the list, the public page of a process (timeline, stages,
meetings, documents, outcome), and the moderators' forms. Importing this module (done by the
blueprint registration) also registers the lifecycle hooks of civic/codesign/services.py."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from civic.calls.models import Call, CallStatus
from civic.codesign import files, participation, permissions, services, stages
from civic.codesign.forms import (
    CloseForm,
    DocumentForm,
    MeetingForm,
    MinutesForm,
    OpeningForm,
    ProcessForm,
    StartForm,
    VersionForm,
)
from civic.codesign.models import (
    CodesignProcess,
    Document,
    DocumentRole,
    DocumentVersion,
    Meeting,
    ProcessStatus,
    StageKind,
)
from civic.core.access import load_or_404, perform, require
from civic.core.errors import abort_with, error_response
from civic.core.forms import (
    UNVERIFIED,
    ActionForm,
    check_action,
    check_refusal_shown,
    handle_form,
    optional_id,
    show_rule_error,
)
from civic.core.routing import query_int
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts.models import Idea, Need, visible_post
from civic.territories.models import City
from civic.uploads.services import format_size
from civic.urls import process_url

bp = Blueprint("codesign", __name__)

PER_PAGE = 30
UPLOAD_ENDPOINTS = {"codesign.new_document", "codesign.new_version"}


# --- what templates elsewhere use ---------------------------------------------------------------

@bp.app_template_global()
def codesign_process_of(post) -> CodesignProcess | None:
    """The co-design process of an idea, for the idea's page (None for a need or without a process)."""
    if not isinstance(post, Idea):
        return None
    return services.process_for_idea(post)


@bp.app_template_global()
def codesign_running(city: City) -> list[CodesignProcess]:
    """The open processes of a city the public may see, for the city's page."""
    return services.running_in_city(city)


bp.add_app_template_global(permissions.can_manage_process, "can_manage_process")
bp.add_app_template_global(permissions.can_upload_document, "can_upload_document")


# --- uploads: their own size limit ----------------------------------------------------------------

@bp.url_value_preprocessor
def _document_size_limit(endpoint, values):
    """Document uploads may be larger than other requests (CIVIC_MAX_DOCUMENT_MB). This runs before
    the CSRF check reads the body, which is where the limit applies."""
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        base = request.max_content_length or 0
        request.max_content_length = max(base, files.max_bytes() + files.FORM_OVERHEAD)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    if request.endpoint in UPLOAD_ENDPOINTS:
        return error_response(413, _("The file is larger than %(size)s: upload a smaller one.",
                                     size=format_size(files.max_bytes())))
    return error_response(413)


# --- loading ------------------------------------------------------------------------------------

def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _process(process_id: int) -> CodesignProcess:
    """A process; one whose idea or need is hidden exists only for the moderators of its city."""
    return load_or_404(CodesignProcess, process_id, _("This co-design process does not exist."),
                       options=(joinedload(CodesignProcess.city), joinedload(CodesignProcess.idea),
                                joinedload(CodesignProcess.need), joinedload(CodesignProcess.call),
                                selectinload(CodesignProcess.stages)),
                       visible=lambda process: permissions.can_view_process(current_user, process),
                       city=lambda process: None if permissions.origin_is_hidden(process) else process.city)


def _meeting(meeting_id: int) -> Meeting:
    meeting = load_or_404(Meeting, meeting_id, _("This meeting does not exist."))
    _process(meeting.process_id)
    return meeting


def _manager_only(process: CodesignProcess) -> None:
    require(permissions.can_manage_process(current_user, process),
            _("Only the moderators of %(city)s can manage its co-design processes.", city=process.city.name))


def _uploader_only(process: CodesignProcess, user) -> None:
    require(not process.is_closed, _("This co-design process is closed: it can no longer be changed."), status=409)
    require(permissions.can_upload_document(user, process),
            _("Only the moderators of %(city)s can upload the documents of its co-design processes.",
              city=process.city.name))


def _editable(process: CodesignProcess) -> None:
    perform(lambda: services.check_can_edit(_user(), process))


# --- the list and the page ------------------------------------------------------------------------

@bp.route("/codesign")
def index():
    city = None
    if request.args.get("city"):
        city = db.session.scalar(select(City).where(City.slug == request.args["city"]))
        if city is None:
            abort_with(404, _("There is no city at this address."))
        g.city_slug = city.slug
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in ProcessStatus}:
        abort_with(400, _("This filter does not exist."))
    page = query_int("page", 1, maximum=100_000)
    processes = services.list_processes(_user(), city, status, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    today = stages.today()
    cities = db.session.scalars(select(City).where(City.id.in_(
        select(CodesignProcess.city_id).distinct())).order_by(City.name)).all()
    may_open = city is not None and permissions.can_open_process(current_user, city)
    open_needs = open_calls = ()
    if may_open:
        open_needs = db.session.scalars(select(Need).where(Need.city_id == city.id, visible_post())
                                        .order_by(Need.id.desc()).limit(100)).all()
        open_calls = db.session.scalars(select(Call).where(Call.city_id == city.id,
                                                           Call.status == CallStatus.PUBLISHED)
                                        .order_by(Call.id.desc()).limit(50)).all()
    return render_template(
        "codesign/list.html", processes=processes[:PER_PAGE], has_more=len(processes) > PER_PAGE, page=page,
        city=city, status=status, cities=cities, may_open=may_open, open_needs=open_needs, open_calls=open_calls,
        current={p.id: stages.current_stage(p, today) for p in processes})


@bp.route("/codesign/<int:process_id>", defaults={"slug": None})
@bp.route("/codesign/<int:process_id>-<slug>")
def show(process_id: int, slug: str | None):
    process = _process(process_id)
    if slug != process.slug:
        return redirect(process_url(process), code=301)
    return _render_process(process)


def _refused_on_page(process: CodesignProcess, form, status: int, **forms):
    """A form of the process's page was refused: the page again with its messages."""
    check_refusal_shown(form)
    return _render_process(process, status, **forms)


def _render_process(process: CodesignProcess, status: int = 200, close_form: CloseForm | None = None,
                    start_form: StartForm | None = None, version_forms: dict | None = None):
    meetings = db.session.scalars(select(Meeting).where(Meeting.process_id == process.id)
                                  .order_by(Meeting.starts_at)).all()
    documents = db.session.scalars(
        select(Document).where(Document.process_id == process.id)
        .options(selectinload(Document.versions)).order_by(Document.id)).all()
    user = _user()
    documents = participation.visible_documents(user, process, documents)  # "participants" ones for them only
    manager = permissions.can_manage_process(user, process)
    has_agreement = any(d.role == DocumentRole.AGREEMENT for d in documents)
    if close_form is None:
        close_form = CloseForm(formdata=None)
        if process.idea is not None:
            close_form.version.data = process.idea.status_version
    version_forms = version_forms or {}
    for document in documents:
        version_forms.setdefault(document.id, VersionForm(formdata=None, prefix=f"doc{document.id}"))
    return render_template(
        "codesign/show.html", process=process, timeline=stages.timeline(process),
        current=stages.current_stage(process), meetings=meetings, documents=documents, manager=manager,
        registered=services.registered_meeting_ids(user, meetings), now=utcnow(),
        may_upload=permissions.can_upload_document(user, process),
        may_start=manager and services.may_start_codesign(process), start_form=start_form or StartForm(formdata=None),
        may_close=manager and not process.is_closed and has_agreement
        and stages.has_reached(process, StageKind.AGREEMENT),
        has_agreement=has_agreement, close_form=close_form, version_forms=version_forms, action_form=ActionForm(),
        origin_hidden=permissions.origin_is_hidden(process), max_size=format_size(files.max_bytes()),
        accept=files.ACCEPT_ATTRIBUTE,
    ), status


# --- opening and editing ------------------------------------------------------------------------------

@bp.route("/codesign/new", methods=["GET", "POST"])
@login_required
def new():
    city = db.session.scalar(select(City).where(City.slug == request.args.get("city", "")))
    if city is None:
        abort_with(404, _("There is no city at this address."))
    user = current_user._get_current_object()
    require(permissions.can_open_process(user, city),
            _("Only the moderators of %(city)s can manage its co-design processes.", city=city.name))
    need_id, call_id = optional_id(request.args.get("need")), optional_id(request.args.get("call"))
    origin = None
    if need_id is not None and call_id is None:
        origin = db.session.get(Need, need_id)
        if origin is None or origin.city_id != city.id or origin.hidden_at is not None:
            abort_with(404, _("This need does not exist."))
    elif call_id is not None and need_id is None:
        origin = db.session.get(Call, call_id)
        if origin is None or origin.city_id != city.id or origin.status != CallStatus.PUBLISHED:
            abort_with(404, _("This call does not exist."))
    else:
        abort_with(400, _("A co-design process starts from one need or one call of the city: open it from the "
                          "need's or the call's page."))
    form = OpeningForm()
    if not form.is_submitted():
        form.title.data = origin.title
    return handle_form(form, lambda: services.open_process(user, city, services.OpeningData(
        title=form.title.data, summary=form.summary.data, need_id=need_id, call_id=call_id)),
        message=_("The co-design process is open. Now give its stages and their dates."),
        redirect_to=lambda process: url_for("codesign.edit", process_id=process.id),
        template="codesign/new.html", city=city, form=form, origin=origin)


@bp.route("/codesign/<int:process_id>/edit", methods=["GET", "POST"])
@login_required
def edit(process_id: int):
    process = _process(process_id)
    _editable(process)
    form = ProcessForm()
    if not form.is_submitted():
        form.load(process)
    user = current_user._get_current_object()
    return handle_form(form, lambda: services.update_process(user, process, form.data_for_service()),
                       message=_("Your changes to the co-design process are saved."),
                       redirect_to=lambda _result: process_url(process),
                       template="codesign/edit.html", process=process, form=form)


@bp.route("/codesign/<int:process_id>/start", methods=["POST"])
@login_required
def start(process_id: int):
    process = _process(process_id)
    _editable(process)
    form = StartForm()
    user = current_user._get_current_object()
    return handle_form(form, lambda: services.start_codesign(user, process, form.reason.data),
                       message=_("The co-design has started: the idea is now in co-design."),
                       redirect_to=lambda _result: process_url(process),
                       render=lambda status: _refused_on_page(process, form, status, start_form=form))


@bp.route("/codesign/<int:process_id>/close", methods=["POST"])
@login_required
def close(process_id: int):
    process = _process(process_id)
    _editable(process)
    form = CloseForm()
    user = current_user._get_current_object()
    version = optional_id(form.version.data) if form.version.data else None
    return handle_form(form, lambda: services.close_process(
        user, process, form.answer.data, form.next_status.data, form.partners.data, expected_version=version),
        message=_("The co-design process is closed and its outcome is published."),
        redirect_to=lambda _result: process_url(process),
        render=lambda status: _refused_on_page(process, form, status, close_form=form))


# --- meetings -----------------------------------------------------------------------------------

@bp.route("/codesign/<int:process_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(process_id: int):
    process = _process(process_id)
    _editable(process)
    form = MeetingForm()
    user = current_user._get_current_object()
    return handle_form(form, lambda: services.add_meeting(user, process, form.data_for_service()),
                       message=_("The meeting is published: people can register."),
                       redirect_to=lambda meeting: process_url(process, _anchor=f"meeting-{meeting.id}"),
                       template="codesign/meeting_form.html", process=process, form=form)


def _registration(meeting_id: int, action):
    meeting = _meeting(meeting_id)
    check_action()
    perform(lambda: action(current_user._get_current_object(), meeting))
    db.session.commit()
    return meeting


@bp.route("/codesign/meetings/<int:meeting_id>/register", methods=["POST"])
@login_required
def register(meeting_id: int):
    meeting = _registration(meeting_id, services.register)
    flash(_("You are registered to the meeting \"%(title)s\".", title=meeting.title), "success")
    return redirect(process_url(meeting.process, _anchor=f"meeting-{meeting.id}"))


@bp.route("/codesign/meetings/<int:meeting_id>/unregister", methods=["POST"])
@login_required
def unregister(meeting_id: int):
    meeting = _registration(meeting_id, services.unregister)
    flash(_("You are no longer registered to the meeting \"%(title)s\".", title=meeting.title), "success")
    return redirect(process_url(meeting.process, _anchor=f"meeting-{meeting.id}"))


@bp.route("/codesign/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id: int):
    meeting = _meeting(meeting_id)
    process = meeting.process
    _manager_only(process)
    user = current_user._get_current_object()
    perform(lambda: services.check_minutes_allowed(user, meeting))
    rows = services.registrations(meeting)
    form = MinutesForm()
    form.attended.choices = [(r.user_id, r.user.display_name) for r in rows]
    if not form.is_submitted():
        form.minutes.data = meeting.minutes_markdown or ""
        form.attended.data = [r.user_id for r in rows if r.attended]
    return handle_form(form, lambda: services.publish_minutes(user, meeting, form.minutes.data,
                                                              form.attended.data or []),
                       message=_("The minutes are published."),
                       redirect_to=lambda _result: process_url(process, _anchor=f"meeting-{meeting.id}"),
                       template="codesign/minutes.html", process=process, meeting=meeting, form=form)


# --- documents ----------------------------------------------------------------------------------

@bp.route("/codesign/<int:process_id>/documents/new", methods=["GET", "POST"])
@login_required
def new_document(process_id: int):
    process = _process(process_id)
    user = current_user._get_current_object()
    _uploader_only(process, user)
    form = DocumentForm()
    return handle_form(form, lambda: services.add_document(user, process, form.title.data, form.role.data,
                                                           form.file.data, form.visibility.data),
                       message=_("The document is uploaded."),
                       redirect_to=lambda _document: process_url(process, _anchor="documents"),
                       template="codesign/document_form.html", process=process, form=form,
                       max_size=format_size(files.max_bytes()), accept=files.ACCEPT_ATTRIBUTE)


@bp.route("/codesign/documents/<int:document_id>/versions", methods=["POST"])
@login_required
def new_version(document_id: int):
    document = load_or_404(Document, document_id, _("This document does not exist."))
    process = _process(document.process_id)
    user = current_user._get_current_object()
    _uploader_only(process, user)
    form = VersionForm(prefix=f"doc{document.id}")
    if not form.validate_on_submit():
        abort_with(400, UNVERIFIED)
    try:
        version = services.add_version(user, document, form.file.data)
    except RuleError as error:
        db.session.rollback()
        if error.status != 422:
            abort_with(error.status, error.message)
        show_rule_error(form, error)
        return _render_process(process, 422, version_forms={document.id: form})
    db.session.commit()
    flash(_("Version %(num)d of \"%(title)s\" is uploaded.", num=version.number, title=document.title), "success")
    return redirect(process_url(process, _anchor=f"document-{document.id}"))


@bp.route("/codesign/documents/versions/<int:version_id>/download")
def download(version_id: int):
    version = load_or_404(DocumentVersion, version_id, _("This document does not exist."))
    process = _process(version.document.process_id)
    require(participation.can_see_document(_user(), version.document), _("This document does not exist."),
            status=404)
    response = send_from_directory(files.folder(), version.stored_name, mimetype=version.content_type,
                                   as_attachment=True, download_name=version.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.no_cache = True
    if permissions.origin_is_hidden(process) or version.document.visibility != "public":
        response.cache_control.private = True
    return response
