"""Steps a logged-in person must take before anything else: accept the current privacy notice
(civic/privacy/consent.py), set up two-factor authentication when their role requires it
(civic/accounts/twofactor.py). One hook checks them in order and sends the person to the first
step they have not taken; each step names what stays open meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, redirect, request, url_for
from flask_login import current_user

# Open whatever the step: the app's files, the health check, the language, logging out, the notice itself.
ALWAYS_OPEN = frozenset({"static", "core.healthz", "core.set_language", "accounts.logout", "privacy.notice"})


@dataclass(frozen=True)
class Gate:
    applies: Callable[[object], bool]  # to the logged-in account
    endpoint: str  # where the step is taken
    open_endpoints: frozenset[str]  # what stays reachable before it is taken (its own pages included)


_GATES: list[Gate] = []


def add(gate: Gate) -> None:
    if gate not in _GATES:
        _GATES.append(gate)


def register(app: Flask) -> None:
    @app.before_request
    def _first_steps_first():
        if request.endpoint is None or request.endpoint in ALWAYS_OPEN:
            return None
        # Only a session that names an account can meet a gate: anonymous requests load nothing here.
        if not current_user.is_authenticated:
            return None
        for gate in _GATES:
            if request.endpoint not in gate.open_endpoints and gate.applies(current_user):
                # GET or not, the request waits: a form sent meanwhile is not carried out.
                return redirect(url_for(gate.endpoint, next=request.full_path if request.method == "GET" else None),
                                303)
        return None
