"""URL converters."""
from werkzeug.routing import IntegerConverter

from civic.core.forms import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers beyond the 32-bit ids of the database do not match (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's own parameter name
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
