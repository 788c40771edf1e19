"""Votes. The model is civic.posts.models.Vote (a post's count and a merge of ideas are made of votes);
it is named here too, beside the services that cast and withdraw votes."""
from __future__ import annotations

from civic.posts.models import Vote

__all__ = ["Vote"]
