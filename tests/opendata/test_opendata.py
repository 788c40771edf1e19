"""Open data: the page with its data dictionary, CSV and JSON files, hidden content absent, streaming."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from civic.opendata.datasets import DATASETS


@pytest.fixture
def posts(anna, bruno, torino, themes, new_need, new_idea):
    aurora = torino.neighbourhoods[0]
    return {
        "need": new_need(anna, torino, title="Panchine rotte ad Aurora", neighbourhood=aurora,
                         location_text="Giardini; via Bologna", body="Testo con \"virgolette\"\ne a capo"),
        "formula": new_need(bruno, torino, title="=SOMMA(A1:A9) non è una formula"),
        "idea": new_idea(anna, torino, title="Riparare le panchine", estimated_cost=Decimal("25000.50")),
    }


def _csv(client, name: str) -> tuple[object, list[dict]]:
    response = client.get(f"/opendata/{name}.csv")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    return response, rows


def test_the_page_lists_every_dataset_with_licence_formats_and_dictionary(client):
    page = client.get("/opendata").get_data(as_text=True)
    assert "https://creativecommons.org/licenses/by/4.0/" in page and "CC BY 4.0" in page
    for name, dataset in DATASETS.items():
        assert f'href="/opendata/{name}.csv"' in page and f'href="/opendata/{name}.json"' in page
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page
    assert 'href="/opendata"' in client.get("/").get_data(as_text=True)  # linked from the footer


def test_csv_follows_italian_conventions(client, posts):
    response, rows = _csv(client, "ideas")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ideas.csv"'
    assert list(rows[0]) == [c.name for c in DATASETS["ideas"].columns]
    idea = posts["idea"]
    (row,) = rows
    assert row["id"] == str(idea.id) and row["costo_stimato"] == "25000,50"
    # The date in Rome (the site's time zone): from 23:00 or 22:00 UTC it is already the next day there.
    assert row["data_pubblicazione"] == idea.created_at.astimezone(ZoneInfo("Europe/Rome")).strftime("%Y%m%d")
    assert len(row["data_pubblicazione"]) == 8 and row["data_pubblicazione"].isdigit()
    assert row["url"].startswith(f"http://civic.test/ideas/{idea.id}-")
    _, needs = _csv(client, "needs")
    by_id = {int(r["id"]): r for r in needs}
    assert by_id[posts["need"].id]["luogo"] == "Giardini; via Bologna"  # the separator inside a value is quoted
    assert by_id[posts["need"].id]["testo"] == "Testo con \"virgolette\"\ne a capo"
    assert by_id[posts["formula"].id]["titolo"].startswith("'=")  # never a live spreadsheet formula


def test_json_has_the_same_records(client, posts):
    response = client.get("/opendata/needs.json")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="needs.json"'
    records = json.loads(response.get_data(as_text=True))
    _, rows = _csv(client, "needs")
    assert [r["id"] for r in records] == [int(r["id"]) for r in rows] == [posts["formula"].id, posts["need"].id]
    assert records[1]["titolo"] == "Panchine rotte ad Aurora"
    assert json.loads(client.get("/opendata/ideas.json").get_data())[0]["costo_stimato"] == "25000.50"


def test_no_private_field_in_exports(client, posts):
    for url in ("/opendata/needs.csv", "/opendata/needs.json", "/opendata/ideas.csv", "/opendata/ideas.json"):
        text = client.get(url).get_data(as_text=True)
        assert "@example.it" not in text and "email" not in text.lower(), url


def test_hidden_content_is_absent_even_when_hidden_after_creation(client, posts, hide, mod_torino):
    hide(mod_torino, posts["need"], "Dati personali")
    hide(mod_torino, posts["idea"], "Dati personali")
    for url in ("/opendata/needs.csv", "/opendata/needs.json", "/opendata/ideas.csv", "/opendata/ideas.json"):
        text = client.get(url).get_data(as_text=True)
        assert "Panchine rotte" not in text and "Riparare le panchine" not in text, url
    assert json.loads(client.get("/opendata/ideas.json").get_data()) == []


def test_unknown_dataset_or_format_is_404(client):
    assert client.get("/opendata/users.csv").status_code == 404
    assert client.get("/opendata/needs.xml").status_code == 404


def test_exports_are_streamed_in_batches(app, client, posts):
    """The rows are read with yield_per (a server-side cursor on PostgreSQL), and the body is a generator."""
    options = []

    def spy(state):
        options.append(state.execution_options.get("yield_per"))

    event.listen(Session, "do_orm_execute", spy)
    try:
        response = client.get("/opendata/needs.csv", buffered=False)
        assert response.is_streamed
        b"".join(response.response)
    finally:
        event.remove(Session, "do_orm_execute", spy)
    assert 500 in options


def _bulk_needs(count: int, author, city, theme) -> None:
    from sqlalchemy import func, insert, select

    from civic.core.timeutil import utcnow
    from civic.extensions import db
    from civic.posts.models import Need, Post

    start = (db.session.scalar(select(func.max(Post.id))) or 0) + 1
    now = utcnow()
    db.session.execute(insert(Post.__table__), [
        {"id": start + i, "kind": "need", "author_id": author.id, "city_id": city.id, "theme_id": theme.id,
         "title": f"Bisogno generato {i}", "slug": f"bisogno-generato-{i}", "body_markdown": "Testo " * 20,
         "body_html": "<p>Testo</p>", "status": "published", "vote_count": 0, "comment_count": 0,
         "created_at": now, "updated_at": now} for i in range(count)])
    db.session.execute(insert(Need.__table__), [{"id": start + i, "location_text": "Via"} for i in range(count)])
    db.session.commit()


def _peak_memory(client, url: str) -> int:
    """The peak memory of the whole download: the file built from the database, then sent."""
    import tracemalloc

    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        size = sum(len(chunk) for chunk in response.response)
        response.close()
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows(app, client, anna, torino, themes, monkeypatch):
    monkeypatch.setattr("civic.opendata.datasets.BATCH", 100)
    _bulk_needs(500, anna, torino, themes[0])
    small, small_size = _peak_memory(client, "/opendata/needs.csv")
    _bulk_needs(4500, anna, torino, themes[0])
    large, large_size = _peak_memory(client, "/opendata/needs.csv")
    assert large_size > 9 * small_size
    assert large < 2.5 * small, (small, large)
