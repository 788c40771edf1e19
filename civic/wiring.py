"""How the application is assembled: extensions, blueprints, site hooks, and how the domains are
joined (every signal receiver, every registry), in one place.

The app factory (civic/__init__.py) calls these functions in order, once per application. Nothing
here happens by importing a module, so what runs is what this file lists: a newcomer reads it to
learn which domain reacts to which, and a script that builds the app with `create_app()` gets every
reaction whatever it imports. Everything is idempotent (create_app runs many times in the tests):
connecting the same receiver again, or registering the same kind, event, state or gate again,
changes nothing.

This module sits above every domain (.importlinter): it is the one place allowed to name them all.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select, true

from civic import api, urls
from civic.accounts import audit_views, auth, neighbourhood_views, roles_views, twofactor, twofactor_views
from civic.accounts import permissions as account_permissions
from civic.accounts import views as account_views
from civic.accounts.cli import users_cli
from civic.calls import city_views, evaluation_views
from civic.calls import evaluation as call_evaluation
from civic.calls import permissions as call_permissions
from civic.calls import phases as call_phases
from civic.calls import services as call_services
from civic.calls import views as call_views
from civic.calls.models import Call, CallStatus
from civic.codesign import notices as codesign_notices
from civic.codesign import participation as codesign_participation
from civic.codesign import participation_views as codesign_participation_views
from civic.codesign import permissions as codesign_permissions
from civic.codesign import services as codesign
from civic.codesign import views as codesign_views
from civic.codesign.models import CodesignProcess, DocumentRole, InterestStatus, ProcessStatus, visible_process
from civic.comments import notices as comment_notices
from civic.comments import permissions as comment_permissions
from civic.comments import views as comment_views
from civic.comments.models import Comment, visible_comment
from civic.config import PROJECT_ROOT
from civic.core import content_version, errors, gates, i18n, pagecache, security, signals, templating, transactions
from civic.core import logging as core_logging
from civic.core import views as core_views
from civic.core.cli import backup_cli, richtext_cli
from civic.core.models import render_migration_item
from civic.core.routing import IdConverter
from civic.dashboard import views as dashboard_views
from civic.demo.cli import demo_cli
from civic.extensions import babel, csrf, db, limiter, login_manager, migrate
from civic.moderation import notices as moderation_notices
from civic.moderation import views as moderation_views
from civic.notifications import reading as notification_reading
from civic.notifications import views as notification_views
from civic.notifications.cli import notifications_cli
from civic.notifications.follows import register_followable
from civic.opendata import files as opendata_files
from civic.opendata import project_import_views
from civic.opendata import views as opendata_views
from civic.orgs import services as orgs
from civic.orgs import views as org_views
from civic.orgs.models import Organisation
from civic.participation import profile_views
from civic.participation import views as participation_views
from civic.posts import image_views
from civic.posts import notices as post_notices
from civic.posts import permissions as post_permissions
from civic.posts import views as post_views
from civic.posts.models import Idea, Need, visible_post
from civic.posts.models import PostStatus as S
from civic.privacy import consent
from civic.privacy import export as privacy_export
from civic.privacy import views as privacy_views
from civic.privacy.cli import privacy_cli
from civic.privacy.models import ExportStatus
from civic.projects import org_views as project_org_views
from civic.projects import permissions as project_permissions
from civic.projects import services as projects
from civic.projects import views as project_views
from civic.projects.cli import projects_cli
from civic.projects.models import FundedProject
from civic.search import service as search_service
from civic.search import tracking as search_tracking
from civic.search import views as search_views
from civic.search.cli import search_cli
from civic.startup import permissions as startup_permissions
from civic.startup import services as startup
from civic.startup import views as startup_views
from civic.territories import views as territory_views
from civic.territories.cli import territories_cli
from civic.territories.services import all_cities

# Modules whose routes join another module's blueprint: importing them is what adds their pages.
PAGES_ON_OTHER_BLUEPRINTS = (neighbourhood_views, city_views, codesign_participation_views, profile_views,
                             project_org_views, twofactor_views)


def configure_logging(app: Flask) -> None:
    core_logging.configure_logging(app)


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True, compare_type=True, render_item=render_migration_item,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "civic" / "translations"),
    )
    login_manager.init_app(app)
    # What listens to every write: the search index, the content version of the kept pages, the
    # transactions' checks (each module says why it reads statements rather than signals).
    search_tracking.install(db.session)
    content_version.install()
    transactions.install()
    auth.configure_login(login_manager)
    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    """Every blueprint. Some pages join the blueprint of a lower package from the package above that
    their content needs (their module is imported above): a city's page (civic/calls/city_views.py),
    an organisation's (civic/projects/org_views.py), a person's profile (civic/participation/profile_views.py),
    the neighbourhoods' editing (civic/accounts/neighbourhood_views.py), the co-design participation pages
    (civic/codesign/participation_views.py), the language switch and the home page (blueprint "core")."""
    for blueprint in (core_views.bp, account_views.bp, territory_views.bp, post_views.bp, participation_views.bp,
                      comment_views.bp, image_views.bp, audit_views.bp, moderation_views.bp, call_views.bp,
                      evaluation_views.bp, org_views.bp, codesign_views.bp, notification_views.bp,
                      project_import_views.bp, project_views.bp, startup_views.bp, api.bp, opendata_views.bp,
                      dashboard_views.bp, search_views.bp, privacy_views.bp, roles_views.bp):
        app.register_blueprint(blueprint)


def register_site_hooks(app: Flask) -> None:
    errors.register(app)
    security.register(app)
    templating.register(app, header_cities=all_cities)
    pagecache.register(app)  # its hook runs after the rate limits and the address checks


def register_gates(app: Flask) -> None:
    # After the kept pages: a page kept for an account was built past these checks, and taking a step
    # (accepting the notice, setting up a second factor) is a write that makes kept pages old.
    gates.register(app)


def register_cli(app: Flask) -> None:
    for group in (users_cli, territories_cli, demo_cli, notifications_cli, projects_cli, search_cli, privacy_cli,
                  backup_cli, richtext_cli):
        app.cli.add_command(group)


def wire(app: Flask) -> None:
    register_template_globals(app)
    register_post_pages()
    connect_signals()
    register_followables()
    register_notification_events()
    # What a page kept for an account shows that changes without raising the content version: the bell.
    pagecache.account_state(notification_reading.unread_state)
    # Who else may upload a co-design process's documents: the members of its admitted organisations.
    codesign_permissions.add_document_uploaders(codesign_participation.admitted_organisation_member)
    # The steps a logged-in person takes first, in this order (civic/core/gates.py).
    gates.add(consent.GATE)
    gates.add(twofactor.GATE)


def register_template_globals(app: Flask) -> None:
    """What the domains give every template: permission checks, addresses, a call's voting note. (The
    blueprints add their own page helpers with `app_template_global`.)"""
    for permissions in (account_permissions, post_permissions, comment_permissions, call_permissions,
                        codesign_permissions, startup_permissions, project_permissions):
        app.jinja_env.globals.update(permissions.TEMPLATE_PERMISSIONS)
    app.jinja_env.globals.update(urls.TEMPLATE_GLOBALS)
    app.jinja_env.globals["call_voting_note"] = call_phases.voting_note
    # The statuses that pages compare with, by name rather than by their stored strings.
    for status_enum in (S, ProcessStatus, InterestStatus, DocumentRole, ExportStatus):
        app.jinja_env.globals[status_enum.__name__] = status_enum


def register_post_pages() -> None:
    """What the pages of needs and ideas show from the domains built on posts (civic/posts/views.py)."""
    post_views.register_parts(page_parts=[comment_views.post_page_part, participation_views.post_page_part],
                              open_calls=call_services.open_calls, similar=search_service.similar)


def connect_signals() -> None:
    """Every receiver of every signal of civic/core/signals.py, in the order they run."""
    signals.account_registered.connect(consent.record_at_registration)
    signals.idea_submitting.connect(call_services.check_idea_submitted)
    # Refusals first: a move that a later stage forbids.
    signals.idea_moving.connect(startup.refuse_fund_before_last_gate, sender="fund")
    # The records of the later stages, then the people told.
    signals.idea_moved.connect(codesign.open_when_selected, sender=S.SELECTED_FOR_CODESIGN)
    signals.idea_moved.connect(codesign.open_when_started, sender=S.IN_CODESIGN)
    signals.idea_moved.connect(codesign.close_when_rejected, sender=S.REJECTED)
    signals.idea_moved.connect(startup.open_when_started, sender=S.IN_STARTUP)
    signals.idea_moved.connect(projects.create_when_funded, sender=S.FUNDED)
    signals.idea_moved.connect(post_notices.tell_followers_of_move)
    # The email worker's loop also prepares the copies of personal data.
    signals.background_round.connect(privacy_export.prepare_in_background)
    signals.background_round.connect(opendata_files.build_ahead)


def register_followables() -> None:
    """What can be followed (civic/notifications/follows.py): its title, address, city and visibility."""
    register_followable("need", Need, title="title", url=urls.post_url, city_id="city_id", is_visible=visible_post)
    register_followable("idea", Idea, title="title", url=urls.post_url, city_id="city_id", is_visible=visible_post)
    register_followable("call", Call, title="title", url=urls.call_url, city_id="city_id",
                        is_visible=lambda: Call.status == CallStatus.PUBLISHED)
    # An organisation has no hidden state (yet): always visible.
    register_followable("organisation", Organisation, title="name", url=urls.org_url, city_id="city_id",
                        is_visible=true)
    # A process is visible unless the idea or need it started from is hidden.
    register_followable("codesign", CodesignProcess, title="title", url=urls.process_url, city_id="city_id",
                        is_visible=visible_process)
    # A funded project is public money: always visible, even when the idea it came from is hidden.
    register_followable("project", FundedProject, title=lambda p: p.display_title, url=urls.project_url,
                        city_id="city_id", is_visible=true)


def register_notification_events() -> None:
    """How each domain's notifications read (each declares its own table, `NOTIFICATION_EVENTS`)."""
    for table in (post_notices.NOTIFICATION_EVENTS, comment_notices.NOTIFICATION_EVENTS,
                  moderation_notices.NOTIFICATION_EVENTS, call_evaluation.NOTIFICATION_EVENTS,
                  orgs.NOTIFICATION_EVENTS, codesign_notices.NOTIFICATION_EVENTS,
                  codesign_participation.NOTIFICATION_EVENTS, startup.NOTIFICATION_EVENTS,
                  projects.NOTIFICATION_EVENTS):
        notification_reading.register_events(table)
    # A notification about a comment is shown while the comment is (comments build on notifications).
    notification_reading.register_comment_visibility(lambda: select(Comment.id).where(visible_comment()))
