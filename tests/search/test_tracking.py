"""The index follows bulk UPDATEs, which the ORM's flush never sees (civic/search/tracking.py reads the
ids they touch with the statement's own WHERE clause); counter updates are left alone."""
from __future__ import annotations

from sqlalchemy import update

from civic.extensions import db
from civic.posts.models import Post
from civic.search import tracking
from tests.search.helpers import results


def test_a_bulk_update_of_a_searched_column_reaches_the_index(client, anna, torino, new_need):
    need = new_need(anna, torino, title="Fontanella rotta in piazza")
    other = new_need(anna, torino, title="Panchine rotte al parco")
    assert results(client, q="girasoli")[1] == []
    db.session.execute(update(Post).where(Post.id == need.id).values(title="Girasoli nelle aiuole"))
    assert db.session.info[tracking._KEYS] == {("post", need.id)}  # only the row the WHERE clause matched
    db.session.commit()
    assert results(client, q="girasoli")[1] == ["Girasoli nelle aiuole"]
    assert results(client, q="panchine")[1] == [other.title]


def test_a_counter_update_touches_nothing_in_the_index(app, anna, torino, new_need):
    need = new_need(anna, torino)
    db.session.execute(update(Post).where(Post.id == need.id).values(vote_count=Post.vote_count + 1))
    assert not db.session.info.get(tracking._KEYS)
    db.session.commit()
