"""Posting, editing and withdrawing needs and ideas. The acting user is explicit;
rules broken raise PostError; the view commits once."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.core import signals
from civic.core.richtext import render_markdown
from civic.core.text import checked_line, checked_text
from civic.extensions import db
from civic.notifications.follows import follow  # authors follow what they post
from civic.orgs.models import Organisation
from civic.orgs.permissions import membership_of
from civic.posts import lifecycle, permissions
from civic.posts.errors import PostError, PostForbidden  # noqa: F401 - the views and other domains import them here
from civic.posts.models import Idea, Need, Post, PostStatus
from civic.territories.models import City, Neighbourhood, Theme
from civic.uploads.services import save_image

log = logging.getLogger("civic.posts")

TITLE_MAX = 150
BODY_MAX = 10_000
REQUIRED = _l("This field is required.")
SUMMARY_MAX = 300
BENEFICIARIES_MAX = 500
LOCATION_MAX = 200
COST_MAX = Decimal("100000000")
NEEDS_PER_IDEA_MAX = 10


@dataclass
class PostData:
    """What a person writes; the same for the form, the API and the demo content."""

    title: str
    body: str
    theme_id: int | None
    neighbourhood_id: int | None = None
    location_text: str | None = None  # needs
    summary: str | None = None  # ideas
    beneficiaries: str | None = None  # ideas
    estimated_cost: Decimal | None = None  # ideas
    need_ids: tuple[int, ...] = ()  # ideas
    call_id: int | None = None  # ideas: the call it is submitted to, None for the open ideas board
    image: FileStorage | None = None
    organisation_id: int | None = None  # the organisation it is posted on behalf of (the author is a member)


def _line(value: str | None, field: str, maximum: int, required: bool = True) -> str | None:
    return checked_line(value, field, maximum=maximum, missing=REQUIRED if required else None, error=PostError) or None


def _body(value: str | None, field: str = "body") -> str:
    return checked_text(value, field, maximum=BODY_MAX, missing=REQUIRED, error=PostError, controls=False)


def _place(city: City, data: PostData) -> tuple[Neighbourhood | None, Theme]:
    theme = db.session.get(Theme, data.theme_id) if data.theme_id else None
    if theme is None:
        raise PostError(_l("Choose a theme from the list."), "theme")
    neighbourhood = None
    if data.neighbourhood_id:
        neighbourhood = db.session.get(Neighbourhood, data.neighbourhood_id)
        if neighbourhood is None:
            raise PostError(_l("Choose a neighbourhood from the list."), "neighbourhood")
        if neighbourhood.city_id != city.id:
            raise PostError(_l("This neighbourhood is not in %(city)s.", city=city.name), "neighbourhood")
    return neighbourhood, theme


def _fill_common(post: Post, city: City, data: PostData) -> None:
    title = _line(data.title, "title", TITLE_MAX)
    body = _body(data.body)
    neighbourhood, theme = _place(city, data)
    post.set_title(title)
    post.body_markdown = body
    post.body_html = render_markdown(body)
    post.city = city
    post.neighbourhood = neighbourhood
    post.theme = theme


def _cost(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value < 0 or value > COST_MAX:
        raise PostError(_l("Enter an amount between 0 and 100,000,000 euros."), "estimated_cost")
    return value.quantize(Decimal("0.01"))


def _needs(city: City, need_ids) -> list[Need]:
    ids = sorted({int(i) for i in need_ids})
    if len(ids) > NEEDS_PER_IDEA_MAX:
        raise PostError(_l("Link at most %(num)d needs.", num=NEEDS_PER_IDEA_MAX), "needs")
    if not ids:
        return []
    needs = list(db.session.scalars(select(Need).where(Need.id.in_(ids), Need.hidden_at.is_(None))))
    if len(needs) != len(ids):
        raise PostError(_l("One of the needs you chose does not exist."), "needs")
    if any(need.city_id != city.id for need in needs):
        raise PostError(_l("An idea can answer only needs of its own city, %(city)s.", city=city.name), "needs")
    return needs


def _organisation(post: Post, author: User, organisation_id: int | None) -> None:
    """Posted on behalf of an organisation: only one the author is a member of. An organisation
    kept unchanged on an edit stays, even if the author has left it since."""
    if organisation_id is None:
        post.organisation = None
        return
    if post.organisation_id is not None and organisation_id == post.organisation_id:
        return
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise PostError(_l("Choose one of your organisations from the list."), "organisation")
    if membership_of(author, org) is None:
        raise PostForbidden(_l("You can post on behalf of %(name)s only if you are one of its members.",
                               name=org.name), "organisation")
    post.organisation = org


def _attach_image(post: Post, author: User, image: FileStorage | None) -> None:
    if image is not None and image.filename:
        post.image = save_image(image, author)


def create_need(author: User, city: City, data: PostData) -> Need:
    if not permissions.can_post(author):
        raise PostForbidden(_l("Log in to post a need."))
    need = Need(author=author, status=PostStatus.PUBLISHED)
    _fill_common(need, city, data)
    need.location_text = _line(data.location_text, "location_text", LOCATION_MAX, required=False)
    _organisation(need, author, data.organisation_id)
    _attach_image(need, author, data.image)
    db.session.add(need)
    db.session.flush()
    follow(author, need.kind, need.id, check_visible=False)
    log.info("need posted", extra={"post_id": need.id, "user_id": author.id, "city": city.slug})
    return need


def _fill_idea(idea: Idea, city: City, data: PostData) -> None:
    _fill_common(idea, city, data)
    idea.summary = _line(data.summary, "summary", SUMMARY_MAX)
    idea.beneficiaries = _line(data.beneficiaries, "beneficiaries", BENEFICIARIES_MAX)
    idea.estimated_cost = _cost(data.estimated_cost)
    idea.needs = _needs(city, data.need_ids)


def create_idea(author: User, city: City, data: PostData) -> Idea:
    if not permissions.can_post(author):
        raise PostForbidden(_l("Log in to propose an idea."))
    idea = Idea(author=author, status=PostStatus.PUBLISHED)
    _fill_idea(idea, city, data)
    _organisation(idea, author, data.organisation_id)
    if data.call_id is not None:
        # Calls build on posts: the calls' receiver checks that this one takes the idea now, or refuses.
        signals.idea_submitting.send(idea, author=author, city=city, call_id=data.call_id)
        idea.call_id = data.call_id
    _attach_image(idea, author, data.image)
    db.session.add(idea)
    db.session.flush()
    follow(author, idea.kind, idea.id, check_visible=False)
    log.info("idea posted", extra={"post_id": idea.id, "user_id": author.id, "city": city.slug})
    return idea


def check_can_edit(user: User, post: Post) -> None:
    """Raise PostForbidden, with the reason, unless the user may edit the post."""
    if permissions.can_edit(user, post):
        return
    if post.author_id == getattr(user, "id", None):
        if permissions.is_locked(post):
            raise PostForbidden(_l("This idea can no longer be edited: people have already voted or commented on it."))
        if post.status != PostStatus.PUBLISHED:
            raise PostForbidden(_l("This idea can no longer be edited: the municipality is already examining it.") if not post.is_withdrawn else _l("A withdrawn idea can no longer be edited."))
    raise PostForbidden(_l("Only the author can edit this."))


def update_post(user: User, post: Post, data: PostData) -> None:
    """Authors edit their text; an idea only until its first vote or comment."""
    check_can_edit(user, post)
    if isinstance(post, Idea):
        _fill_idea(post, post.city, data)
    else:
        _fill_common(post, post.city, data)
        post.location_text = _line(data.location_text, "location_text", LOCATION_MAX, required=False)
    _organisation(post, user, data.organisation_id)
    _attach_image(post, user, data.image)
    db.session.flush()


def withdraw_idea(user: User, idea: Post) -> None:
    """The author takes the idea back: a move of the lifecycle like any other."""
    if not permissions.can_withdraw(user, idea):
        raise PostForbidden(_l("Only the author can withdraw this idea, and only once."))
    lifecycle.perform(user, idea, "withdraw")
