"""Open-data files narrowed by the API's filters (anything else refused), and sent a few at a time so that
parallel downloads cannot hold every worker of the site."""
from __future__ import annotations

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


def test_when_every_slot_is_sending_a_download_is_answered_at_once_with_503(app, client, posts):  # noqa: F811
    app.config["OPENDATA_CONCURRENT_EXPORTS"] = 2
    taken = [slots.take(), slots.take()]  # two downloads in progress (another worker's, say)
    assert all(taken) and slots.take() is None
    try:
        busy = client.get("/opendata/needs.csv")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    finally:
        for slot in taken:
            slot.release()
    assert client.get("/opendata/needs.csv").status_code == 200


def test_a_download_gives_its_slot_back_even_when_cut_short(app, client, posts):  # noqa: F811
    app.config["OPENDATA_CONCURRENT_EXPORTS"] = 1
    response = client.get("/opendata/needs.csv", buffered=False)
    assert response.status_code == 200
    assert slots.take() is None  # the download in progress holds the only slot
    next(iter(response.response))
    response.close()  # the visitor went away
    slot = slots.take()
    assert slot is not None
    slot.release()
