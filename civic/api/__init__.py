"""The read-only public JSON API, version 1 (/api/v1): needs, ideas, calls, co-design
processes and organisations, with the same visibility rules
as the pages (`visible_post` and its twins, beside each model). The OpenAPI document is civic/api/openapi.py."""
from civic.api.views import bp

__all__ = ["bp"]
