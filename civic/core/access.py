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

from civic.core.errors import abort_with
from civic.core.rules import RuleError
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


def perform(action: Callable[[], Any]) -> Any:
    """Run a service (a button's, or a check before a form): its refusal rolls back what it wrote and
    ends the request with its status (403, 404, 409, 422) and message."""
    try:
        return action()
    except RuleError as error:
        db.session.rollback()
        abort_with(error.status, error.message)
