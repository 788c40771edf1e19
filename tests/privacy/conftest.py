"""The privacy tests use the notifications' fixtures: a real SMTP server, people, posts, organisations."""
import pytest

from civic.extensions import db
from civic.notifications import follows
from tests.notifications.conftest import (  # noqa: F401 - shared fixtures
    _shared_template_cache,
    add_comment,
    add_vote,
    anna,
    app_config,
    bruno,
    client,
    new_idea,
    new_need,
    new_org,
    palermo,
    smtp,
    smtp_server,
    themes,
    torino,
)


@pytest.fixture
def anna_active(anna, bruno, torino, new_need, new_idea, add_vote, add_comment):
    """Anna wrote a need and a comment, voted for Bruno's idea, follows it, and was notified of a reply."""
    need = new_need(anna, torino, title="Panchine rotte ai giardini")
    idea = new_idea(bruno, torino, title="Un orto condiviso in cortile")
    add_vote(anna, idea)
    add_comment(anna, idea, "Mi piace molto, posso aiutare il sabato.")
    follows.follow(anna, "idea", idea.id)
    db.session.commit()
    add_comment(bruno, need, "Le segnalo al Comune anch'io.")
    return need, idea
