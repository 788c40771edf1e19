"""Who may do what with needs and ideas. Shared by views, templates and services."""
from __future__ import annotations

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.posts.lifecycle import VOTABLE, available_moves
from civic.posts.models import Idea, Post, PostStatus


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def can_see(user: User | None, post: Post) -> bool:
    """A hidden post is seen only by the moderators of its city, wherever it is reached from."""
    return post.hidden_at is None or can_moderate_city(user, post.city)


def can_post(user: User | None) -> bool:
    return _signed_in(user)


def is_locked(post: Post) -> bool:
    """An idea is frozen once people have voted or commented on it: they reacted to that text."""
    return isinstance(post, Idea) and post.first_reaction_at is not None


def can_edit(user: User | None, post: Post) -> bool:
    return (
        _signed_in(user)
        and post.hidden_at is None
        and post.author_id == user.id
        and post.status == PostStatus.PUBLISHED
        and not is_locked(post)
    )


def can_withdraw(user: User | None, post: Post) -> bool:
    return any(move.action == "withdraw" for move in available_moves(user, post))


def can_merge(user: User | None, post: Post) -> bool:
    """A moderator of the idea's city (or an admin), while its status allows a merge."""
    return any(move.action == "merge" for move in available_moves(user, post))


def can_vote(user: User | None, post: Post) -> bool:
    """Supports count on needs; votes on ideas while the lifecycle keeps them open."""
    return _signed_in(user) and post.status in VOTABLE and post.hidden_at is None and call_votes_open(post)


def call_votes_open(post: Post) -> bool:
    """The ideas of a call collect votes only during its voting phase (the call says: posts build below
    calls); the others whenever open."""
    call = getattr(post, "call", None)
    return call is None or call.accepts_votes()


def can_comment(user: User | None, post: Post) -> bool:
    return _signed_in(user) and post.hidden_at is None


TEMPLATE_PERMISSIONS = {
    "can_post": can_post,
    "can_edit_post": can_edit,
    "can_withdraw_post": can_withdraw,
    "can_merge_idea": can_merge,
    "can_vote": can_vote,
    "call_votes_open": call_votes_open,
    "can_comment": can_comment,
    "is_locked": is_locked,
}
