"""Calls and organisations as open data: drafts and contacts never exported."""
from __future__ import annotations

import csv
import io
import json


def _rows(client, name: str) -> list[dict]:
    response = client.get(f"/opendata/{name}.csv")
    assert response.status_code == 200 and response.get_data().startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline=""), delimiter=";"))


def test_calls_export_published_calls_only(client, calls_orgs):
    rows = _rows(client, "calls")
    assert [int(r["id"]) for r in rows] == [calls_orgs["other"].id, calls_orgs["call"].id]
    row = rows[1]
    assert row["budget_euro"] == "250000,00" and row["programma"] == "PN-METRO-PLUS"
    assert len(row["data_pubblicazione"]) == 8 and row["data_esiti"] == ""
    text = client.get("/opendata/calls.json").get_data(as_text=True)
    assert "Zqxdraft" not in text and [r["id"] for r in json.loads(text)] == [int(r["id"]) for r in rows]


def test_organisations_export_without_contacts(client, calls_orgs):
    (row,) = _rows(client, "organisations")
    assert row["nome"] == "Il Ponte APS" and row["verificata"] == "0" and row["temi"] == "abitare"
    for fmt in ("csv", "json"):
        text = client.get(f"/opendata/organisations.{fmt}").get_data(as_text=True)
        assert "info@ilponte" not in text and "123 4567" not in text and "@" not in text
