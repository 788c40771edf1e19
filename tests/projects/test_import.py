"""Import of funded projects from CSV (OpenCoesione columns): a valid file, the same file twice, bad rows
(nothing written, every error with its line), Italian and English separators, an export imported again,
encodings, file-level refusals, warnings, and the page (permissions, CSRF, check only, sizes, conflicts)."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.extensions import db
from civic.opendata.project_import_views import FORM_OVERHEAD
from civic.orgs import services as org_services
from civic.projects import importer, services
from civic.projects.models import Commitment, FundedProject, Indicator, Payment, ProjectPartner
from tests.conftest import table_counts
from tests.orgs.conftest import CF_A, CF_B, org_data
from tests.posts.helpers import english
from tests.projects.conftest import ADMIN, MODERATOR, OTHER_MODERATOR, RESIDENT, money, user

TODAY = date(2026, 11, 27)
CUP_A, CUP_B = "C11H22000140007", "D71B16000420006"

BASE = {
    "COD_LOCALE_PROGETTO": "TO4.4.11.1.b", "CUP": CUP_A, "OC_TITOLO_PROGETTO": "L'essenziale è casa",
    "OC_SINTESI_PROGETTO": "Accompagnamento all'abitare per persone in **disagio abitativo**.",
    "OC_CODICE_PROGRAMMA": "PN-METRO-PLUS", "OC_COD_ARTICOLAZ_PROGRAMMA": "7", "OC_TEMA_SINTETICO": "Abitare",
    "OBIETTIVO_SPECIFICO": "ESO4.11", "AZIONE": "4.4.11.1 Servizi per l'abitare", "DEN_COMUNE": "Torino",
    "QUARTIERI": "Aurora:::Vanchiglia", "FINANZ_UE": "580.000,00", "FINANZ_TOTALE_PUBBLICO": "1.450.000,00",
    "IMPEGNI": "900.000,00", "TOT_PAGAMENTI": "180.000,50", "OC_DATA_INIZIO_PROGETTO": "20240201",
    "OC_DATA_FINE_PROGETTO_PREVISTA": "20280630", "OC_DATA_FINE_PROGETTO_EFFETTIVA": "",
    "OC_STATO_PROGETTO": "In corso", "OC_DENOM_BENEFICIARIO": "Comune di Torino",
    "OC_CODFISC_BENEFICIARIO": "00514490010",
    "COD_INDICATORE_1": "EECO16", "DESCR_INDICATORE_1": "Persone in esclusione abitativa prese in carico",
    "UNITA_MISURA_INDICATORE_1": "persone", "PROGRAMMATO_INDICATORE_1": "180", "REALIZZATO_INDICATORE_1": "74",
    "COD_INDICATORE_2": "CO40", "DESCR_INDICATORE_2": "Alloggi recuperati", "UNITA_MISURA_INDICATORE_2": "alloggi",
    "PROGRAMMATO_INDICATORE_2": "32", "REALIZZATO_INDICATORE_2": "12",
}
SECOND = {
    **BASE, "COD_LOCALE_PROGETTO": "TO4.4.8.1.a", "CUP": CUP_B, "OC_TITOLO_PROGETTO": "Lavoro al centro",
    "OC_SINTESI_PROGETTO": "Tirocini e borse lavoro.", "OC_TEMA_SINTETICO": "lavoro", "OBIETTIVO_SPECIFICO": "ESO4.8",
    "QUARTIERI": "", "FINANZ_UE": "100,000.00", "FINANZ_TOTALE_PUBBLICO": "250,000.00", "IMPEGNI": "",
    "TOT_PAGAMENTI": "", "OC_STATO_PROGETTO": "non avviato", "COD_INDICATORE_1": "", "DESCR_INDICATORE_1": "",
    "UNITA_MISURA_INDICATORE_1": "", "PROGRAMMATO_INDICATORE_1": "", "REALIZZATO_INDICATORE_1": "",
    "COD_INDICATORE_2": "", "DESCR_INDICATORE_2": "", "UNITA_MISURA_INDICATORE_2": "", "PROGRAMMATO_INDICATORE_2": "",
    "REALIZZATO_INDICATORE_2": "",
}


def csv_file(*rows: dict, sep: str = ";", encoding: str = "utf-8-sig", columns=None) -> bytes:
    columns = columns or list(BASE)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode(encoding)


def run(data: bytes, who: str = MODERATOR, **options) -> importer.ImportReport:
    with force_locale("en"):
        report = importer.import_file(user(who), data, today=TODAY, **options)
    if report.ok and not options.get("dry_run"):
        importer.commit()
    return report


def project_by_cup(cup: str) -> FundedProject:
    return db.session.scalar(select(FundedProject).where(FundedProject.cup == cup))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setup(people, torino, palermo, programme, objectives, themes):
    return torino


# --- a valid file -------------------------------------------------------------------------------

def test_a_valid_file_creates_the_projects_with_their_money_indicators_and_figures(setup, objectives, themes):
    report = run(csv_file(BASE, SECOND))
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    project = project_by_cup(CUP_A)
    assert project.title == "L'essenziale è casa" and project.local_code == "TO4.4.11.1.B"
    assert project.programme.code == "PN-METRO-PLUS" and project.priority.code == "7"
    assert project.objective.code == "ESO4.11" and project.theme.slug == "abitare"
    assert [n.name for n in project.neighbourhoods] == ["Aurora", "Vanchiglia"]
    assert project.status == "in_progress" and project.starts_on == date(2024, 2, 1)
    assert project.planned_end_on == date(2028, 6, 30) and project.ended_on is None
    assert (project.funding_total, project.eu_share) == (Decimal("1450000.00"), Decimal("580000.00"))
    assert (project.committed_total, project.paid_total) == (Decimal("900000.00"), Decimal("180000.50"))
    assert project.beneficiary_tax_code == "00514490010" and project.summary_html.startswith("<p>")
    [commitment] = project.commitments
    assert (commitment.amount, commitment.made_on) == (Decimal("900000.00"), TODAY)
    assert commitment.description == importer.COMMITMENT_DESCRIPTION
    [payment] = project.payments
    assert payment.amount == Decimal("180000.50") and payment.made_on == TODAY
    assert {(i.code, i.target, i.achieved) for i in project.indicators} == {
        ("EECO16", Decimal("180.00"), Decimal("74.00")), ("CO40", Decimal("32.00"), Decimal("12.00"))}
    assert (project.people_reached, project.housing_units) == (74, 12)
    second = project_by_cup(CUP_B)
    assert second.status == "not_started" and second.theme.slug == "lavoro"
    assert (second.funding_total, second.eu_share) == (Decimal("250000.00"), Decimal("100000.00"))
    assert second.committed_total == 0 and second.commitments == [] and second.indicators == []
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "project.import")).all()
    assert "2 created, 0 updated, 0 unchanged" in event.summary and event.actor_id == user(MODERATOR).id


def test_the_same_file_twice_changes_nothing_the_second_time(setup):
    data = csv_file(BASE, SECOND)
    assert run(data).created == 2
    before = table_counts()
    report = run(data)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert table_counts() == before
    assert count(FundedProject) == 2 and count(Commitment) == 1 and count(Payment) == 1


def test_a_changed_file_updates_and_adds_the_difference_of_money(setup):
    run(csv_file(BASE, SECOND))
    changed = {**BASE, "OC_TITOLO_PROGETTO": "L'essenziale è casa (secondo lotto)", "IMPEGNI": "1.250.000,00",
               "TOT_PAGAMENTI": "425.500,50", "REALIZZATO_INDICATORE_2": "20", "OC_STATO_PROGETTO": "Concluso",
               "OC_DATA_FINE_PROGETTO_EFFETTIVA": "2026-06-30"}
    report = run(csv_file(changed, SECOND))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1), report.errors
    project = project_by_cup(CUP_A)
    assert project.title.endswith("(secondo lotto)") and project.status == "completed"
    assert project.ended_on == date(2026, 6, 30)
    assert [c.amount for c in project.commitments] == [Decimal("900000.00"), Decimal("350000.00")]
    assert [p.amount for p in project.payments] == [Decimal("180000.50"), Decimal("245500.00")]
    assert project.housing_units == 20 and count(FundedProject) == 2
    assert run(csv_file(changed, SECOND)).unchanged == 2


def test_an_existing_project_is_matched_by_local_code_and_gets_its_cup(setup, programme, torino):
    services.create_project(user(MODERATOR), torino, services.ProjectData(
        title="Essenziale", summary="Una sintesi.", local_code="TO4.4.11.1.b", programme_id=programme.id))
    db.session.commit()
    report = run(csv_file(BASE))
    assert report.updated == 1 and count(FundedProject) == 1
    assert project_by_cup(CUP_A).title == "L'essenziale è casa"


def test_empty_cells_leave_the_values_as_they_are(setup):
    run(csv_file(BASE))
    sparse = {"CUP": CUP_A, "OC_TITOLO_PROGETTO": BASE["OC_TITOLO_PROGETTO"], "DEN_COMUNE": "TORINO"}
    report = run(csv_file(sparse))
    assert report.unchanged == 1, report.errors
    project = project_by_cup(CUP_A)
    assert project.funding_total == Decimal("1450000.00") and len(project.neighbourhoods) == 2


# --- amounts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("funding, eu, committed", [
    ("1.450.000,00", "580.000,00", "900.000,5"),
    ("1,450,000.00", "580,000.00", "900,000.50"),
    ("1450000.00", "580000", "900000,50"),
    ("€ 1 450 000,00", "580.000", "900000.50"),
])
def test_amounts_with_italian_and_english_separators(setup, funding, eu, committed):
    if eu == "580.000":  # ambiguous: thousands or decimals? refused, with its line
        report = run(csv_file({**BASE, "FINANZ_UE": eu}))
        assert [(e.line, e.column) for e in report.errors] == [(2, "FINANZ_UE")]
        assert "ambiguous" in report.errors[0].message
        return
    report = run(csv_file({**BASE, "FINANZ_TOTALE_PUBBLICO": funding, "FINANZ_UE": eu, "IMPEGNI": committed}))
    assert report.errors == []
    project = project_by_cup(CUP_A)
    assert (project.funding_total, project.eu_share, project.committed_total) == (
        Decimal("1450000.00"), Decimal("580000.00"), Decimal("900000.50"))


# --- bad rows: nothing written ------------------------------------------------------------------

def test_a_file_with_bad_rows_writes_nothing_and_lists_every_error(setup):
    rows = [
        {**SECOND},                                                                     # line 2: valid
        {**BASE, "CUP": "C11H2200014000"},                                              # 3: bad CUP
        {**BASE, "CUP": "", "COD_LOCALE_PROGETTO": "X1", "FINANZ_TOTALE_PUBBLICO": "1.000,555"},  # 4: 3 decimals
        {**BASE, "CUP": "F31E16000320007", "COD_LOCALE_PROGETTO": "X2", "FINANZ_UE": "-5"},  # 5: negative
        {**BASE, "CUP": "F31E16000320008", "COD_LOCALE_PROGETTO": "X3", "DEN_COMUNE": "Atlantide"},  # 6: city
        {**BASE, "CUP": "F31E16000320009", "COD_LOCALE_PROGETTO": "X4", "OC_DATA_INIZIO_PROGETTO": "20241345"},  # 7
        {**BASE, "CUP": "F31E16000320010", "COD_LOCALE_PROGETTO": "X5", "IMPEGNI": "100,00",
         "TOT_PAGAMENTI": "200,00"},                                                    # 8: payments > commitments
        {**SECOND, "COD_LOCALE_PROGETTO": "X6", "OC_SINTESI_PROGETTO": "Due\nrighe"},   # 9-10: CUP of line 2
        {**BASE, "CUP": "F31E16000320011", "COD_LOCALE_PROGETTO": "X7", "OC_STATO_PROGETTO": "Sospeso"},  # 11
        {**BASE, "CUP": "F31E16000320012", "COD_LOCALE_PROGETTO": "X8", "IMPEGNI": "2.000.000,00"},  # 12: > funding
        {**BASE, "CUP": "", "COD_LOCALE_PROGETTO": "", "OC_TITOLO_PROGETTO": ""},       # 13: no title, no code
        {**BASE, "CUP": "F31E16000320013", "COD_LOCALE_PROGETTO": "X9", "COD_INDICATORE_2": "eeco16"},  # 14
        {**BASE, "CUP": "F31E16000320014", "COD_LOCALE_PROGETTO": "X10", "PROGRAMMATO_INDICATORE_1": "dieci"},  # 15
        {**BASE, "CUP": "F31E16000320015", "COD_LOCALE_PROGETTO": "X11", "OC_CODFISC_BENEFICIARIO": "123"},  # 16
    ]
    before = table_counts()
    report = run(csv_file(*rows))
    assert table_counts() == before
    found = [(e.line, e.column) for e in report.errors]
    assert found == [(3, "CUP"), (4, "FINANZ_TOTALE_PUBBLICO"), (5, "FINANZ_UE"), (6, "DEN_COMUNE"),
                     (7, "OC_DATA_INIZIO_PROGETTO"), (8, "TOT_PAGAMENTI"), (9, "CUP"), (11, "OC_STATO_PROGETTO"),
                     (12, "IMPEGNI"), (13, "OC_TITOLO_PROGETTO"), (13, "CUP"), (14, "COD_INDICATORE_2"),
                     (15, "PROGRAMMATO_INDICATORE_1"), (16, "OC_CODFISC_BENEFICIARIO")]
    messages = {e.line: e.message for e in report.errors}
    assert "15 characters" in messages[3] and "at most two decimals" in messages[4]
    assert "without a sign" in messages[5] and "Atlantide" in messages[6] and "YYYYMMDD" in messages[7]
    assert "exceed the commitments" in messages[8] and "also on line 2" in messages[9]
    assert "Non avviato" in messages[11] and "exceed the public funding" in messages[12]
    assert report.created == 1  # what would have been created: nothing was kept
    assert count(FundedProject) == 0 and count(AuditEvent) == before["audit_event"]


def test_lower_money_than_recorded_is_an_error_on_its_column(setup):
    run(csv_file(BASE))
    report = run(csv_file({**BASE, "IMPEGNI": "800.000,00", "TOT_PAGAMENTI": "100,00"}))
    assert [(e.line, e.column) for e in report.errors] == [(2, "IMPEGNI")]
    assert "correct the commitments on the project's page" in report.errors[0].message


def test_a_cup_and_a_local_code_of_two_different_projects_are_an_error(setup):
    run(csv_file(BASE, SECOND))
    before = table_counts()
    report = run(csv_file({**BASE, "COD_LOCALE_PROGETTO": SECOND["COD_LOCALE_PROGETTO"]}))
    assert [(e.line, e.column) for e in report.errors] == [(2, "COD_LOCALE_PROGETTO")]
    assert "Lavoro al centro" in report.errors[0].message and table_counts() == before


def test_a_duplicate_local_code_names_the_other_line(setup):
    report = run(csv_file({**BASE, "CUP": ""}, {**SECOND, "CUP": "", "COD_LOCALE_PROGETTO": "to4.4.11.1.B"}))
    assert [(e.line, e.column) for e in report.errors] == [(3, "COD_LOCALE_PROGETTO")]
    assert "also on line 2" in report.errors[0].message


def test_a_moderator_of_another_city_gets_row_errors(setup):
    before = table_counts()
    report = run(csv_file(BASE, {**SECOND, "DEN_COMUNE": "Palermo"}), who=OTHER_MODERATOR)
    assert [(e.line, e.column) for e in report.errors] == [(2, "DEN_COMUNE")]
    assert "You do not moderate Torino" in report.errors[0].message
    assert table_counts() == before


def test_an_admin_imports_for_every_city(setup):
    report = run(csv_file(BASE, {**SECOND, "DEN_COMUNE": "", "CITTA": "palermo"},
                          columns=[*BASE, "CITTA"]), who=ADMIN)
    assert report.created == 2 and project_by_cup(CUP_B).city.slug == "palermo"


# --- warnings -----------------------------------------------------------------------------------

def test_unknown_theme_neighbourhood_and_organisations_are_warnings(setup, torino, anna, themes):
    org_services.register_organisation(anna, org_data(torino, name="Il Ponte APS", codice_fiscale=CF_A))
    org_services.register_organisation(anna, org_data(torino, name="Casa Comune ETS", codice_fiscale=CF_B))
    db.session.commit()
    row = {**BASE, "OC_TEMA_SINTETICO": "Inclusione sociale", "QUARTIERI": "Aurora:::Atlantide",
           "OC_DENOM_ATTUATORE": "IL PONTE APS:::Casa Comune ETS:::Sconosciuta srl",
           "RUOLI_ATTUATORI": "partner:::lead:::partner"}
    report = run(csv_file(row, columns=[*BASE, "OC_DENOM_ATTUATORE", "RUOLI_ATTUATORI"]))
    assert report.errors == [] and report.created == 1
    assert [(w.line, w.column) for w in report.warnings] == [
        (2, "OC_TEMA_SINTETICO"), (2, "QUARTIERI"), (2, "OC_DENOM_ATTUATORE")]
    project = project_by_cup(CUP_A)
    assert project.theme is None and [n.name for n in project.neighbourhoods] == ["Aurora"]
    assert {(p.organisation.name, p.role) for p in project.partners} == {("Il Ponte APS", "partner"),
                                                                         ("Casa Comune ETS", "lead")}
    again = run(csv_file(row, columns=[*BASE, "OC_DENOM_ATTUATORE", "RUOLI_ATTUATORI"]))
    assert again.unchanged == 1 and count(ProjectPartner) == 2


# --- an export imported again -------------------------------------------------------------------

def test_the_open_data_export_imported_again_changes_nothing(setup, client, torino, programme, objectives, themes):
    moderator = user(MODERATOR)
    project = services.create_project(moderator, torino, services.ProjectData(
        title="Agenzia sociale per la casa", summary="- Un elenco\n- in Markdown", cup=CUP_A,
        local_code="TO3.1.1.A", programme_id=programme.id, priority_id=programme.priorities[0].id,
        objective_id=objectives["ESO4.8"].id, theme_id=themes[0].id, action="3.1.1",
        neighbourhood_ids=[n.id for n in torino.neighbourhoods], status="completed", starts_on=date(2020, 1, 1),
        planned_end_on=date(2022, 1, 1), ended_on=date(2022, 6, 30), funding_total="100.000,00",
        eu_share="80.000,00", beneficiary_tax_code="00514490010"))
    services.add_commitment(moderator, project, money("60.000,00"))
    services.add_payment(moderator, project, money("25.000,55"))
    services.save_indicator(moderator, project, services.IndicatorData("EECO16", "Persone prese in carico",
                                                                       "persone", "120", "80,5", 40, 30))
    services.create_project(moderator, torino, services.ProjectData(title="Senza codici", summary="Nuovo."))
    db.session.commit()
    exported = client.get("/opendata/projects.csv").get_data()
    before = table_counts()
    report = run(exported)
    # The project without CUP nor local code is recognised by its id and address on this site.
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 2, [])
    assert table_counts() == before
    indicator = db.session.scalar(select(Indicator))
    assert (indicator.women, indicator.men) == (40, 30)


def test_a_row_without_codes_matches_only_a_project_of_this_site_without_codes(setup, torino):
    made = services.create_project(user(MODERATOR), torino, services.ProjectData(title="Senza codici",
                                                                                 summary="Nuovo."))
    db.session.commit()
    columns = ["ID_PROGETTO", "CUP", "OC_TITOLO_PROGETTO", "DEN_COMUNE", "URL", "OC_SINTESI_PROGETTO"]
    row = {"ID_PROGETTO": str(made.id), "OC_TITOLO_PROGETTO": "Senza codici", "DEN_COMUNE": "Torino",
           "URL": f"http://civic.test/projects/{made.id}-senza-codici", "OC_SINTESI_PROGETTO": "Aggiornata."}
    report = run(csv_file(row, columns=columns))
    assert report.updated == 1 and db.session.get(FundedProject, made.id).summary_markdown == "Aggiornata."
    for wrong in ({"URL": "http://altro.example/ideas/3"}, {"ID_PROGETTO": "999"}, {"URL": ""}):
        report = run(csv_file({**row, **wrong}, columns=columns))
        assert [(e.line, e.column) for e in report.errors] == [(2, "CUP")]
    report = run(csv_file(row, row, columns=columns))
    assert [(e.line, e.column) for e in report.errors] == [(3, "ID_PROGETTO")]


def test_the_export_of_a_project_whose_idea_was_hidden_imports_as_unchanged(setup, client, anna, torino, new_idea):
    from civic.moderation import services as moderation
    from tests.projects.test_services import fund

    mod = user(MODERATOR)
    idea = new_idea(anna, torino, title="Zqxsegreto del quartiere", summary="Zqxsommario nascosto e lungo")
    fund(mod, idea)
    moderation.hide(mod, idea, "Dati personali")
    db.session.commit()
    exported = client.get("/opendata/projects.csv").get_data()
    assert b"Zqxsegreto" not in exported
    before = table_counts()
    report = run(exported)
    assert (report.unchanged, report.errors) == (1, []) and table_counts() == before
    assert services.project_for_idea(idea).title == "Zqxsegreto del quartiere"


def test_the_sample_file_is_served_and_imports(client, reference_data, make_user):
    make_user("admin", email=ADMIN)
    response = client.get("/projects/import/sample.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    report = run(response.get_data(), who=ADMIN)
    assert report.errors == [] and report.created >= 3
    assert run(response.get_data(), who=ADMIN).unchanged == report.created


# --- encodings and file-level refusals ----------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(setup, encoding):
    report = run(csv_file(BASE, encoding=encoding))
    assert report.errors == [] and project_by_cup(CUP_A).title == "L'essenziale è casa"


def test_a_comma_separated_file_with_lower_case_headers(setup):
    data = csv_file({**BASE, "FINANZ_TOTALE_PUBBLICO": "1450000.00", "FINANZ_UE": "580000.00", "IMPEGNI": "",
                     "TOT_PAGAMENTI": ""}, sep=",")
    header, rest = data.split(b"\r\n", 1)
    report = run(header.lower().replace(b",", b" , ") + b"\r\n" + rest)
    assert report.errors == [] and project_by_cup(CUP_A).funding_total == Decimal("1450000.00")


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"  \r\n", "The file is empty."),
    (b"TITOLO;COMUNE\r\nA;B\r\n", "Missing: OC_TITOLO_PROGETTO, DEN_COMUNE / CITTA, CUP / COD_LOCALE_PROGETTO"),
    (bytes(range(256)) * 20, "This is not a CSV file"),
    (b"PK\x03\x04" + b"\x00" * 100, "This is a spreadsheet, not a CSV file"),
])
def test_unreadable_files_give_one_clear_error(setup, data, message):
    report = run(data)
    assert len(report.errors) == 1 and message in report.errors[0].message


def test_a_line_with_more_values_than_columns_is_an_error(setup):
    data = csv_file(BASE) + b"a;b;c;" + b";" * len(BASE) + b"troppo\r\n"
    report = run(data)
    assert [(e.line, e.column) for e in report.errors] == [(3, "")]
    assert "more values than the header" in report.errors[0].message and count(FundedProject) == 0


def test_a_cp1252_file_with_undefined_bytes_does_not_crash(setup):
    data = csv_file({**BASE, "OC_SINTESI_PROGETTO": "Perché sì"}, encoding="cp1252").replace(b"Perch", b"\x81Perch")
    report = run(data)
    assert report.errors == [] and project_by_cup(CUP_A).summary_markdown.endswith("Perché sì")


def test_the_programme_may_be_named_by_its_cci(setup, programme):
    report = run(csv_file({**BASE, "OC_CODICE_PROGRAMMA": "2021IT16FFPR003"}))
    assert report.errors == [] and project_by_cup(CUP_A).programme_id == programme.id


def test_a_file_shaped_like_opencoesione_s_own(setup, programme):
    """Upper-case names, the CCI as programme code, "Liquidato", many columns the platform does not read."""
    row = {**BASE, "DEN_COMUNE": "TORINO", "OC_CODICE_PROGRAMMA": "2021IT16FFPR003",
           "OC_COD_ARTICOLAZ_PROGRAMMA": "PRIORITÀ 7", "OC_STATO_PROGETTO": "Liquidato",
           "OC_DATA_FINE_PROGETTO_EFFETTIVA": "20251231", "DEN_REGIONE": "PIEMONTE", "FONDO_COMUNITARIO": "FSE+",
           "OC_DESCRIZIONE_PROGRAMMA": "PN METRO PLUS E CITTA' MEDIE SUD", "CUP_DESCR_NATURA": "ACQUISTO DI SERVIZI",
           **{f"COLONNA_{n}": str(n) for n in range(150)}}
    report = run(csv_file(row, columns=[*row]))
    assert report.errors == [] and report.created == 1
    project = project_by_cup(CUP_A)
    assert project.status == "completed" and project.priority.code == "7" and project.city.slug == "torino"


def test_too_many_rows(setup, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    report = run(csv_file(BASE, SECOND, {**SECOND, "CUP": "", "COD_LOCALE_PROGETTO": "X"}))
    assert len(report.errors) == 1 and "more than 2 projects" in report.errors[0].message
    assert count(FundedProject) == 0


def test_a_dry_run_saves_nothing(setup):
    before = table_counts()
    report = run(csv_file(BASE, SECOND), dry_run=True)
    assert report.ok and report.created == 2 and table_counts() == before


# --- the page -----------------------------------------------------------------------------------

def upload(client, data: bytes, name: str = "progetti.csv", **fields):
    return client.submit("/projects/import", {"file": (io.BytesIO(data), name), **fields},
                         content_type="multipart/form-data")


def test_the_page_imports_and_redirects_with_the_counts(setup, client):
    client.login(MODERATOR)
    english(client)
    page = client.get("/projects/import")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "OC_TITOLO_PROGETTO" in text and "/projects/import/sample.csv" in text and "/opendata#dataset-projects" in text
    assert "Import projects from CSV" in client.get("/projects").get_data(as_text=True)
    response = upload(client, csv_file(BASE, {**SECOND, "OC_TEMA_SINTETICO": "Sconosciuto"}))
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects")
    text = client.get("/projects").get_data(as_text=True)
    assert "2 created, 0 updated, 0 unchanged." in text and "OC_TEMA_SINTETICO" in text
    assert count(FundedProject) == 2


def test_the_page_lists_the_errors_and_imports_nothing(setup, client):
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = upload(client, csv_file(SECOND, {**BASE, "CUP": "XX"}))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and "<caption>Errors in the file, by line</caption>" in text
    assert "<th scope=\"row\">3</th><td><code>CUP</code></td>" in text
    assert table_counts() == before


def test_check_only_shows_the_outcome_and_saves_nothing(setup, client):
    client.login(MODERATOR)
    english(client)
    before = table_counts()
    response = upload(client, csv_file(BASE, SECOND), check_only="y")
    assert response.status_code == 200
    assert "The import would create 2, update 0" in response.get_data(as_text=True)
    assert table_counts() == before


def test_an_unreadable_file_is_a_422_page(setup, client):
    client.login(MODERATOR)
    english(client)
    response = upload(client, b"\x00\x01\x02garbage" * 100)
    assert response.status_code == 422 and "This is not a CSV file" in response.get_data(as_text=True)
    response = client.submit("/projects/import", {})
    assert response.status_code == 422 and "Choose the CSV file to import." in response.get_data(as_text=True)


@pytest.mark.parametrize("who, status", [(None, 302), (RESIDENT, 403)])
def test_only_moderators_and_admins_see_the_page(setup, client, anna, who, status):
    if who:
        client.login(who)
        english(client)
        assert "Import projects from CSV" not in client.get("/projects").get_data(as_text=True)
    before = table_counts()
    for response in (client.get("/projects/import"), upload(client, csv_file(BASE))):
        assert response.status_code == status
    if status == 403:
        assert "Only moderators and administrators can import" in response.get_data(as_text=True)
    assert table_counts() == before


def test_a_post_without_csrf_token_is_refused(setup, client):
    client.login(MODERATOR)
    before = table_counts()
    response = client.post("/projects/import", data={"file": (io.BytesIO(csv_file(BASE)), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and table_counts() == before


def test_a_file_above_5_mb_is_a_413_page(setup, client):
    client.login(MODERATOR)
    english(client)
    big = csv_file(BASE) + b"\r\n" * (importer.MAX_BYTES)
    response = upload(client, big)
    assert response.status_code == 413 and "larger than 5 MB" in response.get_data(as_text=True)
    response = upload(client, big + b"x" * FORM_OVERHEAD)  # refused before the form is read
    assert response.status_code == 413 and "larger than 5 MB" in response.get_data(as_text=True)
    assert count(FundedProject) == 0


def test_simultaneous_imports_of_the_same_file_never_duplicate(setup, app, client):
    from tests.posts.helpers import logged_in_clients, post_at_once

    clients = logged_in_clients(app, [MODERATOR, MODERATOR, ADMIN])
    data = csv_file(BASE, SECOND)
    results = post_at_once(app, [(c, token, "/projects/import", {"file": (io.BytesIO(data), "p.csv")})
                                 for c, token in clients])
    assert set(results) <= {302, 409} and 302 in results, results
    assert count(FundedProject) == 2 and count(Commitment) == 1 and count(Payment) == 1


def test_a_conflict_at_the_commit_is_a_409(setup, client, monkeypatch):
    """Another import saved the same CUP between this one's checks and its commit."""
    from flask import has_request_context
    from sqlalchemy.exc import IntegrityError

    client.login(MODERATOR)
    english(client)
    session_class = type(db.session())
    original = session_class.commit

    def clash(self):
        if has_request_context():
            raise IntegrityError("INSERT", {}, Exception("duplicate key value violates unique constraint"))
        return original(self)

    monkeypatch.setattr(session_class, "commit", clash)
    response = upload(client, csv_file(BASE))
    monkeypatch.undo()
    assert response.status_code == 409 and "Try again" in response.get_data(as_text=True)
    assert count(FundedProject) == 0
