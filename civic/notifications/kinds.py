"""The followable kinds: needs, ideas, calls, organisations and co-design processes, registered in one place
imported at app start (civic.notifications.views imports it)."""
from __future__ import annotations

from sqlalchemy import true

from civic.calls.models import Call, CallStatus
from civic.codesign.models import CodesignProcess
from civic.moderation.visibility import visible_post, visible_process
from civic.notifications.follows import register_followable
from civic.orgs.models import Organisation
from civic.posts.models import Idea, Need


def _post_url(post) -> str:
    from civic.posts.views import post_url

    return post_url(post)


def _org_url(org) -> str:
    from civic.orgs.views import org_url

    return org_url(org)


def _process_url(process) -> str:
    from civic.codesign.views import process_url

    return process_url(process)


def _call_url(call) -> str:
    from civic.calls.views import call_url

    return call_url(call)


register_followable("need", Need, title="title", url=_post_url, city_id="city_id", is_visible=visible_post)
register_followable("idea", Idea, title="title", url=_post_url, city_id="city_id", is_visible=visible_post)
register_followable("call", Call, title="title", url=_call_url, city_id="city_id",
                    is_visible=lambda: Call.status == CallStatus.PUBLISHED.value)
# An organisation has no hidden state (yet): always visible.
register_followable("organisation", Organisation, title="name", url=_org_url, city_id="city_id", is_visible=true)
# A process is visible unless the idea or need it started from is hidden.
register_followable("codesign", CodesignProcess, title="title", url=_process_url, city_id="city_id",
                    is_visible=visible_process)
# A funded project is public money: always visible, even when the idea it came from is hidden.
from civic.projects.models import FundedProject  # noqa: E402


def _project_url(project) -> str:
    from civic.projects.views import project_url

    return project_url(project)


register_followable("project", FundedProject, title=lambda p: p.display_title, url=_project_url, city_id="city_id",
                    is_visible=true)
