"""Calls, organisations and co-design processes in the API: drafts, contacts and processes of hidden posts never
appear; filters; schemas."""
from __future__ import annotations

import pytest

from civic.calls import services as call_services
from civic.extensions import db
from civic.orgs import services as org_services
from tests.api.conftest import valid_cf
from tests.api.test_openapi import _check, _doc
from tests.calls.conftest import call_data
from tests.orgs.conftest import org_data


def test_draft_calls_never_appear(api, calls_orgs):
    status, body = api("/api/v1/calls")
    assert status == 200
    assert [c["id"] for c in body["data"]] == [calls_orgs["other"].id, calls_orgs["call"].id]
    assert api(f"/api/v1/calls/{calls_orgs['draft'].id}")[0] == 404
    call = api(f"/api/v1/calls/{calls_orgs['call'].id}")[1]
    assert call["budget_eur"] == "250000.00" and call["programme"]["code"] == "PN-METRO-PLUS"
    assert call["url"].startswith(f"http://civic.test/calls/{calls_orgs['call'].id}-")


@pytest.mark.parametrize(("query", "expected"), [
    ({"city": "torino"}, {"call"}), ({"city": "palermo"}, {"other"}), ({"theme": "lavoro"}, {"other"}),
    ({"theme": "abitare", "city": "palermo"}, set()),
])
def test_call_filters(api, calls_orgs, query, expected):
    assert {c["id"] for c in api("/api/v1/calls", **query)[1]["data"]} == {calls_orgs[k].id for k in expected}


def test_organisations_without_contacts(client, api, calls_orgs):
    org = calls_orgs["org"]
    status, body = api("/api/v1/organisations", city="torino", theme="abitare")
    assert status == 200 and [o["id"] for o in body["data"]] == [org.id]
    item = api(f"/api/v1/organisations/{org.id}")[1]
    assert item["name"] == "Il Ponte APS" and item["verified"] is False
    assert item["url"].startswith(f"http://civic.test/organisations/{org.id}-")
    for url in ("/api/v1/organisations", f"/api/v1/organisations/{org.id}", "/api/v1/calls"):
        text = client.get(url).get_data(as_text=True)
        assert "@" not in text and "123 4567" not in text and "Zqxdraft" not in text, url
    assert api("/api/v1/organisations", status="published")[0] == 400  # no status filter here
    assert api("/api/v1/organisations/999999")[0] == 404


def test_calls_and_organisations_match_the_document(client, calls_orgs):
    doc = _doc(client)
    for plural, row in (("calls", calls_orgs["call"]), ("organisations", calls_orgs["org"])):
        for params in ({}, {"limit": 1}, {"city": "torino"}):
            response = client.get(f"/api/v1/{plural}", query_string=params)
            _check(doc, f"/{plural}", response.status_code, response.get_json())
        for bad in ({"limit": 0}, {"theme": "nessuno"}, {"neighbourhood": "aurora"}):
            response = client.get(f"/api/v1/{plural}", query_string=bad)
            _check(doc, f"/{plural}", 400, response.get_json())
        _check(doc, f"/{plural}/{{item_id}}", 200, client.get(f"/api/v1/{plural}/{row.id}").get_json())
        _check(doc, f"/{plural}/{{item_id}}", 404, client.get(f"/api/v1/{plural}/999999").get_json())


@pytest.mark.parametrize("plural", ["calls", "organisations"])
def test_query_count_is_constant(client, count_queries, calls_orgs, plural):
    def counted() -> int:
        with count_queries() as counter:
            assert client.get(f"/api/v1/{plural}").status_code == 200
        return counter.count

    few = counted()
    call, org = calls_orgs["call"], calls_orgs["org"]
    if plural == "calls":
        for i in range(6):
            moderator = db.session.get(type(call.created_by), call.created_by_id)
            extra = call_services.create_call(moderator, call.city, call_data(
                call.programme, {"ESO4.8": call.objective}, call.themes, title=f"Avviso {i}"))
            call_services.publish_call(moderator, extra)
    else:
        anna = org.created_by
        for i in range(6):
            org_services.register_organisation(anna, org_data(call.city, call.themes, name=f"Rete {i}",
                                                              codice_fiscale=valid_cf(8000000000 + i)))
    db.session.commit()
    assert counted() == few


@pytest.fixture
def process(mod_torino, anna, torino, new_need):
    from civic.codesign import services as codesign_services

    need = new_need(anna, torino, title="Strade dissestate")
    row = codesign_services.open_process(mod_torino, torino, codesign_services.OpeningData(
        title="Percorso per le strade", summary="Con gli enti del quartiere.", need_id=need.id))
    db.session.commit()
    return row


def test_codesign_processes_disappear_when_their_origin_is_hidden(client, api, process, hide, mod_torino):
    status, body = api("/api/v1/codesign", city="torino", status="open")
    assert status == 200 and [p["id"] for p in body["data"]] == [process.id]
    item = api(f"/api/v1/codesign/{process.id}")[1]
    assert item["need_id"] == process.need_id and item["url"].startswith(f"http://civic.test/codesign/{process.id}-")
    doc = _doc(client)
    _check(doc, "/codesign", 200, body)
    _check(doc, "/codesign/{item_id}", 200, item)
    _check(doc, "/codesign", 400, api("/api/v1/codesign", status="published")[1])
    assert "Percorso per le strade" in client.get("/opendata/codesign.csv").get_data(as_text=True)
    hide(mod_torino, process.need, "Dati personali")
    assert api("/api/v1/codesign")[1]["data"] == []
    assert api(f"/api/v1/codesign/{process.id}")[0] == 404
    _check(doc, "/codesign/{item_id}", 404, api(f"/api/v1/codesign/{process.id}")[1])
    for fmt in ("csv", "json"):
        assert "Percorso per le strade" not in client.get(f"/opendata/codesign.{fmt}").get_data(as_text=True)
