"""Pages of needs and ideas: city lists, the page of each, posting, editing, withdrawing.

What these pages show from the domains built on posts is given by the app factory (civic/wiring.py,
`register_post_pages`), so that posts import none of them: what a post's page adds (the conversation
and its form, the visitor's vote), the calls an idea may be submitted to, the similar posts found
while writing."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required
from sqlalchemy import select

from civic.accounts.permissions import can_moderate_city
from civic.core.access import load_or_404, perform, require
from civic.core.errors import MESSAGES, abort_with
from civic.core.forms import ActionForm, handle_button, handle_form, optional_id
from civic.core.ratelimit import completed, config_limit, count_similar_search, per_account
from civic.core.routing import ParameterError, positive_int
from civic.extensions import db, limiter
from civic.posts import lifecycle, listing, merging, services
from civic.posts.forms import IdeaForm, MergeForm, MoveForm, NeedForm
from civic.posts.models import Idea, Need, Post, PostStatus
from civic.posts.permissions import can_see
from civic.territories.models import City, Theme
from civic.territories.views import city_or_404
from civic.urls import post_url

bp = Blueprint("posts", __name__)



@dataclass
class _Parts:
    """Given by register_parts (the app factory); until then a post's page shows only the post."""

    page: list[Callable[[Post, int], dict]] = field(default_factory=list)
    open_calls: Callable[[City], list] = lambda city: []
    similar: Callable[[str, int], list] = lambda text, city_id: []


_parts = _Parts()


def register_parts(*, page_parts: list[Callable[[Post, int], dict]], open_calls: Callable[[City], list],
                   similar: Callable[[str, int], list]) -> None:
    """`page_parts`: each gives what a post's page adds, from the post and the page of comments asked for;
    `open_calls(city)`: the calls an idea may be submitted to; `similar(text, city_id)`: posts like the text."""
    _parts.page = list(page_parts)
    _parts.open_calls, _parts.similar = open_calls, similar

KINDS = {
    "need": {"model": Need, "form": NeedForm, "plural": "needs"},
    "idea": {"model": Idea, "form": IdeaForm, "plural": "ideas"},
}


def _post(model: type[Post], post_id: int) -> Post:
    return load_or_404(model, post_id, _("This need does not exist.") if model is Need else _("This idea does not exist."),
                       city=lambda post: post.city if post.hidden_at is None else None)


def _visitor_seed() -> int:
    """The seed of the "random" order: stable for a visitor, different between visitors."""
    if session.get("list_seed", listing.RANDOM_SEEDS) >= listing.RANDOM_SEEDS:
        session["list_seed"] = secrets.randbelow(listing.RANDOM_SEEDS)
    return session["list_seed"]


def _list(kind: str, slug: str):
    city = city_or_404(slug)
    if request.args.get("sort") == "random" and "seed" not in request.args:
        # The visitor's own order at an address of its own: its pages are the same for every visitor
        # given that seed, so they can be kept; the address can be shared with the order it shows.
        kept = {name: request.args[name] for name in listing.PARAMETERS if name in request.args}
        return redirect(url_for(request.endpoint, slug=slug, **kept, seed=_visitor_seed()))
    try:
        page = listing.parse(KINDS[kind]["model"], city, request.args)
    except ParameterError as error:  # a ListingError too
        abort_with(400, error.message)
    listing.run(page)
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    return render_template(
        "posts/list.html", kind=kind, city=city, listing=page, themes=themes,
        statuses=[(status.value, status.label) for status in PostStatus],
    )


@bp.route("/cities/<slug>/needs")
def needs(slug: str):
    return _list("need", slug)


@bp.route("/cities/<slug>/ideas")
def ideas(slug: str):
    return _list("idea", slug)


def _show(kind: str, post_id: int, slug: str | None):
    post = _post(KINDS[kind]["model"], post_id)
    if not can_see(current_user, post):
        if current_user.is_authenticated and current_user.id == post.author_id:
            return render_template("posts/hidden.html", post=post)  # told why, shown nothing
        abort_with(404, _("This need does not exist.") if kind == "need" else _("This idea does not exist."))
    try:
        page = positive_int(request.args.get("comments"), "comments", 1, maximum=100_000)
    except ParameterError as error:
        abort_with(400, error.message)
    if slug != post.slug:  # an old title's address: the same page of comments at the current one
        return redirect(post_url(post, **({"comments": page} if request.args.get("comments") else {})), code=301)
    parts = {}
    for part in _parts.page:
        parts.update(part(post, page))
    return render_template(f"posts/{kind}.html", post=post, action_form=ActionForm(), **parts,
                           **_lifecycle_context(post))


def _lifecycle_context(post: Post, form: MoveForm | None = None) -> dict:
    # A merge names the idea that remains: it has its own page (see merge_idea below).
    moves = [m for m in lifecycle.available_moves(current_user, post) if m.action != "withdraw" and not m.needs_target]
    if form is None:
        form = MoveForm(formdata=None)
        form.version.data = post.status_version
    form.fill_choices(moves)
    return {"history": lifecycle.history(post), "moves": moves, "move_form": form,
            "merged_ideas": merging.merged_into_this(post)}


@bp.route("/needs/<int:post_id>", defaults={"slug": None})
@bp.route("/needs/<int:post_id>-<slug>")
def need(post_id: int, slug: str | None):
    return _show("need", post_id, slug)


@bp.route("/ideas/<int:post_id>", defaults={"slug": None})
@bp.route("/ideas/<int:post_id>-<slug>")
def idea(post_id: int, slug: str | None):
    return _show("idea", post_id, slug)


def _create(kind: str, slug: str):
    city = city_or_404(slug)
    form = KINDS[kind]["form"]()
    if kind == "idea":
        wanted = [i for i in map(optional_id, request.args.getlist("need")) if i and i > 0]
        form.fill_choices(city, extra_need_ids=wanted)
        form.fill_calls(_parts.open_calls(city))
        if not form.is_submitted():
            form.needs.data = wanted
            form.call.data = optional_id(request.args.get("call"))
    else:
        form.fill_choices(city)
    form.fill_organisations(current_user._get_current_object())
    if not form.is_submitted() and current_user.home_neighbourhood_id:
        form.neighbourhood.data = current_user.home_neighbourhood_id
    if request.method == "POST" and request.form.get("check_similar"):
        # "Look for similar ones first": nothing is saved, the form comes back with what was typed.
        # It is a search, counted in the limit of the similar posts shown while typing (same key).
        try:
            count_similar_search()
        except RateLimitExceeded:
            return render_template("posts/form.html", kind=kind, city=city, form=form, post=None,
                                   similar_refused=MESSAGES[429]), 429, {"Retry-After": "60"}
        typed = " ".join(filter(None, (request.form.get("title"), request.form.get("summary"))))
        return render_template("posts/form.html", kind=kind, city=city, form=form, post=None,
                               similar=_parts.similar(typed, city.id), checked_similar=True)
    create = services.create_need if kind == "need" else services.create_idea
    return handle_form(form, lambda: create(current_user._get_current_object(), city, form.data_for_service()),
                       message=_("Your need is published. Thank you!") if kind == "need"
                       else _("Your idea is published. Thank you!"),
                       redirect_to=post_url, template="posts/form.html", kind=kind, city=city, form=form, post=None)


@bp.route("/cities/<slug>/needs/new", methods=["GET", "POST"])
@login_required
@limiter.limit(config_limit("RATELIMIT_POST"), key_func=per_account, methods=["POST"], deduct_when=completed)
def new_need(slug: str):
    return _create("need", slug)


@bp.route("/cities/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit(config_limit("RATELIMIT_POST"), key_func=per_account, methods=["POST"], deduct_when=completed)
def new_idea(slug: str):
    return _create("idea", slug)


def _edit(kind: str, post_id: int):
    post = _post(KINDS[kind]["model"], post_id)
    user = current_user._get_current_object()
    perform(lambda: services.check_can_edit(user, post))
    form = KINDS[kind]["form"]()
    if kind == "idea":
        form.fill_choices(post.city, extra_need_ids=[n.id for n in post.needs])
    else:
        form.fill_choices(post.city)
    form.fill_organisations(user, current=post.organisation)
    if not form.is_submitted():
        form.load(post)
    return handle_form(form, lambda: services.update_post(user, post, form.data_for_service()),
                       message=_("Your changes are saved."), redirect_to=lambda _result: post_url(post),
                       template="posts/form.html", kind=kind, city=post.city, form=form, post=post)


@bp.route("/needs/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(post_id: int):
    return _edit("need", post_id)


@bp.route("/ideas/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_idea(post_id: int):
    return _edit("idea", post_id)


@bp.route("/ideas/<int:post_id>/moves", methods=["POST"])
@login_required
def move_idea(post_id: int):
    """A moderator's decision on an idea, with its public answer."""
    idea = _post(Idea, post_id)
    user = current_user._get_current_object()
    moves = [m for m in lifecycle.available_moves(user, idea) if m.action != "withdraw" and not m.needs_target]
    # A moderator posting from a stale page reaches the service, which answers 409 (or 422), not 403.
    require(can_moderate_city(user, idea.city) and (moves or request.method != "GET"),
            _("Only the moderators of %(city)s can decide on this idea, and only while it is open to a decision.",
              city=idea.city.name))
    form = MoveForm()
    form.fill_choices(moves)
    return handle_form(form, lambda: lifecycle.perform(
        user, idea, form.action.data, form.reason.data, expected_version=form.version.data),
        message=_("Decision recorded and published on the idea's page."),
        redirect_to=lambda _event: post_url(idea, _anchor="history"),
        render=lambda status: (render_template("posts/move.html", post=idea, **_lifecycle_context(idea, form)), status))


@bp.route("/ideas/<int:post_id>/withdraw", methods=["POST"])
@login_required
def withdraw_idea(post_id: int):
    idea = _post(Idea, post_id)
    return handle_button(lambda: services.withdraw_idea(current_user._get_current_object(), idea),
                         message=_("Your idea has been withdrawn. It stays visible, marked as withdrawn."),
                         category="info", redirect_to=lambda _result: post_url(idea))


# --- merging an idea into the idea that remains (civic/posts/merging.py) ------------------------

@bp.route("/ideas/<int:post_id>/merge", methods=["GET", "POST"])
@login_required
def merge_idea(post_id: int):
    """A moderator closes a duplicate: its votes move to the idea that remains."""
    idea = _post(Idea, post_id)
    user = current_user._get_current_object()
    require(can_moderate_city(user, idea.city), _("Only the moderators of %(city)s can merge this idea.",
                                                  city=idea.city.name))
    form = MergeForm()
    if not form.is_submitted():
        form.version.data = idea.status_version
    return handle_form(form, lambda: merging.merge_idea(
        user, idea, form.target_id, form.reason.data, expected_version=form.version.data),
        message=_("The idea has been merged: its votes now count for the idea that remains."),
        redirect_to=lambda _event: post_url(idea),
        render=lambda status: (render_template("posts/merge.html", post=idea, form=form,
                                               may_merge=merging.can_merge(user, idea)), status))
