"""Open-data files narrowed by the API's filters (anything else refused), and sent a few at a time so that
parallel downloads cannot hold every worker of the site."""
from __future__ import annotations

import gzip

import pytest

from civic.opendata import slots
from tests.opendata.test_opendata import posts  # noqa: F401 - fixture


def test_the_documented_filters_narrow_the_file(client, posts, palermo, anna, new_need):  # noqa: F811
    new_need(anna, palermo, title="Un bisogno di Palermo")
    everything = client.get("/opendata/needs.json").get_json()
    torino_only = client.get("/opendata/needs.json?city=torino").get_json()
    palermo_only = client.get("/opendata/needs.json?city=palermo").get_json()
    assert len(everything) == len(torino_only) + len(palermo_only) and palermo_only and torino_only
    assert all("Palermo" not in str(row) for row in torino_only)
    csv_palermo = client.get("/opendata/needs.csv?city=palermo")
    assert csv_palermo.status_code == 200 and "Un bisogno di Palermo" in csv_palermo.get_data(as_text=True)
    assert "Panchine rotte" not in csv_palermo.get_data(as_text=True)


@pytest.mark.parametrize("query", ["city=atlantide", "sort=votes", "city=torino&city=palermo", "city=",
                                   "status=lost", "programme=PN-METRO-PLUS"])
def test_what_a_file_cannot_honour_is_refused_with_400(client, posts, query):  # noqa: F811
    response = client.get(f"/opendata/needs.csv?{query}")
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_when_every_slot_is_building_a_download_is_answered_at_once_with_503(app, client, posts):  # noqa: F811
    app.config["OPENDATA_CONCURRENT_EXPORTS"] = 2
    taken = [slots.take(), slots.take()]  # two files being built (by another worker, say)
    assert all(taken) and slots.take() is None
    try:
        busy = client.get("/opendata/needs.csv")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    finally:
        for slot in taken:
            slot.release()
    assert client.get("/opendata/needs.csv").status_code == 200


@pytest.fixture
def versioned(app):
    """The content version's rows, as the migration creates them: files are kept for a version."""
    from civic.core import content_version
    from civic.extensions import db

    content_version.create_rows()
    db.session.commit()


def test_a_file_is_built_once_for_the_content_and_then_sent_from_disk(app, client, posts, versioned, hide,  # noqa: F811
                                                                     mod_torino, count_queries):
    first = client.get("/opendata/needs.csv")
    assert first.status_code == 200 and "Panchine rotte" in first.get_data(as_text=True)
    with count_queries() as counter:
        again = client.get("/opendata/needs.csv")
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert not [s for s in counter.statements if "FROM post" in s]  # nothing read again but the version
    assert again.headers["Last-Modified"] and again.headers["Accept-Ranges"] == "bytes"
    # A client that has it gets 304; a part of it, 206; compressed when asked.
    assert client.get("/opendata/needs.csv", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    part = client.get("/opendata/needs.csv", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.get_data() == first.get_data()[:10]
    packed = client.get("/opendata/needs.csv", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed.get_data()) == first.get_data()
    assert "Accept-Encoding" in packed.headers["Vary"]
    # Hidden: the next download is built again, without it.
    hide(mod_torino, posts["need"], "Dati personali")
    after = client.get("/opendata/needs.csv")
    assert "Panchine rotte" not in after.get_data(as_text=True) and after.headers["ETag"] != first.headers["ETag"]


def test_the_worker_round_builds_the_files_ahead(app, client, posts, versioned):  # noqa: F811
    from pathlib import Path

    from civic.core import signals

    signals.background_round.send(None)
    built = {p.name for p in (Path(app.instance_path) / "opendata").iterdir()}
    assert {"needs.csv", "needs.csv.gz", "ideas.json", "projects.csv"} <= built
