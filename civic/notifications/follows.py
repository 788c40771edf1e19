"""Following: one mechanism for every kind of content.

A kind of content becomes followable with one call, in the app factory's table
(civic/wiring.py, `register_followables`):

    register_followable("organisation", Organisation, title="name", url=urls.org_url, city_id="city_id",
                        is_visible=true)

`title` and `city_id` are an attribute name or a function of the object; `url` a function of
the object; `is_visible` a function returning the SQL condition a visible row meets (it is
applied in queries, so that lists of notifications leave hidden content out in one query).
When the model has a `follower_count` column, it is kept in the transaction of each follow.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.orm.util import identity_key

from civic.accounts.models import User
from civic.core.rules import NotFound
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications.models import Follow


class UnknownTarget(NotFound):
    """The kind is not followable, or the content does not exist or is hidden (404)."""


@dataclass(frozen=True)
class Followable:
    kind: str
    model: Any
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    city_id: Callable[[Any], int | None]
    is_visible: Callable[[], Any]  # the SQL condition of a visible row

    @property
    def count_column(self):
        column = self.model.__mapper__.columns.get("follower_count")
        return column

    def visible_ids(self):
        """A SELECT of the ids of the visible rows (used as a subquery)."""
        return select(self.model.id).where(self.is_visible())

    def get_visible(self, target_id: int):
        return db.session.scalar(select(self.model).where(self.model.id == target_id, self.is_visible()))

    def load_visible(self, ids: Iterable[int]) -> dict[int, Any]:
        ids = list(set(ids))
        if not ids:
            return {}
        return {row.id: row for row in db.session.scalars(
            select(self.model).where(self.model.id.in_(ids), self.is_visible()))}


_REGISTRY: dict[str, Followable] = {}


def _getter(spec: str | Callable | None) -> Callable[[Any], Any]:
    if spec is None:
        return lambda obj: None
    if isinstance(spec, str):
        return lambda obj: getattr(obj, spec)
    return spec


def register_followable(kind: str, model, *, title: str | Callable[[Any], str], url: Callable[[Any], str],
                        city_id: str | Callable[[Any], int | None] | None = None,
                        is_visible: Callable[[], Any]) -> Followable:
    """Make `model` followable as `kind` (registering the same kind again replaces it)."""
    entry = Followable(kind=kind, model=model, title=_getter(title), url=url, city_id=_getter(city_id),
                       is_visible=is_visible)
    _REGISTRY[kind] = entry
    return entry


def followable(kind: str) -> Followable | None:
    return _REGISTRY.get(kind)


def followable_kinds() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def kind_of(obj) -> str | None:
    """The registered kind of an object (the most specific model wins: a Need is a "need")."""
    for entry in _REGISTRY.values():
        if type(obj) is entry.model:
            return entry.kind
    for entry in _REGISTRY.values():
        if isinstance(obj, entry.model):
            return entry.kind
    return None


def visible_target(kind: str, target_id: int):
    """The visible object, or UnknownTarget (404)."""
    entry = _REGISTRY.get(kind)
    target = entry.get_visible(target_id) if entry is not None else None
    if target is None:
        raise UnknownTarget(_l("This content does not exist."))
    return target


def _insert_ignoring_duplicates():
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return (insert(Follow.__table__).on_conflict_do_nothing(index_elements=["user_id", "target_kind", "target_id"])
            .returning(Follow.id))


def _move_count(entry: Followable, target_id: int, step: int) -> None:
    column = entry.count_column
    if column is None:
        return
    table = column.table
    db.session.execute(update(table).where(table.c.id == target_id).values({column.name: column + step}))


def _expire_count(entry: Followable, target_id: int) -> None:
    """The object the session holds, if any, reads its new count from the database."""
    column = entry.count_column
    held = db.session.identity_map.get(identity_key(entry.model, target_id))
    if column is not None and held is not None:
        db.session.expire(held, [column.key])


def follow(user: User, kind: str, target_id: int, *, check_visible: bool = True) -> bool:
    """True when a follow was added, False when the user already followed. Exact under concurrent clicks:
    the insert skips a duplicate and the counter moves only when a row was really added."""
    entry = _REGISTRY.get(kind)
    if entry is None:
        raise UnknownTarget(_l("This content does not exist."))
    if check_visible:
        visible_target(kind, target_id)
    added = db.session.execute(_insert_ignoring_duplicates().values(
        user_id=user.id, target_kind=kind, target_id=target_id, created_at=utcnow())).first()
    if added is None:
        return False
    _move_count(entry, target_id, +1)
    _expire_count(entry, target_id)
    return True


def unfollow(user: User, kind: str, target_id: int) -> bool:
    """True when a follow was removed. Possible on hidden content too (one stops following anything)."""
    entry = _REGISTRY.get(kind)
    if entry is None:
        raise UnknownTarget(_l("This content does not exist."))
    removed = db.session.execute(delete(Follow.__table__).where(
        Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id)
        .returning(Follow.id)).first()
    if removed is None:
        return False
    _move_count(entry, target_id, -1)
    _expire_count(entry, target_id)
    return True


def is_following(user: User | None, kind: str, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(following(user.id, kind, target_id)))


def following(user_id, kind, target_id) -> ColumnElement[bool]:
    """The SQL condition "this account follows this target". Each argument may be a value, a bound
    parameter, or a column of the query it goes into (which then reads the target and the follow
    together); no account (None) follows nothing."""
    return exists().where(Follow.user_id == user_id, Follow.target_kind == kind, Follow.target_id == target_id)


def follower_ids(kind: str, target_id: int) -> set[int]:
    return set(db.session.scalars(select(Follow.user_id).where(Follow.target_kind == kind,
                                                               Follow.target_id == target_id)))
