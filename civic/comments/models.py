"""Comments on any post, with replies one level deep."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import TimestampMixin
from civic.extensions import db
from civic.orgs.models import Organisation


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_post_created", "post_id", "created_at"),
        Index("ix_comment_author_created", "author_id", "created_at"),
        # A page of a conversation: its first comments in order, then their replies.
        Index("ix_comment_post_roots", "post_id", "created_at", "id", postgresql_where=text("parent_id IS NULL"),
              sqlite_where=text("parent_id IS NULL")),
        Index("ix_comment_parent_created", "parent_id", "created_at", postgresql_where=text("parent_id IS NOT NULL"),
              sqlite_where=text("parent_id IS NOT NULL")),
        # The moderators' list of hidden comments, latest first.
        Index("ix_comment_hidden", "hidden_at", postgresql_where=text("hidden_at IS NOT NULL"),
              sqlite_where=text("hidden_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None]
    # A deleted comment keeps its place ("commento eliminato") so that its replies stay readable.
    deleted_at: Mapped[datetime | None]
    # Hidden by a moderator: keeps its place, like a deleted comment, without its text.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    # Hidden because its author was blocked: unblocking shows it again.
    hidden_by_block: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The organisation it is written on behalf of (its author was a member when writing it); kept
    # on an edit and when the author leaves the organisation, like a post's.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"),
                                                        index=True)

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    post = relationship("Post")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


def visible_comment():
    """The condition a comment must meet to appear publicly: neither hidden nor deleted."""
    return Comment.hidden_at.is_(None) & Comment.deleted_at.is_(None)
