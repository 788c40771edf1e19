"""What a call allows today, decided from its phases' dates in Italian time.

Every rule that depends on a call's phase asks this module; nothing stores "the current
phase", so a call moves from submission to voting at midnight without anyone acting.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from civic.calls.models import Call, CallPhase, CallStatus, PhaseKind

ROME = ZoneInfo("Europe/Rome")


def today() -> date:
    """The calendar day in Italy: a phase ending on the 30th is open until midnight in Rome."""
    return datetime.now(ROME).date()


def phase_of(call: Call, kind: PhaseKind) -> CallPhase | None:
    return next((p for p in call.phases if p.kind == kind), None)


def is_running(phase: CallPhase, on: date) -> bool:
    return phase.starts_on <= on and (phase.ends_on is None or on <= phase.ends_on)


def current_phase(call: Call, on: date | None = None) -> CallPhase | None:
    """The phase running on that day; None for a draft, before the first phase and between phases."""
    if call.status != CallStatus.PUBLISHED:
        return None
    on = on or today()
    return next((p for p in call.phases if is_running(p, on)), None)


def is_open_for(call: Call, kind: PhaseKind, on: date | None = None) -> bool:
    phase = current_phase(call, on)
    return phase is not None and phase.kind == kind


def accepts_ideas(call: Call, on: date | None = None) -> bool:
    return is_open_for(call, PhaseKind.SUBMISSION, on)


def accepts_votes(call: Call, on: date | None = None) -> bool:
    return is_open_for(call, PhaseKind.VOTING, on) and call.results_published_at is None


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
    voting = phase_of(call, PhaseKind.VOTING)
    if voting is None:
        return str(_l("This call has no public vote: the municipality evaluates its ideas."))
    return str(_l("Votes for the ideas of this call are open from %(start)s to %(end)s.",
                  start=format_date(voting.starts_on, "long"), end=format_date(voting.ends_on, "long")))
