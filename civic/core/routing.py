"""URL converters and the numbers of query strings."""
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from civic.core.forms import ID_MAX
from civic.core.rules import RuleError


class ParameterError(RuleError):
    """A query-string parameter that is not valid (the view answers 400 with the message)."""


def positive_int(raw: str | None, name: str, default: int, maximum: int | None = None) -> int:
    """A page number or size from the query string: `default` when absent, else a clear refusal."""
    if raw in (None, ""):
        return default
    # isdigit() alone admits "²" and other digits int() refuses; six digits are plenty for a page.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) < 1:
        raise ParameterError(_l("The parameter %(name)s must be a whole number from 1 up.", name=name))
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ParameterError(_l("The parameter %(name)s can be at most %(max)d.", name=name, max=maximum))
    return value


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers beyond the 32-bit ids of the database do not match (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's own parameter name
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
