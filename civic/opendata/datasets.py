"""The datasets of /opendata: their columns, what each means, and the rows, read in batches.

Rows come from civic/api/resources.py (the same public fields and the same visibility rule as the API);
they are read with yield_per, so an export holds one batch in memory whatever the table's size.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from civic.api.resources import RESOURCES
from civic.extensions import db
from civic.territories.filters import FilterError

BATCH = 500
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.it"


@dataclass(frozen=True)
class Column:
    name: str
    description: object  # a lazy string
    kind: str  # "text", "integer", "decimal", "date", "url"
    value: Callable[[dict], object]
    # Funded projects: True when the name is OpenCoesione's, False when it is the platform's own.
    opencoesione: bool | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    columns: tuple[Column, ...]

    @property
    def filters(self) -> frozenset[str]:
        """The query parameters that narrow the file: the API's filters of the same records."""
        return RESOURCES[self.name].filters

    def records(self, args=None) -> Iterator[dict]:
        """The public records, newest first, narrowed by `args` (the API's filters, checked by
        `check_filters` first), one batch of rows in memory at a time."""
        resource = RESOURCES[self.name]
        query = resource.filter(resource.query(), args) if args else resource.query()
        for row in db.session.scalars(query.execution_options(yield_per=BATCH)):
            yield resource.record(row)

    def rows(self, args=None) -> Iterator[dict]:
        """Flat rows: column name → value (None when empty)."""
        for record in self.records(args):
            yield {c.name: c.value(record) for c in self.columns}

    def check_filters(self, args) -> None:
        """Refuse what the file cannot honour (FilterError, 400): an unknown parameter, a repeated or empty
        one, an unknown value (by running the filters once on the query, which reads the values)."""
        unknown = sorted(set(args) - self.filters)
        if unknown:
            raise FilterError(_l("Unknown parameter: %(value)s.", value=", ".join(unknown)[:80]))
        for name in args:
            given = args.getlist(name)
            if len(given) > 1 or given[0] == "":
                raise FilterError(_l("Give the parameter %(name)s once, with a value.", name=name[:80]))
        resource = RESOURCES[self.name]
        resource.filter(resource.query(), args)


def local_date(iso: str | None):
    from datetime import datetime

    if iso is None:
        return None
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Rome")).date()


def _common(id_description) -> tuple[Column, ...]:
    return (
        Column("id", id_description, "integer", lambda r: r["id"]),
        Column("titolo", _l("Title"), "text", lambda r: r["title"]),
        Column("stato", _l("Status code (published, under_review, shortlisted, funded, ...)"), "text",
               lambda r: r["status"]),
        Column("citta", _l("City (slug)"), "text", lambda r: r["city"]["slug"]),
        Column("citta_nome", _l("City name"), "text", lambda r: r["city"]["name"]),
        Column("quartiere", _l("Neighbourhood (slug), empty when none"), "text",
               lambda r: r["neighbourhood"]["slug"] if r["neighbourhood"] else None),
        Column("quartiere_nome", _l("Neighbourhood name"), "text",
               lambda r: r["neighbourhood"]["name"] if r["neighbourhood"] else None),
        Column("tema", _l("Theme (slug)"), "text", lambda r: r["theme"]["slug"]),
        Column("autore", _l("Display name of the author"), "text", lambda r: r["author"]["display_name"]),
        Column("autore_profilo", _l("Address of the author's public profile"), "url",
               lambda r: r["author"]["profile_url"]),
        Column("testo", _l("Text, as written (Markdown)"), "text", lambda r: r["body"]),
        Column("sostegni", _l("Number of supports or votes"), "integer", lambda r: r["vote_count"]),
        Column("commenti", _l("Number of visible comments"), "integer", lambda r: r["comment_count"]),
        Column("data_pubblicazione", _l("Date of publication (YYYYMMDD)"), "date",
               lambda r: local_date(r["created_at"])),
        Column("url", _l("Address of the public page"), "url", lambda r: r["url"]),
    )


DATASETS: dict[str, Dataset] = {
    "needs": Dataset(
        "needs", _l("Needs"),
        _l("Needs reported by residents in their neighbourhoods. Content hidden by moderators is excluded."),
        _common(_l("Identifier of the need on the platform")) + (
            Column("luogo", _l("Place described by the author"), "text", lambda r: r["location_text"]),
        )),
    "ideas": Dataset(
        "ideas", _l("Ideas"),
        _l("Ideas proposed by residents and organisations, with their status in the public lifecycle. "
           "Content hidden by moderators is excluded."),
        _common(_l("Identifier of the idea on the platform")) + (
            Column("sintesi", _l("Summary"), "text", lambda r: r["summary"]),
            Column("beneficiari", _l("Who benefits"), "text", lambda r: r["beneficiaries"]),
            Column("costo_stimato", _l("Estimated cost in euro (decimal comma)"), "decimal",
                   lambda r: r["estimated_cost"]),
        )),
}


def _names(themes: list[dict]) -> str:
    return ", ".join(t["slug"] for t in themes)


DATASETS["calls"] = Dataset(
    "calls", _l("Calls for ideas"),
    _l("The calls for ideas (avvisi) published by the cities, with their programme, objective and budget. "
       "Drafts are excluded."),
    (
        Column("id", _l("Identifier of the call on the platform"), "integer", lambda r: r["id"]),
        Column("titolo", _l("Title"), "text", lambda r: r["title"]),
        Column("citta", _l("City (slug)"), "text", lambda r: r["city"]["slug"]),
        Column("citta_nome", _l("City name"), "text", lambda r: r["city"]["name"]),
        Column("programma", _l("Programme (code)"), "text", lambda r: r["programme"]["code"]),
        Column("obiettivo", _l("ESF+ specific objective (code)"), "text", lambda r: r["objective"]["code"]),
        Column("temi", _l("Themes (slugs, separated by commas)"), "text", lambda r: _names(r["themes"])),
        Column("budget_euro", _l("Budget in euro (decimal comma)"), "decimal", lambda r: r["budget_eur"]),
        Column("testo", _l("Text, as written (Markdown)"), "text", lambda r: r["description"]),
        Column("data_pubblicazione", _l("Date of publication (YYYYMMDD)"), "date",
               lambda r: local_date(r["published_at"])),
        Column("data_esiti", _l("Date the results were published (YYYYMMDD), empty until then"), "date",
               lambda r: local_date(r["results_published_at"])),
        Column("url", _l("Address of the public page"), "url", lambda r: r["url"]),
    ))

DATASETS["organisations"] = Dataset(
    "organisations", _l("Organisations"),
    _l("Third Sector organisations registered on the platform, with their RUNTS section. Contacts are excluded."),
    (
        Column("id", _l("Identifier of the organisation on the platform"), "integer", lambda r: r["id"]),
        Column("nome", _l("Name"), "text", lambda r: r["name"]),
        Column("forma_giuridica", _l("Legal form"), "text", lambda r: r["legal_form"]),
        Column("sezione_runts", _l("Section of the RUNTS register (a-g)"), "text", lambda r: r["runts_section"]),
        Column("codice_fiscale", _l("Codice fiscale of the organisation"), "text", lambda r: r["codice_fiscale"]),
        Column("citta", _l("City (slug)"), "text", lambda r: r["city"]["slug"]),
        Column("citta_nome", _l("City name"), "text", lambda r: r["city"]["name"]),
        Column("temi", _l("Themes (slugs, separated by commas)"), "text", lambda r: _names(r["themes"])),
        Column("descrizione", _l("Description, as written (Markdown)"), "text", lambda r: r["description"]),
        Column("sito_web", _l("Website"), "url", lambda r: r["website"]),
        Column("verificata", _l("Verified by a moderator against the RUNTS (1 yes, 0 no)"), "integer",
               lambda r: int(r["verified"])),
        Column("membri", _l("Number of members on the platform"), "integer", lambda r: r["member_count"]),
        Column("data_registrazione", _l("Date of registration on the platform (YYYYMMDD)"), "date",
               lambda r: local_date(r["created_at"])),
        Column("url", _l("Address of the public page"), "url", lambda r: r["url"]),
    ))

DATASETS["codesign"] = Dataset(
    "codesign", _l("Co-design processes"),
    _l("The co-design processes (co-progettazione, Art. 55 of the Third Sector Code) between the cities and the "
       "organisations, with their origin and outcome. Processes whose idea or need is hidden are excluded."),
    (
        Column("id", _l("Identifier of the process on the platform"), "integer", lambda r: r["id"]),
        Column("titolo", _l("Title"), "text", lambda r: r["title"]),
        Column("stato", _l("Status (open or closed)"), "text", lambda r: r["status"]),
        Column("citta", _l("City (slug)"), "text", lambda r: r["city"]["slug"]),
        Column("citta_nome", _l("City name"), "text", lambda r: r["city"]["name"]),
        Column("sintesi", _l("Summary"), "text", lambda r: r["summary"]),
        Column("idea_id", _l("Identifier of the idea it started from, if any"), "integer", lambda r: r["idea_id"]),
        Column("bisogno_id", _l("Identifier of the need it started from, if any"), "integer",
               lambda r: r["need_id"]),
        Column("avviso_id", _l("Identifier of the call it belongs to, if any"), "integer", lambda r: r["call_id"]),
        Column("data_apertura", _l("Date of opening (YYYYMMDD)"), "date", lambda r: local_date(r["opened_at"])),
        Column("data_chiusura", _l("Date of closing (YYYYMMDD), empty while open"), "date",
               lambda r: local_date(r["closed_at"])),
        Column("esito", _l("Outcome, as written (Markdown)"), "text", lambda r: r["outcome"]),
        Column("url", _l("Address of the public page"), "url", lambda r: r["url"]),
    ))


# --- funded projects: OpenCoesione's column names where one exists ---------------------------------
# Names from /work/shared/domain/REFERENCE.md ("Open data: OpenCoesione project columns"); the columns
# OpenCoesione has no name for get plain Italian upper-case names, marked opencoesione=False.

OC_STATUS = {"not_started": "Non avviato", "in_progress": "In corso", "completed": "Concluso"}
INDICATORS = 4
MULTI = ":::"  # OpenCoesione's separator of multiple values


def _day(value: str | None):
    from datetime import date

    return date.fromisoformat(value) if value else None


def _oc(name: str, description, kind: str, value) -> Column:
    return Column(name, description, kind, value, opencoesione=True)


def _own(name: str, description, kind: str, value) -> Column:
    return Column(name, description, kind, value, opencoesione=False)


def _indicator(n: int, key: str):
    def value(record: dict):
        rows = record["indicators"]
        return rows[n - 1][key] if len(rows) >= n else None
    return value


def _indicator_columns() -> tuple[Column, ...]:
    columns = []
    for n in range(1, INDICATORS + 1):
        columns += [
            _oc(f"COD_INDICATORE_{n}", _l("Code of indicator %(n)d (e.g. EECO16)", n=n), "text",
                _indicator(n, "code")),
            _oc(f"DESCR_INDICATORE_{n}", _l("Name of indicator %(n)d", n=n), "text", _indicator(n, "name")),
            _oc(f"UNITA_MISURA_INDICATORE_{n}", _l("Unit of measure of indicator %(n)d", n=n), "text",
                _indicator(n, "unit")),
            _oc(f"PROGRAMMATO_INDICATORE_{n}", _l("Target value of indicator %(n)d (decimal comma)", n=n),
                "decimal", _indicator(n, "target")),
            _oc(f"REALIZZATO_INDICATORE_{n}", _l("Achieved value of indicator %(n)d (decimal comma)", n=n),
                "decimal", _indicator(n, "achieved")),
        ]
    return tuple(columns)


def _coded(key: str, part: str):
    return lambda r: r[key][part] if r[key] else None


def _coded_name(key: str):
    return lambda r: r[key]["name"] if r[key] else None


DATASETS["projects"] = Dataset(
    "projects", _l("Funded projects"),
    _l("The funded projects of the cities, with programme, funding, commitments, payments, dates, status and "
       "indicators. Columns are named as in OpenCoesione where OpenCoesione has a name; the others are the "
       "platform's own. Multiple values are separated by :::. A project whose original idea was hidden stays, "
       "without that idea."),
    (
        _own("ID_PROGETTO", _l("Identifier of the project on the platform"), "integer", lambda r: r["id"]),
        _oc("COD_LOCALE_PROGETTO", _l("Local project code"), "text", lambda r: r["local_code"]),
        _oc("CUP", _l("CUP (Codice Unico di Progetto), empty until obtained"), "text", lambda r: r["cup"]),
        _oc("OC_TITOLO_PROGETTO", _l("Title"), "text", lambda r: r["title"]),
        _oc("OC_SINTESI_PROGETTO", _l("Summary, as written (Markdown)"), "text", lambda r: r["summary"]),
        _oc("OC_CODICE_PROGRAMMA", _l("Programme (code)"), "text", _coded("programme", "code")),
        _oc("OC_DESCRIZIONE_PROGRAMMA", _l("Programme name"), "text", _coded("programme", "name")),
        _oc("OC_COD_ARTICOLAZ_PROGRAMMA", _l("Axis or priority of the programme (code)"), "text",
            _coded("priority", "code")),
        _oc("OC_DESCR_ARTICOLAZ_PROGRAMMA", _l("Axis or priority of the programme (name)"), "text",
            _coded("priority", "name")),
        _oc("FONDO_COMUNITARIO", _l("EU fund of the axis or priority (e.g. FSE, FESR)"), "text",
            _coded("priority", "fund")),
        _oc("OC_TEMA_SINTETICO", _l("Theme (name)"), "text", _coded_name("theme")),
        _own("OBIETTIVO_SPECIFICO", _l("ESF+ specific objective (code)"), "text", _coded("objective", "code")),
        _own("DESCR_OBIETTIVO_SPECIFICO", _l("ESF+ specific objective (name)"), "text",
             _coded("objective", "name")),
        _own("AZIONE", _l("Action of the programme"), "text", lambda r: r["action"]),
        _oc("DEN_REGIONE", _l("Region"), "text", lambda r: r["region"]),
        _oc("DEN_COMUNE", _l("City name"), "text", lambda r: r["city"]["name"]),
        _own("CITTA", _l("City (slug)"), "text", lambda r: r["city"]["slug"]),
        _own("QUARTIERI", _l("Neighbourhoods (names)"), "text",
             lambda r: MULTI.join(n["name"] for n in r["neighbourhoods"])),
        _oc("FINANZ_UE", _l("EU share of the funding in euro (decimal comma)"), "decimal", lambda r: r["eu_share"]),
        _oc("FINANZ_TOTALE_PUBBLICO", _l("Total public funding in euro (decimal comma)"), "decimal",
            lambda r: r["funding_total"]),
        _oc("IMPEGNI", _l("Commitments in euro (decimal comma)"), "decimal", lambda r: r["committed_total"]),
        _oc("TOT_PAGAMENTI", _l("Payments in euro (decimal comma)"), "decimal", lambda r: r["paid_total"]),
        _own("AVANZAMENTO_PERCENTUALE", _l("Progress in percent (weights of the completed milestones)"), "integer",
             lambda r: r["progress"]),
        _oc("OC_DATA_INIZIO_PROGETTO", _l("Start date (YYYYMMDD)"), "date", lambda r: _day(r["starts_on"])),
        _oc("OC_DATA_FINE_PROGETTO_PREVISTA", _l("Planned end date (YYYYMMDD)"), "date",
            lambda r: _day(r["planned_end_on"])),
        _oc("OC_DATA_FINE_PROGETTO_EFFETTIVA", _l("Actual end date (YYYYMMDD), empty until completed"), "date",
            lambda r: _day(r["ended_on"])),
        _oc("OC_STATO_PROGETTO", _l("Status: Non avviato, In corso or Concluso"), "text",
            lambda r: OC_STATUS[r["status"]]),
        _oc("OC_DENOM_BENEFICIARIO", _l("Beneficiary"), "text", lambda r: r["beneficiary_name"]),
        _oc("OC_CODFISC_BENEFICIARIO", _l("Codice fiscale of the beneficiary"), "text",
            lambda r: r["beneficiary_tax_code"]),
        _oc("OC_DENOM_ATTUATORE", _l("Implementing organisations (soggetti attuatori)"),
            "text", lambda r: MULTI.join(o["name"] for o in r["implementing_organisations"])),
        _own("RUOLI_ATTUATORI", _l("Role of each implementing organisation, in the same order (lead or partner)"),
             "text", lambda r: MULTI.join(o["role"] for o in r["implementing_organisations"])),
        _own("PERSONE_RAGGIUNTE", _l("People reached (indicator EECO01, or the largest EECO indicator)"),
             "integer", lambda r: r["people_reached"]),
        _own("ALLOGGI", _l("Housing units (indicator CO40)"), "integer", lambda r: r["housing_units"]),
        _own("MQ_RECUPERATI", _l("Square metres recovered (indicators CO38 and CO39, decimal comma)"), "decimal",
             lambda r: r["area_m2"]),
        *_indicator_columns(),
        _own("URL", _l("Address of the public page"), "url", lambda r: r["url"]),
    ))
