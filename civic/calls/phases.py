"""What a call allows today, decided from its phases' dates in Italian time.

Every rule that depends on a call's phase asks this module (or the Call's own methods it builds on,
which the posts use); nothing stores "the current phase", so a call moves from submission to voting at
midnight without anyone acting.
"""
from __future__ import annotations

from datetime import date

from civic.calls.models import ROME, Call, CallPhase, CallStatus, PhaseKind, today  # noqa: F401 - ROME, today: here too


def phase_of(call: Call, kind: PhaseKind) -> CallPhase | None:
    return call.phase(kind)


def is_running(phase: CallPhase, on: date) -> bool:
    return phase.starts_on <= on and (phase.ends_on is None or on <= phase.ends_on)


def current_phase(call: Call, on: date | None = None) -> CallPhase | None:
    """The phase running on that day; None for a draft, before the first phase and between phases."""
    return call.running_phase(on)


def is_open_for(call: Call, kind: PhaseKind, on: date | None = None) -> bool:
    phase = current_phase(call, on)
    return phase is not None and phase.kind == kind


def accepts_ideas(call: Call, on: date | None = None) -> bool:
    return is_open_for(call, PhaseKind.SUBMISSION, on)


def accepts_votes(call: Call, on: date | None = None) -> bool:
    return call.accepts_votes(on)


def accepts_scores(call: Call, on: date | None = None) -> bool:
    return is_open_for(call, PhaseKind.EVALUATION, on) and call.results_published_at is None


def may_publish_results(call: Call, on: date | None = None) -> bool:
    """From the evaluation phase on (or the results phase when evaluation is skipped), once."""
    if call.status != CallStatus.PUBLISHED or call.results_published_at is not None:
        return False
    on = on or today()
    first = phase_of(call, PhaseKind.EVALUATION) or phase_of(call, PhaseKind.RESULTS)
    return first is not None and first.starts_on <= on


def timeline(call: Call, on: date | None = None) -> list[tuple[CallPhase, str]]:
    """Each phase with its state for the timeline: "done", "current" or "upcoming"."""
    on = on or today()
    current = current_phase(call, on)
    steps = []
    for phase in sorted(call.phases, key=lambda p: PhaseKind(p.kind).position):
        if current is not None and phase.id == current.id:
            state = "current"
        elif call.status == CallStatus.PUBLISHED and (phase.ends_on or phase.starts_on) < on:
            state = "done"
        else:
            state = "upcoming"
        steps.append((phase, state))
    return steps


def voting_note(call: Call) -> str:
    """Why the ideas of this call cannot be voted now, in words: when the vote runs."""
    return call.voting_note()
