"""The permanent, readable addresses of the platform's content, for every layer.

Each builder needs only the endpoint's name and the object's id and slug (read as attributes:
no model is imported here), so services, notifications, search and templates may all build links
without importing a domain's views. The address of a comment is not here: it names the page of the
conversation that shows it, which a query finds (civic/comments/views.py, `comment_url`).
"""
from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def site_url(endpoint: str, **values) -> str:
    """An absolute address (in an email, by the worker, anywhere): always on CIVIC_BASE_URL (civic/config.py,
    `site_address`), never on the request's Host header, which whoever sends the request chooses."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return absolute(url_for(endpoint, _external=False, **values))
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return absolute(url_for(endpoint, _external=False, **values))


def absolute(path_or_url: str) -> str:
    """A path of the site made absolute on CIVIC_BASE_URL; a full address is returned as it is."""
    if not path_or_url or "://" in path_or_url:
        return path_or_url
    return current_app.config["BASE_URL"] + "/" + path_or_url.lstrip("/")


def post_url(post: Any, **values) -> str:
    """A need or an idea: /needs/12-fontanella-rotta, /ideas/13-panchine-in-piazza."""
    return url_for(f"posts.{post.kind}", post_id=post.id, slug=post.slug, **values)


def call_url(call: Any, **values) -> str:
    """A call for ideas: /calls/3-giovani-al-centro."""
    return url_for("calls.show", call_id=call.id, slug=call.slug, **values)


def org_url(org: Any, **values) -> str:
    """An organisation: /organisations/4-il-ponte-aps."""
    return url_for("orgs.show", org_id=org.id, org_slug=org.slug, **values)


def process_url(process: Any, **values) -> str:
    """A co-design process: /codesign/4-portierato-sociale."""
    return url_for("codesign.show", process_id=process.id, slug=process.slug, **values)


codesign_url = process_url  # the name the templates use


def plan_url(plan: Any, **values) -> str:
    """A start-up support plan: /startup/7."""
    return url_for("startup.show", plan_id=plan.id, **values)


def project_url(project: Any, **values) -> str:
    """A funded project: /projects/4-agenzia-sociale-per-la-casa (its title, or its idea's while hidden)."""
    return url_for("projects.show", project_id=project.id, slug=project.display_slug, **values)


# Registered as template globals by the app factory (civic/wiring.py).
TEMPLATE_GLOBALS = {
    "post_url": post_url,
    "call_url": call_url,
    "org_url": org_url,
    "codesign_url": codesign_url,
}
