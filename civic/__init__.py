"""Città Inclusive: a participatory platform for urban social-inclusion programmes."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from civic import config
from civic.config import PROJECT_ROOT


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI. Nothing else.

    It opens no connection and runs no migration; the one thing it may write is
    the secret key in instance/, once, when none is configured.
    """
    test_config = test_config or {}
    instance = Path(test_config.get("INSTANCE_PATH") or config.instance_path())
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.settings_from_env(instance, secret_key=test_config.get("SECRET_KEY")))
    app.config.from_mapping(test_config)

    from civic.core.logging import configure_logging
    configure_logging(app)

    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy: trust its X-Forwarded-* headers, so rate limits and
        # logs see the visitor's address and secure cookies the original scheme.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_extensions(app)
    from civic.core.routing import IdConverter

    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)

    from civic.core import errors, pagecache, security, templating
    errors.register(app)
    security.register(app)
    templating.register(app)
    pagecache.register(app)  # its hook runs after the rate limits and the address checks
    from civic.accounts import twofactor
    from civic.core import gates
    from civic.privacy import consent
    gates.add(consent.GATE)
    gates.add(twofactor.GATE)
    # After the kept pages: a page kept for an account was built past these checks, and taking a step
    # (accepting the notice, setting up a second factor) is a write that makes kept pages old.
    gates.register(app)

    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from civic.core import i18n
    from civic.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from civic.core.models import render_migration_item

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

    from civic.search import tracking
    tracking.install(db.session)
    from civic.core import content_version, transactions
    content_version.install()
    transactions.install()

    from civic.accounts import auth
    auth.configure_login(login_manager)


def _register_blueprints(app: Flask) -> None:
    from civic.accounts.roles_views import bp as people_bp
    from civic.accounts.views import bp as accounts_bp
    from civic.api import bp as api_bp
    from civic.audit.views import bp as audit_bp
    from civic.calls.evaluation_views import bp as evaluation_bp
    from civic.calls.views import bp as calls_bp
    from civic.codesign import participation_views  # noqa: F401 - its routes join the "codesign" blueprint
    from civic.codesign.views import bp as codesign_bp
    from civic.comments.views import bp as comments_bp
    from civic.core.views import bp as core_bp
    from civic.dashboard.views import bp as dashboard_bp
    from civic.moderation.views import bp as moderation_bp
    from civic.notifications.views import bp as notifications_bp
    from civic.opendata.views import bp as opendata_bp
    from civic.orgs.views import bp as orgs_bp
    from civic.participation.views import bp as participation_bp
    from civic.posts.views import bp as posts_bp
    from civic.privacy.views import bp as privacy_bp
    from civic.projects.import_views import bp as project_import_bp
    from civic.projects.views import bp as projects_bp
    from civic.search.views import bp as search_bp
    from civic.startup.views import bp as startup_bp
    from civic.territories.views import bp as territories_bp
    from civic.uploads.views import bp as uploads_bp

    for blueprint in (core_bp, accounts_bp, territories_bp, posts_bp, participation_bp, comments_bp, uploads_bp,
                      audit_bp, moderation_bp, calls_bp, evaluation_bp, orgs_bp, codesign_bp, notifications_bp,
                      project_import_bp, projects_bp, startup_bp, api_bp, opendata_bp, dashboard_bp,
                      search_bp, privacy_bp, people_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from civic.accounts.cli import users_cli
    from civic.core.cli import backup_cli
    from civic.demo.cli import demo_cli
    from civic.notifications.cli import notifications_cli
    from civic.privacy.cli import privacy_cli
    from civic.projects.cli import projects_cli
    from civic.search.cli import search_cli
    from civic.territories.cli import territories_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(territories_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(projects_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_cli)
