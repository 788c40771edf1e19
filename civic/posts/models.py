"""Needs (bisogni) and ideas (proposte): the public contributions of residents.

Both are kinds of Post (joined-table inheritance): what they share (author, place,
theme, text, status, counters) lives in `post`, so votes and comments attach to any
post through one foreign key, and lists filter and sort on one indexed table.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import EnumText, TimestampMixin, enum_check
from civic.core.text import slugify
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.territories.models import City, Neighbourhood, Theme
from civic.uploads.models import Upload

if TYPE_CHECKING:  # calls build on posts (.importlinter): an idea names its call's model by string
    from civic.calls.models import Call


class PostKind(enum.StrEnum):
    NEED = "need"
    IDEA = "idea"


class PostStatus(enum.StrEnum):
    """Every status a post can have. Which move leads where is defined in lifecycle.py."""

    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    SHORTLISTED = "shortlisted"
    SELECTED_FOR_CODESIGN = "selected_for_codesign"
    IN_CODESIGN = "in_codesign"
    IN_STARTUP = "in_startup"
    FUNDED = "funded"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by its author: stays visible, marked withdrawn
    MERGED = "merged"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    PostStatus.PUBLISHED: _l("Published"),
    PostStatus.UNDER_REVIEW: _l("Under review"),
    PostStatus.SHORTLISTED: _l("Shortlisted"),
    PostStatus.SELECTED_FOR_CODESIGN: _l("Selected for co-design"),
    PostStatus.IN_CODESIGN: _l("In co-design"),
    PostStatus.IN_STARTUP: _l("In start-up support"),
    PostStatus.FUNDED: _l("Funded"),
    PostStatus.COMPLETED: _l("Completed"),
    PostStatus.REJECTED: _l("Not selected"),
    PostStatus.WITHDRAWN: _l("Withdrawn"),
    PostStatus.MERGED: _l("Merged into another idea"),
}
STATUS_CHECK = enum_check("status", PostStatus)

idea_need = Table(
    "idea_need",
    db.metadata,
    Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("need.id", ondelete="CASCADE"), primary_key=True, index=True),
)


_PUBLIC = text("hidden_at IS NULL")  # visible_post() below, for partial indexes


class Post(TimestampMixin, db.Model):
    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint("kind IN ('need', 'idea')", name="kind_known"),
        CheckConstraint(STATUS_CHECK, name="status_known"),
        CheckConstraint("vote_count >= 0 AND comment_count >= 0", name="counts_positive"),
        # One index per list filter and sort (city lists: newest, most voted, most commented).
        Index("ix_post_kind_city_created", "kind", "city_id", "created_at"),
        # The API's cursors walk a city's posts by id.
        Index("ix_post_kind_city_id", "kind", "city_id", "id"),
        # A city's public list in each order, with only what the page needs to choose its rows, so that
        # counting them and skipping to a deep page read the index alone (civic/posts/listing.py).
        Index("ix_post_public_newest", "kind", "city_id", "created_at", "id", postgresql_where=_PUBLIC,
              sqlite_where=_PUBLIC),
        Index("ix_post_public_votes", "kind", "city_id", "vote_count", "created_at", "id",
              postgresql_where=_PUBLIC, sqlite_where=_PUBLIC),
        Index("ix_post_public_comments", "kind", "city_id", "comment_count", "created_at", "id",
              postgresql_where=_PUBLIC, sqlite_where=_PUBLIC),
        # The programme dashboard counts the public posts by city and theme from the index alone.
        Index("ix_post_public_theme", "kind", "city_id", "theme_id", "id", postgresql_where=_PUBLIC,
              sqlite_where=_PUBLIC),
        Index("ix_post_kind_neighbourhood_created", "kind", "neighbourhood_id", "created_at"),
        Index("ix_post_kind_theme_created", "kind", "theme_id", "created_at"),
        Index("ix_post_author_created", "author_id", "created_at"),
        # The moderators' list of hidden posts, latest first.
        Index("ix_post_hidden", "hidden_at", postgresql_where=text("hidden_at IS NOT NULL"),
              sqlite_where=text("hidden_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"))
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id", ondelete="SET NULL"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(80))
    body_markdown: Mapped[str] = mapped_column(Text)
    # Rendered and sanitised once, when saved: pages show this.
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(EnumText(PostStatus, 30), default=PostStatus.PUBLISHED, index=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"), index=True)
    # Kept in the same transaction as the rows they count (see participation and comments).
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Kept by civic/notifications/follows.py in the transaction of the follow.
    follower_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the first vote or comment arrived; set once, never cleared (an idea stays frozen
    # even if that vote is withdrawn: people reacted to that text).
    first_reaction_at: Mapped[datetime | None]
    # Hidden by a moderator: absent from every list, count and page (see visible_post below).
    hidden_at: Mapped[datetime | None] = mapped_column(index=True)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    # Hidden because its author was blocked: unblocking shows it again (a moderator's own hiding stays).
    hidden_by_block: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Grows by one at each status move: a move made on an outdated page is refused (409).
    status_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The Third Sector organisation it is posted on behalf of (its author was a member when posting).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"),
                                                        index=True)

    author: Mapped[User] = relationship()
    city: Mapped[City] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    theme: Mapped[Theme] = relationship()
    image: Mapped[Upload | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}

    def set_title(self, title: str) -> None:
        self.title = title
        self.slug = slugify(title, 80)

    @property
    def status_label(self) -> str:
        return PostStatus(self.status).label

    @property
    def is_withdrawn(self) -> bool:
        return self.status == PostStatus.WITHDRAWN

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class PostEvent(db.Model):
    """One step of a post's public history: a status move with its public answer."""

    __tablename__ = "post_event"
    __table_args__ = (Index("ix_post_event_post_created", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[PostStatus] = mapped_column(EnumText(PostStatus, 30))
    to_status: Mapped[PostStatus] = mapped_column(EnumText(PostStatus, 30))
    reason_markdown: Mapped[str] = mapped_column(Text, default="")
    reason_html: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The role the actor acted in (moderator of the city, author), kept as it was at the time.
    actor_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    @property
    def to_label(self) -> str:
        return PostStatus(self.to_status).label


class Need(Post):
    __tablename__ = "need"

    id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    location_text: Mapped[str | None] = mapped_column(String(200))

    ideas: Mapped[list[Idea]] = relationship(secondary=idea_need, back_populates="needs", viewonly=True)

    @property
    def visible_ideas(self) -> list[Idea]:
        return [idea for idea in self.ideas if idea.hidden_at is None]

    __mapper_args__ = {"polymorphic_identity": PostKind.NEED.value}


class Idea(Post):
    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(String(300))
    beneficiaries: Mapped[str] = mapped_column(String(500))
    estimated_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The call it was submitted to; None for the city's open ideas board.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    # The idea that absorbed this one (status "merged"); its votes moved there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"), index=True)

    call: Mapped[Call | None] = relationship("Call")  # calls build on posts: named, not imported
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    needs: Mapped[list[Need]] = relationship(secondary=idea_need, back_populates="ideas", order_by=Need.id)

    @property
    def visible_needs(self) -> list[Need]:
        return [need for need in self.needs if need.hidden_at is None]

    __mapper_args__ = {"polymorphic_identity": PostKind.IDEA.value}


def visible_post():
    """The condition a post must meet to appear anywhere public. Every list, count, page and export
    asks it (or its comment's, process's twin: civic/comments/models.py, civic/codesign/models.py),
    so that hidden content is hidden everywhere (tests/moderation checks every page for it)."""
    return Post.hidden_at.is_(None)


class Vote(db.Model):
    """A vote: one mechanism for every post. On a need it reads "support" ("anche io"), on an idea "vote".
    Here, with the posts, because a post's count and a merge of ideas are made of votes; casting and
    withdrawing them is civic/participation/services.py."""

    __tablename__ = "vote"
    # One per account and post, enforced by the database (concurrent clicks included).
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
