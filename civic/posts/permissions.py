"""Who may do what with needs and ideas: named predicates (civic/core/predicates.py) combined per action,
shared by views, templates, the API and services."""
from __future__ import annotations

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_active_person
from civic.core.predicates import Predicate, predicate
from civic.posts.lifecycle import VOTABLE, available_moves
from civic.posts.models import Idea, Post, PostStatus


@predicate
def is_visible(user: User | None, post: Post) -> bool:
    """Not hidden by the moderators."""
    return post.hidden_at is None


@predicate
def moderates_post_city(user: User | None, post: Post) -> bool:
    return can_moderate_city(user, post.city)


@predicate
def is_author(user: User | None, post: Post) -> bool:
    return post.author_id == user.id


@predicate
def is_open(user: User | None, post: Post) -> bool:
    """Published, not yet examined by the municipality (nor withdrawn)."""
    return post.status == PostStatus.PUBLISHED


def is_locked(post: Post) -> bool:
    """An idea is frozen once people have voted or commented on it: they reacted to that text."""
    return isinstance(post, Idea) and post.first_reaction_at is not None


@predicate
def has_reactions(user: User | None, post: Post) -> bool:
    return is_locked(post)


@predicate
def is_votable(user: User | None, post: Post) -> bool:
    """In a status that collects supports or votes."""
    return post.status in VOTABLE


def call_votes_open(post: Post) -> bool:
    """The ideas of a call collect votes only during its voting phase (the call says: posts build below
    calls); the others whenever open."""
    call = getattr(post, "call", None)
    return call is None or call.accepts_votes()


@predicate
def in_voting_phase(user: User | None, post: Post) -> bool:
    return call_votes_open(post)


def lifecycle_allows(action: str) -> Predicate:
    """The lifecycle (civic/posts/lifecycle.py) offers this move to the person, for the post's status."""
    return Predicate(lambda user, post: any(move.action == action for move in available_moves(user, post)),
                     f"lifecycle_allows({action})")


can_see = (is_visible | moderates_post_city).named(
    "can_see", "A hidden post is seen only by the moderators of its city, wherever it is reached from.")
can_post = is_active_person.named("can_post")
can_edit = (is_active_person & is_visible & is_author & is_open & ~has_reactions).named("can_edit")
can_withdraw = lifecycle_allows("withdraw").named("can_withdraw")
can_merge = lifecycle_allows("merge").named(
    "can_merge", "A moderator of the idea's city (or an admin), while its status allows a merge.")
can_vote = (is_active_person & is_votable & is_visible & in_voting_phase).named(
    "can_vote", "Supports count on needs; votes on ideas while the lifecycle keeps them open.")
can_comment = (is_active_person & is_visible).named("can_comment")


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
