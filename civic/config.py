"""Settings read from CIVIC_* environment variables, with embedded defaults.

Every variable is documented in README.md. The defaults give a working site on
SQLite in `instance/` with no configuration at all.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key
# The site's address in development when CIVIC_BASE_URL is not set (`flask run`'s own).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# Host names a development site answers on when CIVIC_BASE_URL is not set.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class ConfigurationError(RuntimeError):
    """The settings do not allow the site to start (a required variable is missing or malformed)."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CIVIC_{name}")
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def instance_path() -> Path:
    return Path(_env("INSTANCE_PATH", str(DEFAULT_INSTANCE))).resolve()


def load_secret_key(instance: Path) -> str:
    """The key from CIVIC_SECRET_KEY, else the one kept in instance/, created once.

    Several workers may start at once: the file is created exclusively, and a
    worker that loses the race reads the winner's key.
    """
    given = _env("SECRET_KEY")
    if given:
        return given
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def settings_from_env(instance: Path, secret_key: str | None = None) -> dict:
    """Flask configuration built from the environment (a given secret key wins)."""
    env = _env("ENV", "development")
    production = env == "production"
    if production and not _env("BASE_URL"):
        raise ConfigurationError("CIVIC_BASE_URL must be set in production (CIVIC_ENV=production): the public "
                                 "address of the site, e.g. https://partecipa.example.it, on which every link "
                                 "sent by email is built")
    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'civic.sqlite3'}")
    redis_url = _env("REDIS_URL")
    return {
        "CIVIC_ENV": env,
        "SECRET_KEY": secret_key or load_secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        # Forms posted to the server are small; files arrive in later features.
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A login lasts at most this long (seconds), and ends sooner after SESSION_IDLE_MINUTES without use
        # unless "keep me logged in" was ticked (civic/accounts/sessions.py).
        "PERMANENT_SESSION_LIFETIME": _env_int("SESSION_LIFETIME", 14 * 24 * 3600),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 120),
        # Changes of public money ask for the password again when it was last given longer ago (reauth.py).
        "REAUTH_MINUTES": _env_int("REAUTH_MINUTES", 15),
        # Roles that must set up two-factor authentication before they can act (civic/accounts/twofactor.py).
        "TWO_FACTOR_ROLES": tuple(r.strip() for r in (_env("TWO_FACTOR_ROLES", "moderator,admin") or "").split(",")
                                  if r.strip()),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Europe/Rome"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": _env("RATELIMIT_LOGIN", "5 per minute"),
        "RATELIMIT_SIGNUP": _env("RATELIMIT_SIGNUP", "5 per hour"),
        "RATELIMIT_RESET": _env("RATELIMIT_RESET", "5 per hour"),
        "REDIS_URL": redis_url,
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": _env_int("SMTP_PORT", 587),
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_SECURITY": _env("SMTP_SECURITY", "starttls"),  # starttls | ssl | none
        "SMTP_TIMEOUT": _env_int("SMTP_TIMEOUT", 10),
        "MAIL_FROM": _env("MAIL_FROM", "Città Inclusive <noreply@localhost>"),
        # The notification emails' worker (civic/notifications/outbox.py).
        "MAIL_MAX_ATTEMPTS": _env_int("MAIL_MAX_ATTEMPTS", 5),
        "MAIL_RETRY_SECONDS": _env_int("MAIL_RETRY_SECONDS", 60),
        "MAIL_LEASE_SECONDS": _env_int("MAIL_LEASE_SECONDS", 300),
        "DIGEST_HOUR": _env_int("DIGEST_HOUR", 8),
        "SITE_NAME": _env("SITE_NAME", "Città Inclusive"),
        # The privacy notice (templates/privacy/notice_*.html): raise the version when its text changes, and
        # every person is asked to accept it again; who is responsible for the data, and how to reach them.
        "PRIVACY_VERSION": _env("PRIVACY_VERSION", "2026-11-28"),
        "DATA_CONTROLLER": _env("DATA_CONTROLLER"),
        "PRIVACY_CONTACT": _env("PRIVACY_CONTACT"),
        # The public address emailed links are built on (never the request's Host header); when unset in
        # development, the SERVER_NAME's or http://127.0.0.1:5000 (see site_address below).
        "BASE_URL": _env("BASE_URL"),
        # Host names accepted besides CIVIC_BASE_URL's; a request for any other answers 400.
        "TRUSTED_HOSTS_EXTRA": tuple(h.strip() for h in (_env("TRUSTED_HOSTS") or "").split(",") if h.strip()),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": _env("LOG_FORMAT", "json" if production else "text"),
        "TOKEN_MAX_AGE_RESET": _env_int("RESET_TOKEN_MAX_AGE", 3600),
        "TOKEN_MAX_AGE_CONFIRM": _env_int("CONFIRM_TOKEN_MAX_AGE", 7 * 24 * 3600),
        "PASSWORD_MIN_LENGTH": 10,
        # My data (civic/privacy/export.py): how long a copy can be downloaded, and up to how many rows it is
        # prepared during the request (larger ones by the worker).
        "EXPORT_DAYS": _env_int("DATA_EXPORT_DAYS", 7),
        "EXPORT_INLINE_ROWS": _env_int("DATA_EXPORT_INLINE_ROWS", 5000),
        "PROXY_COUNT": _env_int("PROXY_COUNT", 0),
        "UPLOAD_MAX_BYTES": _env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
        # Documents of co-design processes (PDF, ODT, DOCX, ODS, XLSX, PNG, JPEG); their uploads may exceed
        # MAX_CONTENT_LENGTH by this much (civic/codesign/views.py raises the limit for those requests only).
        "DOCUMENT_MAX_BYTES": _env_int("MAX_DOCUMENT_MB", 10) * 1024 * 1024,
        "RATELIMIT_POST": _env("RATELIMIT_POST", "10 per hour"),
        "RATELIMIT_COMMENT": _env("RATELIMIT_COMMENT", "30 per hour"),
        "RATELIMIT_VOTE": _env("RATELIMIT_VOTE", "120 per hour"),
        "RATELIMIT_INVITE": _env("RATELIMIT_INVITE", "30 per hour"),
        "RATELIMIT_API": _env("RATELIMIT_API", "300 per minute"),
        "RATELIMIT_EXPORT": _env("RATELIMIT_EXPORT", "30 per minute"),  # the open-data files, per address
        # Open-data files built at once across every worker (civic/opendata/slots.py); more get 503.
        "OPENDATA_CONCURRENT_EXPORTS": _env_int("OPENDATA_CONCURRENT_EXPORTS", 2),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Search (civic/search/): "auto" is PostgreSQL full-text search on PostgreSQL, Whoosh otherwise.
        "SEARCH_ENGINE": _env("SEARCH_ENGINE", "auto"),
        "RATELIMIT_SEARCH": _env("RATELIMIT_SEARCH", "120 per minute"),
        # Pages kept for visitors who are not logged in (civic/core/pagecache.py); 0 turns it off.
        "PAGE_CACHE_SECONDS": _env_int("PAGE_CACHE_SECONDS", 60),
        "PAGE_CACHE_MB": _env_int("PAGE_CACHE_MB", 32),
    }


def site_address(settings) -> None:
    """Fix BASE_URL and TRUSTED_HOSTS in the final configuration (after a test's or a script's overrides).

    BASE_URL: as configured, else (development only) http://SERVER_NAME or http://127.0.0.1:5000.
    TRUSTED_HOSTS (Flask refuses any other Host header with 400): BASE_URL's host, CIVIC_TRUSTED_HOSTS, and
    127.0.0.1 and localhost when no BASE_URL was configured. A TRUSTED_HOSTS given explicitly is kept.
    """
    configured = settings.get("BASE_URL")
    if not configured and settings.get("CIVIC_ENV") == "production":
        raise ConfigurationError("CIVIC_BASE_URL must be set in production (CIVIC_ENV=production)")
    server_name = settings.get("SERVER_NAME")
    base = configured or (f"{settings.get('PREFERRED_URL_SCHEME') or 'http'}://{server_name}" if server_name
                          else DEVELOPMENT_BASE_URL)
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(f"CIVIC_BASE_URL must be an http(s) address such as https://partecipa.example.it, "
                                 f"not {base!r}")
    settings["BASE_URL"] = base.rstrip("/")
    if settings.get("TRUSTED_HOSTS") is None:
        hosts = [parts.hostname, *settings.get("TRUSTED_HOSTS_EXTRA", ())]
        if not configured:
            hosts += LOCAL_HOSTS
        settings["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
