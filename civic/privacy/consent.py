"""The privacy notice and each person's acceptance of its version.

The notice is `templates/privacy/notice_<language>.html`; whoever changes it raises its version
(CIVIC_PRIVACY_VERSION). Registration records the acceptance of the current version; a logged-in
person who accepted an older one (or none: an account made from the command line) is asked again
before anything else, and can still read the notice, take their data out, delete the account or log out
without accepting.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from civic.accounts.models import User
from civic.core import gates
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.privacy.models import Consent


def current_version() -> str:
    return current_app.config["PRIVACY_VERSION"]


def needs_consent(user: User) -> bool:
    return user.privacy_version != current_version()


def record(user: User, version: str | None = None) -> None:
    """The person accepts `version` (the current one by default); accepting it twice keeps the first."""
    version = version or current_version()
    exists = db.session.scalar(select(Consent.id).where(Consent.user_id == user.id, Consent.version == version))
    if exists is None:
        db.session.add(Consent(user_id=user.id, version=version, accepted_at=utcnow()))
    user.privacy_version = version
    db.session.flush()


def record_at_registration(user: User, *, privacy_version: str | None = None, **_) -> None:
    """Receiver of civic.core.signals.account_registered: the notice accepted while registering."""
    if privacy_version is not None:
        record(user, privacy_version)


# What a person who has not accepted the current notice may still do.
GATE = gates.Gate(
    applies=needs_consent,
    endpoint="privacy.accept",
    open_endpoints=frozenset({"privacy.accept", "privacy.my_data", "privacy.request_data", "privacy.download",
                              "privacy.delete_account"}),
)
