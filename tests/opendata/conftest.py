"""The fixtures of tests/api (people, places, posts, hiding)."""
from tests.api.conftest import (  # noqa: F401 - fixtures
    _shared_template_cache,
    anna,
    api,
    bruno,
    calls_orgs,
    client,
    hide,
    mod_torino,
    new_idea,
    new_need,
    palermo,
    projects,
    themes,
    torino,
)
