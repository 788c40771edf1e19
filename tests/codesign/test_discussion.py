"""The discussion of a co-design process: the comments of its idea or need, counted beside the link
that leads to them (from the post's counter column, no extra query); a process opened from a call
says where to discuss."""
from __future__ import annotations

import re

from civic.codesign import services
from civic.extensions import db
from tests.codesign.conftest import MODERATOR, user
from tests.posts.helpers import english


def _origin(html: str) -> str:
    return re.search(r'<section[^>]*aria-labelledby="origin-heading".*?</section>', html, re.S).group(0)


def test_the_link_to_the_ideas_discussion_shows_its_comments(client, process, idea, anna, bruno, add_comment,
                                                             count_queries):
    english(client)
    url = f"/codesign/{process.id}-{process.slug}"
    section = _origin(client.get(url).get_data(as_text=True))
    assert f'href="/ideas/{idea.id}-{idea.slug}#comments"' in section and "0 comments" in section
    with count_queries() as before:
        client.get(url)
    root = add_comment(bruno, idea, "Partecipo volentieri")
    add_comment(anna, idea, "Grazie!", parent=root)
    with count_queries() as after:
        section = _origin(client.get(url).get_data(as_text=True))
    assert "2 comments" in section
    assert after.count == before.count, after.statements[before.count:]


def test_the_link_to_the_needs_discussion_shows_its_comments(client, people, anna, bruno, torino, new_need,
                                                             add_comment):
    need = new_need(anna, torino, title="Scale senza ascensore alle Vallette")
    add_comment(bruno, need, "Anche nel mio palazzo")
    process = services.open_process(user(MODERATOR), torino, services.OpeningData(
        title="Scale e ascensori", summary="Con gli enti del quartiere.", need_id=need.id))
    db.session.commit()
    english(client)
    section = _origin(client.get(f"/codesign/{process.id}-{process.slug}").get_data(as_text=True))
    assert f'href="/needs/{need.id}-{need.slug}#comments"' in section and "1 comment" in section


def test_a_process_from_a_call_says_where_to_discuss(client, people, torino, new_call):
    call = new_call()
    process = services.open_process(user(MODERATOR), torino, services.OpeningData(
        title="Percorso dell'avviso", summary="Per le idee dell'avviso.", call_id=call.id))
    db.session.commit()
    english(client)
    section = _origin(client.get(f"/codesign/{process.id}-{process.slug}").get_data(as_text=True))
    assert "A call has no discussion of its own" in section and "#comments" not in section
