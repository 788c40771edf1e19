"""Città Inclusive: a participatory platform for urban social-inclusion programmes."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from civic import config
from civic.config import PROJECT_ROOT
from civic.core.security import TrustedHostsOnly


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, the domains' wiring, CLI. Nothing else.

    It opens no connection and runs no migration; the one thing it may write is
    the secret key in instance/, once, when none is configured. Each step is a function of
    civic/wiring.py, the one module that names every package (docs/ARCHITECTURE.md).
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
    # Emailed links are built on BASE_URL, and requests for another host are refused (400).
    config.site_address(app.config)

    # Imported here, not when `civic` is: importing any civic module would otherwise import them all.
    from civic import wiring

    wiring.configure_logging(app)
    app.wsgi_app = TrustedHostsOnly(app.wsgi_app, app)
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy: trust its X-Forwarded-* headers, so rate limits and
        # logs see the visitor's address and secure cookies the original scheme.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    wiring.init_extensions(app)  # the database, migrations, CSRF, rate limits, languages, logins; write listeners
    wiring.register_blueprints(app)
    wiring.register_site_hooks(app)  # error pages, security headers, template helpers, kept pages
    wiring.wire(app)  # every signal receiver and registry: followables, notification texts, gates…
    wiring.register_gates(app)
    wiring.register_cli(app)
    return app
