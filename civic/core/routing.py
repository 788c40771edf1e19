"""URL converters and the numbers of query strings."""
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from civic.core.errors import abort_with
from civic.core.forms import ID_MAX
from civic.core.rules import RuleError

# Six digits are plenty for a page number.
PARAMETER_MAX = 999_999


class ParameterError(RuleError):
    """A query-string parameter that is not valid (the view answers 400 with the message)."""


def positive_int(raw: str | None, name: str, default: int, maximum: int | None = None) -> int:
    """A page number or size from the query string: `default` when absent, else a clear refusal."""
    if raw in (None, ""):
        return default
    # isdigit() alone admits "²" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        raise ParameterError(_l("The parameter %(name)s must be a whole number from 1 up.", name=name))
    limit = PARAMETER_MAX if maximum is None else maximum
    if len(raw) > len(str(limit)) or int(raw) > limit:  # the length first: int() of 5,000 digits fails
        raise ParameterError(_l("The parameter %(name)s can be at most %(max)d.", name=name, max=limit))
    return int(raw)


def query_int(name: str, default: int, maximum: int | None = None) -> int:
    """`positive_int` of the request's query string, for a view: a malformed number is answered 400."""
    from flask import request

    try:
        return positive_int(request.args.get(name), name, default, maximum)
    except ParameterError as error:
        abort_with(400, error.message)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers beyond the 32-bit ids of the database do not match (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's own parameter name
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
