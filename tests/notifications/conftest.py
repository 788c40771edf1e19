"""Fixtures of the notifications tests: a real SMTP server (aiosmtpd) on a free local port, the posts
fixtures, and helpers to read what the server received."""
from __future__ import annotations

import email
import email.policy
import random
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.calls.conftest import (  # noqa: F401 - fixtures shared with the calls tests
    new_call,
    objectives,
    people,
    programme,
)
from tests.codesign.conftest import (  # noqa: F401 - fixtures shared with the co-design tests
    idea,
    meeting,
    planned,
    process,
)
from tests.orgs.conftest import new_org  # noqa: F401 - fixture shared with the organisations tests
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    add_comment,
    add_vote,
    anna,
    bruno,
    client,
    new_idea,
    new_need,
    palermo,
    themes,
    torino,
)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every accepted message; refuses the next `refuse` ones with `code`."""

    messages: list[Received] = field(default_factory=list)
    refuse: int = 0
    code: str = "451 4.3.0 Try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return self.code
            parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                              policy=email.policy.default)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse = 0
            self.code = "451 4.3.0 Try again later"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]


def _free_port() -> int:
    """A free port below 32768 (higher ones can collide with the client ports the system hands out)."""
    for _attempt in range(200):
        port = random.randint(20_000, 32_000)  # noqa: S311 - not for security
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


@pytest.fixture(scope="session")
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield recorder, controller.port
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    recorder, _port = smtp_server
    recorder.reset()
    yield recorder
    recorder.reset()


@pytest.fixture
def app_config(smtp_server):
    _recorder, port = smtp_server
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none", "SMTP_TIMEOUT": 5,
            "MAIL_RETRY_SECONDS": 60, "MAIL_MAX_ATTEMPTS": 3, "MAIL_LEASE_SECONDS": 300}


@pytest.fixture
def carla(make_user):
    return make_user(email="carla@example.it", name="Carla Verdi")


@pytest.fixture
def mod_torino(make_user, torino):
    return make_user("moderator", email="mod.torino@example.it", name="Marta Moderatrice", cities=[torino])
