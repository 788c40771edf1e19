"""Dated steps that follow one another: the phases of a call, the stages of a co-design process.

Each step runs from its first to its last day (both included); only the last kind of the
sequence may stay open-ended; a step starts after the one before it ends. One check serves
every sequence, so they all refuse the same mistakes with the same words.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from flask_babel import lazy_gettext as _l


class DatedStep(Protocol):
    kind: str
    starts_on: date | None
    ends_on: date | None


Step = TypeVar("Step", bound=DatedStep)


def check_sequence(steps: Sequence[Step], kinds: type[enum.StrEnum], open_ended: enum.StrEnum,
                   error: Callable[[object, str], Exception]) -> list[Step]:
    """The steps in the order of `kinds`, each with its dates, none overlapping the next.

    `kinds` members have a `label`; a step with neither date nor anything else must be left out
    by the caller first (a skipped step). `error(message, field)` builds the exception to raise,
    the field being named `<kind>_starts_on` or `<kind>_ends_on` as on the forms.
    """
    ordered = sorted(steps, key=lambda s: list(kinds).index(kinds(s.kind)))
    previous: Step | None = None
    for step in ordered:
        label = kinds(step.kind).label
        if step.starts_on is None:
            raise error(_l("%(step)s: enter the first day.", step=label), f"{step.kind}_starts_on")
        if step.ends_on is None and step.kind != open_ended:
            raise error(_l("%(step)s: enter the last day.", step=label), f"{step.kind}_ends_on")
        if step.ends_on is not None and step.ends_on < step.starts_on:
            raise error(_l("%(step)s: the last day comes before the first.", step=label), f"{step.kind}_ends_on")
        if previous is not None and step.starts_on <= (previous.ends_on or previous.starts_on):
            raise error(_l("%(step)s must start after %(previous)s ends: one follows the other without "
                           "overlapping.", step=label, previous=kinds(previous.kind).label),
                        f"{step.kind}_starts_on")
        previous = step
    return ordered
