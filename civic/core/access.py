"""What a view acts on and who may act: load the row or answer 404, check the permission once or answer
403, run a button's service or answer with its refusal. The views of every domain use these three,
as indico's controllers do in `_process_args` and `_check_access`; the permissions themselves are
in each domain's `permissions.py`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import g
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from civic.core.errors import DUPLICATE, abort_with, duplicate_columns, is_unique_violation
from civic.core.rules import Conflict, RuleError
from civic.extensions import db

Row = TypeVar("Row")


def load_or_404(
    model: type[Row],
    ident: Any,
    message: Any,
    *,
    visible: Callable[[Row], bool] | None = None,
    options: Iterable[Any] = (),
    guard: Callable[[Row], bool] | None = None,
    refusal: Any = None,
    city: Callable[[Row], Any] | None = None,
) -> Row:
    """The row of `model` with this id, or a 404 page saying `message`.

    `visible(row)`: the rule of who may see it (hidden content, drafts); false answers 404 too, so a
    hidden row is not told apart from a missing one. `options`: loader options of the query
    (joinedload…). `guard(row)`: who may act on it; false answers 403 with `refusal` (a text, or a
    callable of the row). `city(row)`: the row's city when the header may lead to that city's lists
    (None while the content is hidden), noted once the row is found and allowed.
    """
    options = tuple(options)
    if options:
        row = db.session.scalar(select(model).where(model.id == ident).options(*options))
    else:
        row = db.session.get(model, ident)
    if row is None or (visible is not None and not visible(row)):
        abort_with(404, message)
    if guard is not None and not guard(row):
        abort_with(403, refusal(row) if callable(refusal) else refusal)
    if city is not None and (found := city(row)) is not None:
        g.city_slug = found.slug  # the header's links lead to the lists of this city
    return row


def require(allowed: bool, message: Any, status: int = 403) -> None:
    """Go on only when `allowed` (a permission's answer), else end the request with `message` (403)."""
    if not allowed:
        abort_with(status, message)


class Duplicate(Conflict):
    """Two requests inserted the same row at the same moment and the service ran twice (409): `columns`
    are those of the unique constraint, as the database named them."""

    def __init__(self, message, columns: list[str]):
        super().__init__(message)
        self.columns = columns


def once_more_if_duplicate(action: Callable[[], Any]) -> Any:
    """Run a service; when its flush meets a unique constraint (another request wrote the same row after
    this one's check passed), roll back and run it once more: its check now sees that row and refuses
    as it does for two requests one after the other. A second violation raises `Duplicate`."""
    for attempt in (1, 2):
        try:
            return action()
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            db.session.rollback()
            if attempt == 2:
                raise Duplicate(DUPLICATE, duplicate_columns(error)) from error
    raise AssertionError("unreachable")


def perform(action: Callable[[], Any]) -> Any:
    """Run a service (a button's, or a check before a form): its refusal rolls back what it wrote and
    ends the request with its status (403, 404, 409, 422) and message; a row written meanwhile by another
    request is judged again (`once_more_if_duplicate`)."""
    try:
        return once_more_if_duplicate(action)
    except RuleError as error:
        db.session.rollback()
        abort_with(error.status, error.message)
