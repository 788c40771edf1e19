"""The followable kinds of the posts and calls domains (other domains register theirs in their own module)."""
from __future__ import annotations

from civic.calls.models import Call, CallStatus
from civic.moderation.visibility import visible_post
from civic.notifications.follows import register_followable
from civic.posts.models import Idea, Need


def _post_url(post) -> str:
    from civic.posts.views import post_url

    return post_url(post)


def _call_url(call) -> str:
    from civic.calls.views import call_url

    return call_url(call)


register_followable("need", Need, title="title", url=_post_url, city_id="city_id", is_visible=visible_post)
register_followable("idea", Idea, title="title", url=_post_url, city_id="city_id", is_visible=visible_post)
register_followable("call", Call, title="title", url=_call_url, city_id="city_id",
                    is_visible=lambda: Call.status == CallStatus.PUBLISHED.value)
