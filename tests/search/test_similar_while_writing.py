"""Similar needs and ideas shown to a resident writing a new one: on the page without JavaScript
(the "Look for similar ones first" button), nothing saved meanwhile."""
from __future__ import annotations

from civic.extensions import db
from civic.moderation import services as moderation
from tests.conftest import table_counts
from tests.search.conftest import MODERATOR


def test_the_form_shows_similar_posts_without_saving(client, people, anna, bruno, torino, palermo, new_need, themes):
    same = new_need(bruno, torino, title="Alloggi sfitti nel quartiere Aurora", body="Case vuote da anni.")
    new_need(bruno, palermo, title="Alloggi sfitti alla Kalsa", body="Anche qui.")
    hidden = new_need(bruno, torino, title="Alloggi sfitti e abbandonati", body="Duplicato.")
    from civic.accounts.models import User

    moderation.hide(db.session.query(User).filter_by(email=MODERATOR).one(), hidden, "Duplicato")
    db.session.commit()
    client.login(anna.email)
    page = client.get("/cities/torino/needs/new").get_data(as_text=True)
    assert 'name="check_similar"' in page
    before = table_counts()
    response = client.submit("/cities/torino/needs/new", {"title": "Troppi alloggi sfitti", "body": "",
                                                           "check_similar": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert same.title in html
    assert "Alloggi sfitti alla Kalsa" not in html  # another city
    assert hidden.title not in html
    assert 'value="Troppi alloggi sfitti"' in html  # what was typed is kept
    assert table_counts() == before


def test_the_json_hints_leave_out_hidden_posts(client, people, bruno, torino, new_need):
    hidden = new_need(bruno, torino, title="Panchine rotte ai giardini", body="Tutte rotte.")
    from civic.accounts.models import User

    moderation.hide(db.session.query(User).filter_by(email=MODERATOR).one(), hidden, "Offensivo")
    db.session.commit()
    response = client.get("/search/similar", query_string={"city": "torino", "text": "panchine rotte"})
    assert response.status_code == 200 and response.get_json() == []
