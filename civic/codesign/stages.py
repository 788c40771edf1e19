"""Which stage a process is in today, decided from its stages' dates in Italian time.

Nothing stores "the current stage": a process moves from the expressions of interest to the
assessment at midnight without anyone acting. Features that depend on a stage ask here
(for example `accepts_expressions_of_interest`, for the organisations' applications).
"""
from __future__ import annotations

from datetime import date

from civic.calls.phases import today
from civic.codesign.models import CodesignProcess, CodesignStage, StageKind

__all__ = ["today", "stage_of", "current_stage", "is_running", "timeline", "has_reached",
           "accepts_expressions_of_interest"]


def stage_of(process: CodesignProcess, kind: StageKind) -> CodesignStage | None:
    return next((s for s in process.stages if s.kind == kind), None)


def is_running(stage: CodesignStage, on: date) -> bool:
    return stage.starts_on <= on and (stage.ends_on is None or on <= stage.ends_on)


def current_stage(process: CodesignProcess, on: date | None = None) -> CodesignStage | None:
    """The stage running on that day; None before the first stage and between stages."""
    on = on or today()
    return next((s for s in process.stages if is_running(s, on)), None)


def has_reached(process: CodesignProcess, kind: StageKind, on: date | None = None) -> bool:
    """The stage exists and has started (it may be over)."""
    stage = stage_of(process, kind)
    return stage is not None and stage.starts_on <= (on or today())


def accepts_expressions_of_interest(process: CodesignProcess, on: date | None = None) -> bool:
    """Organisations may express their interest while that stage runs, in an open process."""
    stage = current_stage(process, on)
    return not process.is_closed and stage is not None and stage.kind == StageKind.EXPRESSIONS_OF_INTEREST


def timeline(process: CodesignProcess, on: date | None = None) -> list[tuple[CodesignStage, str]]:
    """Each stage with its state for the timeline: "done", "current" or "upcoming"."""
    on = on or today()
    current = current_stage(process, on)
    steps = []
    for stage in sorted(process.stages, key=lambda s: StageKind(s.kind).position):
        if current is not None and stage.id == current.id:
            state = "current"
        elif (stage.ends_on or stage.starts_on) < on:
            state = "done"
        else:
            state = "upcoming"
        steps.append((stage, state))
    return steps
