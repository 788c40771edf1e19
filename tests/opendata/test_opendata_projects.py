"""The funded projects dataset: OpenCoesione column names, Italian formats, indicators 1-4, the hidden idea
absent, streamed in batches with the indicators read per batch."""
from __future__ import annotations

import json
import re

from sqlalchemy import event

from civic.opendata.datasets import DATASETS
from tests.opendata.test_opendata import _csv

# /work/shared/domain/REFERENCE.md, "Open data: OpenCoesione project columns (verified names)".
OPENCOESIONE = {
    "COD_LOCALE_PROGETTO", "CUP", "OC_TITOLO_PROGETTO", "OC_SINTESI_PROGETTO", "OC_TEMA_SINTETICO",
    "OC_CODICE_PROGRAMMA", "OC_DESCRIZIONE_PROGRAMMA", "OC_COD_ARTICOLAZ_PROGRAMMA", "OC_DESCR_ARTICOLAZ_PROGRAMMA",
    "FONDO_COMUNITARIO", "DEN_REGIONE", "DEN_COMUNE", "FINANZ_UE", "FINANZ_TOTALE_PUBBLICO", "IMPEGNI",
    "TOT_PAGAMENTI", "OC_DATA_INIZIO_PROGETTO", "OC_DATA_FINE_PROGETTO_PREVISTA", "OC_DATA_FINE_PROGETTO_EFFETTIVA",
    "OC_STATO_PROGETTO", "OC_DENOM_BENEFICIARIO", "OC_CODFISC_BENEFICIARIO", "OC_DENOM_ATTUATORE",
    *(f"{p}_{n}" for n in range(1, 5) for p in ("COD_INDICATORE", "DESCR_INDICATORE", "UNITA_MISURA_INDICATORE",
                                                  "PROGRAMMATO_INDICATORE", "REALIZZATO_INDICATORE")),
}


def test_columns_are_opencoesione_names_or_marked_as_the_platforms():
    columns = DATASETS["projects"].columns
    for column in columns:
        assert column.opencoesione is (column.name in OPENCOESIONE), column.name
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", column.name), column.name
    names = [c.name for c in columns]
    assert names[:8] == ["ID_PROGETTO", "COD_LOCALE_PROGETTO", "CUP", "OC_TITOLO_PROGETTO", "OC_SINTESI_PROGETTO",
                         "OC_CODICE_PROGRAMMA", "OC_DESCRIZIONE_PROGRAMMA", "OC_COD_ARTICOLAZ_PROGRAMMA"]
    assert {"FINANZ_TOTALE_PUBBLICO", "IMPEGNI", "TOT_PAGAMENTI", "OC_STATO_PROGETTO", "OC_DENOM_BENEFICIARIO",
            "OC_DENOM_ATTUATORE", "REALIZZATO_INDICATORE_4"} <= set(names)
    assert "COD_INDICATORE_5" not in names


def test_the_dictionary_shows_the_projects_columns(client):
    page = client.get("/opendata").get_data(as_text=True)
    assert 'href="/opendata/projects.csv"' in page and 'href="/opendata/projects.json"' in page
    assert "<code>OC_DATA_FINE_PROGETTO_EFFETTIVA</code>" in page and "<code>QUARTIERI</code>" in page
    assert "OpenCoesione" in page


def test_csv_rows_follow_italian_and_opencoesione_conventions(client, projects):
    response, rows = _csv(client, "projects")
    assert response.mimetype == "text/csv"
    assert list(rows[0]) == [c.name for c in DATASETS["projects"].columns]
    by_id = {int(r["ID_PROGETTO"]): r for r in rows}
    assert set(by_id) == {projects[k].id for k in ("main", "other", "from_idea")}
    main = by_id[projects["main"].id]
    assert main["CUP"] == "D11B16000230007" and main["COD_LOCALE_PROGETTO"] == "TO4.4.11.1.B"
    assert main["OC_TITOLO_PROGETTO"] == "Agenzia sociale per la casa"
    assert (main["OC_CODICE_PROGRAMMA"], main["OC_COD_ARTICOLAZ_PROGRAMMA"], main["FONDO_COMUNITARIO"]) == (
        "PN-METRO-PLUS", "4", "FSE+")
    assert (main["DEN_REGIONE"], main["DEN_COMUNE"], main["QUARTIERI"]) == ("Piemonte", "Torino", "Aurora")
    assert (main["FINANZ_TOTALE_PUBBLICO"], main["FINANZ_UE"], main["IMPEGNI"], main["TOT_PAGAMENTI"]) == (
        "100000,00", "80000,00", "60000,00", "25000,50")
    assert (main["OC_DATA_INIZIO_PROGETTO"], main["OC_DATA_FINE_PROGETTO_PREVISTA"],
            main["OC_DATA_FINE_PROGETTO_EFFETTIVA"]) == ("20240115", "20261231", "")
    assert main["OC_STATO_PROGETTO"] == "In corso" and main["AVANZAMENTO_PERCENTUALE"] == "40"
    assert main["OC_DENOM_BENEFICIARIO"] == "Comune di Torino"
    assert (main["OC_DENOM_ATTUATORE"], main["RUOLI_ATTUATORI"]) == ("Il Ponte APS", "lead")
    assert [main[f"{p}_1"] for p in ("COD_INDICATORE", "DESCR_INDICATORE", "UNITA_MISURA_INDICATORE",
                                     "PROGRAMMATO_INDICATORE", "REALIZZATO_INDICATORE")] == [
        "EECO16", "Persone senza dimora", "persone", "120,00", "45,00"]
    assert (main["COD_INDICATORE_2"], main["PROGRAMMATO_INDICATORE_2"]) == ("CO40", "12,50")
    assert main["COD_INDICATORE_3"] == main["REALIZZATO_INDICATORE_4"] == ""
    other = by_id[projects["other"].id]
    assert other["OC_STATO_PROGETTO"] == "Concluso" and other["OC_DATA_FINE_PROGETTO_EFFETTIVA"] == "20240131"
    assert other["OC_CODICE_PROGRAMMA"] == "" and other["CUP"] == "" and other["FINANZ_TOTALE_PUBBLICO"] == "5000,00"
    assert by_id[projects["from_idea"].id]["OC_STATO_PROGETTO"] == "Non avviato"


def test_json_has_the_same_records(client, projects):
    records = json.loads(client.get("/opendata/projects.json").get_data(as_text=True))
    main = next(r for r in records if r["ID_PROGETTO"] == projects["main"].id)
    assert main["OC_DATA_INIZIO_PROGETTO"] == "2024-01-15" and main["IMPEGNI"] == "60000.00"


def test_the_hidden_idea_is_absent_but_its_project_stays(client, projects):
    for fmt in ("csv", "json"):
        text = client.get(f"/opendata/projects.{fmt}").get_data(as_text=True)
        assert "Zqxorti" not in text and "Zqxsintesi" not in text and "orti-condivisi" not in text, fmt
        assert str(projects["from_idea"].id) in text


def test_streamed_with_yield_per_and_indicators_read_per_batch(app, client, projects, monkeypatch):
    """yield_per, and a fixed number of statements per batch: the indicators (and the other collections) are
    read with one selectinload per batch, never one query per project."""
    from civic.extensions import db

    monkeypatch.setattr("civic.opendata.datasets.BATCH", 2)
    statements = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        response = client.get("/opendata/projects.csv", buffered=False)
        assert response.is_streamed
        body = b"".join(response.response)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert body.count(b"\r\n") == 4  # header and three projects
    indicator_reads = [s for s in statements if "FROM project_indicator" in s]
    assert len(indicator_reads) == 2  # two batches (2 + 1 projects), one read each
