"""Lists of needs and ideas of a city: filters, sorting, pagination.

A page costs a fixed number of queries whatever its size: one for the rows (with their
author, neighbourhood and theme joined in), one for the total.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import joinedload

from civic.core.routing import ParameterError, positive_int
from civic.extensions import db
from civic.posts.models import Idea, Need, Post, PostStatus, visible_post
from civic.territories.models import City, Neighbourhood, Theme

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 50
SORTS = ("newest", "votes", "comments", "random")
# The query-string parameters of a list (any other is ignored).
PARAMETERS = ("neighbourhood", "theme", "status", "sort", "per_page", "page", "seed")
# A multiplicative hash of the id, its factor drawn from the visitor's seed (spread over the whole
# range, so that each seed gives its own permutation): a stable shuffle per visitor that works the
# same on SQLite and PostgreSQL.
# The number of different random orders: enough that the first posts of one lead for few visitors,
# few enough that each order's pages are shared (and kept, civic/core/pagecache.py) among visitors.
RANDOM_SEEDS = 100
_HASH_FACTOR = 2654435761
_HASH_MODULUS = 4294967291
_SEED_SPREAD = 42949673


class ListingError(ParameterError):
    """A list parameter that is not valid (the view answers 400 with the message)."""


@dataclass
class Listing:
    model: type[Post]
    city: City
    neighbourhood: Neighbourhood | None = None
    theme: Theme | None = None
    status: str | None = None
    sort: str = "newest"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    seed: int = 0
    items: list[Post] = field(default_factory=list)
    total: int = 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def args(self, **changes) -> dict:
        """The query arguments of this list, with some changed (for links to other pages)."""
        values = {
            "neighbourhood": self.neighbourhood.slug if self.neighbourhood else None,
            "theme": self.theme.slug if self.theme else None,
            "status": self.status,
            "sort": self.sort if self.sort != "newest" else None,
            "per_page": self.per_page if self.per_page != PER_PAGE_DEFAULT else None,
            "page": self.page if self.page != 1 else None,
            "seed": self.seed if self.sort == "random" else None,
        }
        values.update(changes)
        if values.get("sort") != "random":
            values.pop("seed", None)
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse(model: type[Post], city: City, args) -> Listing:
    """Read the list parameters from the query string; anything unknown is refused clearly.

    The random order comes with its seed in the address (the view sends each visitor to their own).
    """
    listing = Listing(model=model, city=city)
    sort = args.get("sort") or "newest"
    if sort not in SORTS:
        raise ListingError(_l("Unknown sort order. Use one of: %(sorts)s.", sorts=", ".join(SORTS)))
    listing.sort = sort
    if sort == "random":
        raw = args.get("seed") or ""
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and int(raw) < RANDOM_SEEDS):
            raise ListingError(_l("The parameter seed must be a whole number from 0 to %(max)d.",
                                  max=RANDOM_SEEDS - 1))
        listing.seed = int(raw)
    listing.page = positive_int(args.get("page"), "page", 1, maximum=100_000)
    listing.per_page = positive_int(args.get("per_page"), "per_page", PER_PAGE_DEFAULT, maximum=PER_PAGE_MAX)
    if slug := args.get("neighbourhood"):
        listing.neighbourhood = db.session.scalar(
            select(Neighbourhood).where(Neighbourhood.city_id == city.id, Neighbourhood.slug == slug))
        if listing.neighbourhood is None:
            raise ListingError(_l("%(city)s has no neighbourhood called %(name)s.", city=city.name, name=slug))
    if slug := args.get("theme"):
        listing.theme = db.session.scalar(select(Theme).where(Theme.slug == slug))
        if listing.theme is None:
            raise ListingError(_l("Unknown theme: %(name)s.", name=slug))
    if status := args.get("status"):
        if status not in {s.value for s in PostStatus}:
            raise ListingError(_l("Unknown status: %(name)s.", name=status))
        listing.status = status
    return listing


def run(listing: Listing) -> Listing:
    model = listing.model
    # The kind named, not only implied by the join to the idea or need table: the indexes start with it.
    conditions = [Post.kind == model.__mapper__.polymorphic_identity, Post.city_id == listing.city.id,
                  visible_post()]
    if listing.neighbourhood is not None:
        conditions.append(Post.neighbourhood_id == listing.neighbourhood.id)
    if listing.theme is not None:
        conditions.append(Post.theme_id == listing.theme.id)
    if listing.status is not None:
        conditions.append(Post.status == listing.status)

    order = {
        "newest": [Post.created_at.desc(), Post.id.desc()],
        "votes": [Post.vote_count.desc(), Post.created_at.desc(), Post.id.desc()],
        "comments": [Post.comment_count.desc(), Post.created_at.desc(), Post.id.desc()],
        "random": [(cast(Post.id, BigInteger) * (_HASH_FACTOR + listing.seed * _SEED_SPREAD)) % _HASH_MODULUS,
                   Post.id],
    }[listing.sort]
    # The page's ids first, from the post table alone (an index walk, also for a deep page), then
    # those rows with what the cards show.
    page_ids = (
        select(Post.id).where(*conditions).order_by(*order)
        .limit(listing.per_page).offset((listing.page - 1) * listing.per_page)
    )
    query = (
        select(model).where(Post.id.in_(page_ids.scalar_subquery()))
        .options(joinedload(Post.author), joinedload(Post.neighbourhood), joinedload(Post.theme),
                 joinedload(Post.organisation))
        .order_by(*order)
    )
    listing.items = list(db.session.scalars(query).unique())
    listing.total = db.session.scalar(select(func.count()).select_from(Post).where(*conditions))
    return listing


def latest(model: type[Post], city: City, limit: int = 5) -> list[Post]:
    return list(db.session.scalars(
        select(model).where(Post.city_id == city.id, visible_post())
        .options(joinedload(Post.author), joinedload(Post.neighbourhood), joinedload(Post.theme),
                 joinedload(Post.organisation))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    ).unique())


def city_figures(city: City) -> dict[str, int]:
    """Needs, ideas, supports, votes and comments of a city in one query."""
    rows = db.session.execute(
        select(Post.kind, func.count(), func.coalesce(func.sum(Post.vote_count), 0),
               func.coalesce(func.sum(Post.comment_count), 0))
        .where(Post.city_id == city.id, visible_post()).group_by(Post.kind)
    ).all()
    figures = {"needs": 0, "ideas": 0, "supports": 0, "votes": 0, "comments": 0}
    for kind, count, votes, comments in rows:
        if kind == "need":
            figures.update(needs=count, supports=int(votes))
        else:
            figures.update(ideas=count, votes=int(votes))
        figures["comments"] += int(comments)
    return figures


MODELS = {"need": Need, "idea": Idea}


def by_author(model: type[Post], author_id: int, limit: int = 20) -> list[Post]:
    return list(db.session.scalars(
        select(model).where(Post.author_id == author_id, visible_post())
        .options(joinedload(Post.author), joinedload(Post.neighbourhood), joinedload(Post.theme),
                 joinedload(Post.organisation))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    ).unique())


def posts_of(org, model: type[Post], limit: int = 20) -> list[Post]:
    """The visible needs or ideas posted on behalf of the organisation, newest first (its page)."""
    return list(db.session.scalars(
        select(model).where(Post.organisation_id == org.id, visible_post())
        .options(joinedload(Post.author), joinedload(Post.neighbourhood), joinedload(Post.theme),
                 joinedload(Post.organisation))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)).unique())
