"""The errors of the posts' rules, in a module of their own: the lifecycle, the services and the
permissions all raise them, and none of them needs the others to."""
from __future__ import annotations

from civic.core.rules import Forbidden, RuleError


class PostError(RuleError):
    pass


class PostForbidden(PostError, Forbidden):
    """The user may not do this to this post (the view answers 403)."""
