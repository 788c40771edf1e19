"""Reporting needs, ideas and comments: one report per person and item, clear refusals."""
from __future__ import annotations

import pytest

from civic.extensions import db
from tests.conftest import table_counts
from tests.moderation.helpers import post_all_at_once, report_count, reports_on
from tests.posts.helpers import english, logged_in_clients, next_of


@pytest.fixture
def content(anna, torino, new_need, new_idea, add_comment):
    need = new_need(anna, torino)
    idea = new_idea(anna, torino, title="Una fontanella nuova in ogni cortile", needs=[need])
    comment = add_comment(anna, need, "Un commento da segnalare")
    return {"need": need, "idea": idea, "comment": comment}


def _url(target) -> str:
    kind = "comment" if hasattr(target, "parent_id") else "post"
    return f"/report/{kind}/{target.id}"


def test_a_resident_reports_once_and_a_second_report_is_refused(client, content, bruno, carla, torino):
    need, idea = content["need"], content["idea"]
    client.login("bruno@example.it")
    english(client)
    for which, back in (("need", f"/needs/{need.id}-{need.slug}"), ("idea", f"/ideas/{idea.id}-{idea.slug}"),
                        ("comment", f"/needs/{need.id}-{need.slug}#comment-{content['comment'].id}")):
        target = content[which]
        kind = "comment" if which == "comment" else "post"
        page = client.get(_url(target))
        assert page.status_code == 200
        assert 'name="reason"' in page.get_data(as_text=True)

        response = client.submit(_url(target), {"reason": "offensive", "details": "  Linguaggio offensivo  "})
        assert response.status_code == 302, which
        assert response.headers["Location"].endswith(back)
        [entry] = reports_on(kind, target.id)
        assert (entry.reporter_id, entry.city_id, entry.reason, entry.details) == (
            bruno.id, torino.id, "offensive", "Linguaggio offensivo")
        assert entry.resolved_at is None and entry.resolved_by_id is None

        before = table_counts()
        again = client.submit(_url(target), {"reason": "spam"})
        assert again.status_code == 409, which
        assert "already reported" in again.get_data(as_text=True)
        assert table_counts() == before
        assert len(reports_on(kind, target.id)) == 1
    assert report_count() == 3

    # Another person may report the same item.
    client.submit("/account/logout")
    client.login("carla@example.it")
    assert client.submit(_url(need), {"reason": "spam"}).status_code == 302
    assert sorted(r.reporter_id for r in reports_on("post", need.id)) == sorted([bruno.id, carla.id])


INVALID = [
    ({"reason": "other"}, "details"),
    ({"reason": "other", "details": "   \n  "}, "details"),
    ({"reason": "bogus"}, "reason"),
    ({"reason": ""}, "reason"),
    ({}, "reason"),
    ({"reason": "spam", "details": "x" * 1001}, "details"),
    ({"reason": "spam", "details": "nascosto\u202etesto"}, "details"),
]


def test_invalid_reports_answer_422_and_store_nothing(client, content, bruno):
    client.login("bruno@example.it")
    english(client)
    before = table_counts()
    for data, field in INVALID:
        response = client.submit(_url(content["idea"]), data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert (f'id="{field}-error"' in html) if field == "details" else ('id="reason-error"' in html), data
    assert table_counts() == before
    # "Other" with details is fine.
    assert client.submit(_url(content["comment"]), {"reason": "other", "details": "Pubblicità"}).status_code == 302
    [entry] = reports_on("comment", content["comment"].id)
    assert (entry.reason, entry.details) == ("other", "Pubblicità")


def test_anonymous_visitors_are_sent_to_the_login_page(client, content):
    before = table_counts()
    for target in content.values():
        for response in (client.get(_url(target)), client.submit(_url(target), {"reason": "spam"})):
            assert response.status_code == 302
            assert next_of(response.headers["Location"]) == _url(target)
    assert table_counts() == before


def test_hidden_or_missing_items_cannot_be_reported(client, content, bruno, mod_torino, hide, add_comment, new_need,
                                                    anna, torino):
    visible_comment_on_hidden_post = add_comment(bruno, content["idea"], "Commento su un'idea che sarà nascosta")
    other = new_need(anna, torino, title="Un altro bisogno con un commento")
    hidden_comment = add_comment(anna, other, "Un commento che sarà nascosto")
    hide(mod_torino, content["need"])
    hide(mod_torino, content["idea"])
    hide(mod_torino, hidden_comment)
    client.login("bruno@example.it")
    before = table_counts()
    for url in (_url(content["need"]), _url(content["idea"]), _url(hidden_comment),
                _url(content["comment"]), _url(visible_comment_on_hidden_post),  # visible comments on hidden posts
                "/report/post/999999", "/report/comment/999999"):
        assert client.get(url).status_code == 404, url
        assert client.submit(url, {"reason": "spam"}).status_code == 404, url
    assert client.submit("/report/user/999999", {"reason": "spam"}).status_code == 404  # profiles: test_profile_reports.py
    assert client.submit(_url(other), {"reason": "spam"}).status_code == 302  # the post of the hidden comment
    assert table_counts()["report"] == before["report"] + 1


PARALLEL = 12


def test_simultaneous_duplicate_reports_store_one_row(app, client, content, bruno):
    clients = logged_in_clients(app, ["bruno@example.it"] * PARALLEL)
    db.session.commit()
    results = post_all_at_once(app, clients, _url(content["need"]), {"reason": "spam"})
    assert sorted(results, key=str) == sorted([302] + [409] * (PARALLEL - 1), key=str), results
    assert len(reports_on("post", content["need"].id)) == 1
    assert report_count() == 1
