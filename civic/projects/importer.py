"""Import of funded projects from a CSV file with the OpenCoesione columns (the same format as the
export of /opendata/projects.csv, so an exported file imported again changes nothing).

- The file: UTF-8 (with or without BOM; cp1252 or UTF-16 also read), separator `;` (`,` or tab when
  the header clearly uses them), a header naming the columns (case-insensitive; unknown columns are
  ignored, as real OpenCoesione files have about 200). At most MAX_ROWS data rows and MAX_BYTES.
- Each row is a project, matched by CUP first, else by (programme, COD_LOCALE_PROGETTO): created when
  new, updated when something differs, left alone when nothing does (no audit, no notification).
  An empty cell never erases: on an existing project it leaves the value as it is.
- Money totals are never typed: IMPEGNI (TOT_PAGAMENTI) above the project's commitments (payments)
  adds one commitment (payment) of the difference, dated the day of the import; lower is an error.
- All or nothing: every row runs in its own savepoint, so each one is checked whatever the others
  do; at the end everything is rolled back when one row failed. The caller commits (commit()).

Errors and warnings are (line, column, message), lines numbered as in the file (the header is line 1).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from civic.accounts.models import User
from civic.audit import services as audit
from civic.calls.phases import today as italian_today
from civic.core.rules import Conflict, RuleError
from civic.core.text import normalise_line
from civic.extensions import db
from civic.orgs.fiscal import normalise_codice_fiscale
from civic.orgs.models import Organisation
from civic.projects import permissions, services
from civic.projects.models import FundedProject, Indicator, PartnerRole, ProjectPartner, ProjectStatus
from civic.projects.money import parse_amount
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
INDICATORS = 4
MULTI = ":::"
COMMITMENT_DESCRIPTION = "Allineamento agli impegni del file importato"
PAYMENT_DESCRIPTION = "Allineamento ai pagamenti del file importato"

# The columns read, in the order the page lists them (the export's names: civic/opendata/datasets.py).
COLUMNS = (
    "CUP", "COD_LOCALE_PROGETTO", "OC_TITOLO_PROGETTO", "OC_SINTESI_PROGETTO", "OC_CODICE_PROGRAMMA",
    "OC_COD_ARTICOLAZ_PROGRAMMA", "OBIETTIVO_SPECIFICO", "OC_TEMA_SINTETICO", "AZIONE", "DEN_COMUNE", "CITTA",
    "QUARTIERI", "FINANZ_TOTALE_PUBBLICO", "FINANZ_UE", "IMPEGNI", "TOT_PAGAMENTI", "OC_DATA_INIZIO_PROGETTO",
    "OC_DATA_FINE_PROGETTO_PREVISTA", "OC_DATA_FINE_PROGETTO_EFFETTIVA", "OC_STATO_PROGETTO",
    "OC_DENOM_BENEFICIARIO", "OC_CODFISC_BENEFICIARIO", "OC_DENOM_ATTUATORE", "RUOLI_ATTUATORI",
    *(f"{prefix}_INDICATORE_{n}" for n in range(1, INDICATORS + 1)
      for prefix in ("COD", "DESCR", "UNITA_MISURA", "PROGRAMMATO", "REALIZZATO")),
)
REQUIRED = ("OC_TITOLO_PROGETTO", ("DEN_COMUNE", "CITTA"), ("CUP", "COD_LOCALE_PROGETTO"))

# The service's field names → the file's columns, to place a service's refusal.
FIELD_COLUMNS = {
    "title": "OC_TITOLO_PROGETTO", "summary": "OC_SINTESI_PROGETTO", "cup": "CUP", "local_code": "COD_LOCALE_PROGETTO",
    "programme": "OC_CODICE_PROGRAMMA", "priority": "OC_COD_ARTICOLAZ_PROGRAMMA", "objective": "OBIETTIVO_SPECIFICO",
    "theme": "OC_TEMA_SINTETICO", "action": "AZIONE", "beneficiary_name": "OC_DENOM_BENEFICIARIO",
    "beneficiary_tax_code": "OC_CODFISC_BENEFICIARIO", "neighbourhoods": "QUARTIERI",
    "starts_on": "OC_DATA_INIZIO_PROGETTO", "planned_end_on": "OC_DATA_FINE_PROGETTO_PREVISTA",
    "ended_on": "OC_DATA_FINE_PROGETTO_EFFETTIVA", "status": "OC_STATO_PROGETTO",
    "funding_total": "FINANZ_TOTALE_PUBBLICO", "eu_share": "FINANZ_UE",
}
INDICATOR_FIELDS = {"code": "COD", "name": "DESCR", "unit": "UNITA_MISURA", "target": "PROGRAMMATO",
                    "achieved": "REALIZZATO", "women": "REALIZZATO", "men": "REALIZZATO"}

STATUSES = {
    "non avviato": ProjectStatus.NOT_STARTED, "in corso": ProjectStatus.IN_PROGRESS,
    "concluso": ProjectStatus.COMPLETED, "liquidato": ProjectStatus.COMPLETED,
    **{s.value: s for s in ProjectStatus},
}
ROLES = {"lead": PartnerRole.LEAD, "capofila": PartnerRole.LEAD, "partner": PartnerRole.PARTNER}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TOO_MANY_VALUES = "\x00too many values"  # marks a row with more cells than the header (no column has this name)


class ImportFileError(RuleError):
    """The file as a whole cannot be read (empty, no header, not a CSV file, too many rows)."""


class ImportTooLarge(RuleError):
    status = 413


class ImportConflict(Conflict):
    """Someone else saved the same projects at the same time (the unique CUP at the commit)."""


CONFLICT_MESSAGE = _l("Someone else saved some of the same projects at the same time: nothing was imported. "
                      "Try again: the projects already saved will be updated, not duplicated.")


@dataclass(frozen=True)
class Issue:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line of the file, column → trimmed value)

    def __len__(self) -> int:
        return len(self.rows)


# --- reading the file ---------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_l("This file cannot be read as text: save it as CSV (UTF-8).")) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save "CSV" in cp1252; its few undefined bytes become U+FFFD.
        return data.decode("cp1252", errors="replace")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if "\x00" in sample:
        return True
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\r\n\t")
    replaced = sample.count("\ufffd")
    return bool(sample) and (controls + replaced) > max(8, len(sample) // 20)


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    if counts[";"]:
        return ";"
    if counts["\t"] > counts[","]:
        return "\t"
    return "," if counts[","] else ";"


def _cell(value: str | None) -> str:
    text = (value or "").strip()
    # The export prefixes with ' a text a spreadsheet would run as a formula: take it off again.
    if text.startswith("'") and text[1:2] and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text


def read_rows(source) -> ParsedFile:
    """The rows of an uploaded file (bytes, or a binary stream), or ImportFileError / ImportTooLarge."""
    if isinstance(source, str):
        data = source.encode("utf-8")
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportTooLarge(_l("The file is larger than 5 MB: split it into smaller files."))
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(_l("This is a spreadsheet, not a CSV file: save it as CSV (separator ;) and upload it "
                                 "again."))
    text = _decode(data)
    if _looks_binary(text):
        raise ImportFileError(_l("This is not a CSV file: save the spreadsheet as CSV (separator ;) and upload it "
                                 "again."))
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader, None)
        columns = [normalise_line(name).upper() for name in (header or [])]
        _check_header(columns)
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_l("The file has more than %(num)s projects: split it into files of at most "
                                         "%(num)s rows.", num=f"{MAX_ROWS:,}".replace(",", ".")))
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                rows.append((start, {TOO_MANY_VALUES: str(len(cells))}))
                continue
            values: dict[str, str] = {}
            for name, value in zip(columns, cells, strict=False):
                if name and name not in values:
                    values[name] = _cell(value)
            rows.append((start, values))
    except csv.Error as error:
        raise ImportFileError(_l("The file cannot be read as CSV near line %(line)d (%(error)s).",
                                 line=reader.line_num, error=str(error))) from None
    return ParsedFile(columns=columns, rows=rows)


def _check_header(columns: list[str]) -> None:
    if not any(columns):
        raise ImportFileError(_l("The file is empty."))
    present = set(columns)
    missing = []
    for wanted in REQUIRED:
        names = (wanted,) if isinstance(wanted, str) else wanted
        if not present.intersection(names):
            missing.append(" / ".join(names))
    if missing:
        raise ImportFileError(_l("The first line must name the columns, separated by ;. Missing: %(columns)s.",
                                 columns=", ".join(missing)))


# --- reading the values -------------------------------------------------------------------------

def _key(text: str) -> str:
    """For matching names: no accents, case or punctuation ("CAVA DE' TIRRENI" = "Cava de' Tirreni")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[^a-z0-9]+", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def parse_date(raw: str, column: str) -> date:
    text = raw.strip()
    for pattern, fmt in ((r"\d{8}", "%Y%m%d"), (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y")):
        if re.fullmatch(pattern, text):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                break
    raise RuleError(_l("This date cannot be read: write it as YYYYMMDD (e.g. 20240115), YYYY-MM-DD or DD/MM/YYYY."),
                    column)


class _RowErrors(Exception):
    """The row's values cannot be read (each error already recorded)."""


class _Lookups:
    """Reference rows read once per import."""

    def __init__(self):
        self.cities_by_slug = {c.slug: c for c in db.session.scalars(select(City))}
        self.cities_by_name: dict[str, list[City]] = {}
        for city in self.cities_by_slug.values():
            self.cities_by_name.setdefault(_key(city.name), []).append(city)
        self.programmes: dict[str, int] = {}
        for programme in db.session.scalars(select(Programme)):
            self.programmes[programme.code.upper()] = programme.id
            for token in re.findall(r"\b\d{4}[A-Z0-9]{11}\b", programme.reference or ""):
                self.programmes.setdefault(token.upper(), programme.id)
        self.priorities = {(p.programme_id, p.code.upper()): p.id for p in db.session.scalars(select(Priority))}
        self.objectives = {o.code.upper(): o.id for o in db.session.scalars(select(SpecificObjective))}
        self.themes: dict[str, int] = {}
        for theme in db.session.scalars(select(Theme).order_by(Theme.position)):
            for name in (theme.slug, theme.name_it, theme.name_en):
                self.themes.setdefault(_key(name), theme.id)
        self.neighbourhoods: dict[tuple[int, str], int] = {}
        for hood in db.session.scalars(select(Neighbourhood)):
            self.neighbourhoods.setdefault((hood.city_id, _key(hood.name)), hood.id)
            self.neighbourhoods.setdefault((hood.city_id, _key(hood.slug)), hood.id)
        self.organisations: dict[str, list[tuple[int, int]]] = {}
        for org_id, name, city_id in db.session.execute(select(Organisation.id, Organisation.name,
                                                               Organisation.city_id)):
            self.organisations.setdefault(_key(name), []).append((org_id, city_id))


@dataclass
class _Row:
    """One row's values, read and checked for their form; None when the cell was empty."""

    line: int
    city: City
    title: str
    cup: str | None
    local_code: str | None
    programme_id: int | None
    programme_given: bool
    platform_id: int | None = None  # a row of this site's export, for a project without CUP nor local code
    summary: str | None = None
    priority_id: int | None = None
    objective_id: int | None = None
    theme_id: int | None = None
    action: str | None = None
    neighbourhood_ids: list[int] | None = None
    beneficiary_name: str | None = None
    beneficiary_tax_code: str | None = None
    starts_on: date | None = None
    planned_end_on: date | None = None
    ended_on: date | None = None
    status: str | None = None
    funding_total: Decimal | None = None
    eu_share: Decimal | None = None
    committed: Decimal | None = None
    paid: Decimal | None = None
    partners: list[tuple[int, str | None]] = field(default_factory=list)
    indicators: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class Importer:
    def __init__(self, user: User, *, dry_run: bool = False, today: date | None = None):
        self.user = user
        self.report = ImportReport(dry_run=dry_run)
        self.today = today or italian_today()
        self.lookups = _Lookups()
        self.seen_cups: dict[str, int] = {}
        self.seen_codes: dict[tuple[int | None, str], int] = {}
        self.seen_ids: dict[int, int] = {}
        self.cities_touched: set[int] = set()

    # -- recording --

    def error(self, line: int, column: str, message) -> None:
        self.report.errors.append(Issue(line, column, str(message)))

    def warning(self, line: int, column: str, message) -> None:
        self.report.warnings.append(Issue(line, column, str(message)))

    # -- reading a row --

    def read(self, line: int, values: dict[str, str]) -> _Row:
        errors_before = len(self.report.errors)

        def cell(name: str) -> str:
            return values.get(name, "")

        def guarded(column: str, read: Callable[[], object]):
            try:
                return read()
            except RuleError as error:
                self.error(line, column, error.message)
                return None

        if TOO_MANY_VALUES in values:
            self.error(line, "", _l("This line has more values than the header has columns: check the separators "
                                    "and the quotes."))
            raise _RowErrors
        title = normalise_line(cell("OC_TITOLO_PROGETTO"))
        if not title:
            self.error(line, "OC_TITOLO_PROGETTO", _l("Enter a title."))
        city = self._city(line, cell("CITTA"), cell("DEN_COMUNE"))
        cup = guarded("CUP", lambda: services.check_cup(cell("CUP")))
        local_code = normalise_line(cell("COD_LOCALE_PROGETTO")).upper() or None
        platform_id = None
        if not cell("CUP") and not local_code:
            platform_id = _exported_project(cell("ID_PROGETTO"), cell("URL"))
        if not cell("CUP") and not local_code and platform_id is None:
            self.error(line, "CUP", _l("Give the CUP or the local project code (COD_LOCALE_PROGETTO): one of them "
                                       "identifies the project."))
        programme_code = normalise_line(cell("OC_CODICE_PROGRAMMA")).upper()
        programme_id = None
        if programme_code:
            programme_id = self.lookups.programmes.get(programme_code)
            if programme_id is None:
                self.error(line, "OC_CODICE_PROGRAMMA", _l("Unknown programme \"%(code)s\": use the code of one of the "
                                                           "platform's programmes.", code=programme_code))
        if len(self.report.errors) > errors_before:
            raise _RowErrors
        row = _Row(line=line, city=city, title=title, cup=cup, local_code=local_code, programme_id=programme_id,
                   programme_given=bool(programme_code), platform_id=platform_id)
        row.summary = cell("OC_SINTESI_PROGETTO").replace("\r\n", "\n").strip() or None
        if code := normalise_line(cell("OC_COD_ARTICOLAZ_PROGRAMMA")).upper():
            row.priority_id = self._priority(line, programme_id, code)
        if code := normalise_line(cell("OBIETTIVO_SPECIFICO")).upper():
            row.objective_id = self.lookups.objectives.get(code)
            if row.objective_id is None:
                self.warning(line, "OBIETTIVO_SPECIFICO", _l("Unknown specific objective \"%(code)s\": left empty.",
                                                             code=code))
        if name := normalise_line(cell("OC_TEMA_SINTETICO")):
            row.theme_id = self.lookups.themes.get(_key(name))
            if row.theme_id is None:
                self.warning(line, "OC_TEMA_SINTETICO", _l("The theme \"%(name)s\" is not one of the platform's themes: "
                                                           "left empty.", name=name))
        row.action = normalise_line(cell("AZIONE")) or None
        if names := [n for n in (normalise_line(p) for p in cell("QUARTIERI").split(MULTI)) if n]:
            row.neighbourhood_ids = []
            for name in names:
                hood = self.lookups.neighbourhoods.get((city.id, _key(name)))
                if hood is None:
                    self.warning(line, "QUARTIERI", _l("%(city)s has no neighbourhood \"%(name)s\": left out.",
                                                       city=city.name, name=name))
                elif hood not in row.neighbourhood_ids:
                    row.neighbourhood_ids.append(hood)
            row.neighbourhood_ids = row.neighbourhood_ids or None
        row.beneficiary_name = normalise_line(cell("OC_DENOM_BENEFICIARIO")) or None
        if cell("OC_CODFISC_BENEFICIARIO"):
            row.beneficiary_tax_code = guarded("OC_CODFISC_BENEFICIARIO", lambda: normalise_codice_fiscale(
                cell("OC_CODFISC_BENEFICIARIO"), "OC_CODFISC_BENEFICIARIO"))
        for attribute, column in (("starts_on", "OC_DATA_INIZIO_PROGETTO"),
                                  ("planned_end_on", "OC_DATA_FINE_PROGETTO_PREVISTA"),
                                  ("ended_on", "OC_DATA_FINE_PROGETTO_EFFETTIVA")):
            if cell(column):
                setattr(row, attribute, guarded(column, lambda c=column: parse_date(cell(c), c)))
        if status := cell("OC_STATO_PROGETTO"):
            found = STATUSES.get(normalise_line(status).lower())
            if found is None:
                self.error(line, "OC_STATO_PROGETTO", _l("Unknown status \"%(value)s\": write Non avviato, In corso or "
                                                         "Concluso.", value=status))
            else:
                row.status = found.value
        for attribute, column in (("funding_total", "FINANZ_TOTALE_PUBBLICO"), ("eu_share", "FINANZ_UE"),
                                  ("committed", "IMPEGNI"), ("paid", "TOT_PAGAMENTI")):
            if cell(column):
                setattr(row, attribute, guarded(column, lambda c=column: parse_amount(cell(c), c)))
        row.partners = self._partners(line, city, cell("OC_DENOM_ATTUATORE"), cell("RUOLI_ATTUATORI"))
        for n in range(1, INDICATORS + 1):
            indicator = {key: cell(f"{prefix}_INDICATORE_{n}")
                         for key, prefix in INDICATOR_FIELDS.items() if key not in ("women", "men")}
            if indicator["code"]:
                code = normalise_line(indicator["code"]).upper()
                if (other := next((m for m, i in row.indicators if normalise_line(i["code"]).upper() == code),
                                  None)) is not None:
                    self.error(line, f"COD_INDICATORE_{n}", _l("The indicator %(code)s is also indicator %(n)d of "
                                                               "this line.", code=code, n=other))
                    continue
                row.indicators.append((n, indicator))
            elif any(indicator.values()):
                self.error(line, f"COD_INDICATORE_{n}", _l("Give the code of indicator %(n)d, e.g. EECO16.", n=n))
        if len(self.report.errors) > errors_before:
            raise _RowErrors
        return row

    def _city(self, line: int, slug: str, names: str) -> City | None:
        if slug:
            city = self.lookups.cities_by_slug.get(slug.strip().lower())
            if city is None:
                self.error(line, "CITTA", _l("Unknown city \"%(name)s\".", name=slug))
            return city
        found = {c.id: c for name in names.split(MULTI) for c in self.lookups.cities_by_name.get(_key(name), [])}
        if not names.strip():
            self.error(line, "DEN_COMUNE", _l("Enter the city of the project."))
        elif not found:
            self.error(line, "DEN_COMUNE", _l("Unknown city \"%(name)s\": it is not one of the platform's cities.",
                                              name=names))
        elif len(found) > 1:
            self.error(line, "DEN_COMUNE", _l("A project belongs to one city of the platform: \"%(name)s\" names "
                                              "several.", name=names))
        else:
            return next(iter(found.values()))
        return None

    def _priority(self, line: int, programme_id: int | None, code: str) -> int | None:
        if programme_id is None:
            self.warning(line, "OC_COD_ARTICOLAZ_PROGRAMMA", _l("An axis or priority needs the programme "
                                                                "(OC_CODICE_PROGRAMMA): left empty."))
            return None
        found = self.lookups.priorities.get((programme_id, code))
        if found is None:
            # "ASSE 3", "PRIORITÀ 4": the code is the last word.
            found = self.lookups.priorities.get((programme_id, code.split()[-1]))
        if found is None:
            self.warning(line, "OC_COD_ARTICOLAZ_PROGRAMMA", _l("The programme has no axis or priority \"%(code)s\": "
                                                                "left empty.", code=code))
        return found

    def _partners(self, line: int, city: City, names: str, roles: str) -> list[tuple[int, str | None]]:
        listed = [normalise_line(n) for n in names.split(MULTI)] if names.strip() else []
        role_values = [normalise_line(r).lower() for r in roles.split(MULTI)] if roles.strip() else []
        found: list[tuple[int, str | None]] = []
        for i, name in enumerate(listed):
            if not name:
                continue
            candidates = self.lookups.organisations.get(_key(name), [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if c[1] == city.id] or candidates
            if not candidates:
                self.warning(line, "OC_DENOM_ATTUATORE", _l("No organisation on the platform is called \"%(name)s\": "
                                                            "it was not linked to the project.", name=name))
                continue
            if len(candidates) > 1:
                self.warning(line, "OC_DENOM_ATTUATORE", _l("Several organisations are called \"%(name)s\": link "
                                                            "the right one on the project's page.", name=name))
                continue
            role = None
            if i < len(role_values) and role_values[i]:
                role = ROLES.get(role_values[i])
                if role is None:
                    self.error(line, "RUOLI_ATTUATORI", _l("Unknown role \"%(value)s\": write lead or partner.",
                                                           value=role_values[i]))
                    continue
                role = role.value
            if candidates[0][0] not in {f[0] for f in found}:
                found.append((candidates[0][0], role))
        return found

    # -- matching --

    def match(self, row: _Row) -> FundedProject | None:
        by_cup = by_code = None
        if row.platform_id is not None:
            by_cup = db.session.get(FundedProject, row.platform_id)
        if row.cup:
            by_cup = db.session.scalar(select(FundedProject).where(FundedProject.cup == row.cup))
        if row.local_code:
            query = select(FundedProject).where(FundedProject.local_code == row.local_code)
            if row.programme_given:
                query = query.where(FundedProject.programme_id == row.programme_id)
            elif by_cup is not None:
                query = query.where(FundedProject.programme_id == by_cup.programme_id)
            else:
                query = query.where(FundedProject.programme_id.is_(None))
            by_code = db.session.scalar(query)
        if by_cup is not None and by_code is not None and by_cup.id != by_code.id:
            raise RuleError(_l("The CUP is that of the project \"%(first)s\", the local code that of another project, "
                               "\"%(second)s\": check the line.", first=by_cup.title, second=by_code.title),
                            "COD_LOCALE_PROGETTO")
        project = by_cup or by_code
        if project is not None and project.city_id != row.city.id:
            raise RuleError(_l("This project belongs to %(city)s, not to %(other)s.", city=project.city.name,
                               other=row.city.name), "CITTA" if "CITTA" in self.columns else "DEN_COMUNE")
        return project

    def check_duplicates(self, row: _Row) -> bool:
        ok = True
        if row.platform_id is not None:
            if (other := self.seen_ids.get(row.platform_id)) is not None:
                self.error(row.line, "ID_PROGETTO", _l("The project %(id)d is also on line %(line)d: a project appears "
                                                       "once.", id=row.platform_id, line=other))
                ok = False
            else:
                self.seen_ids[row.platform_id] = row.line
        if row.cup:
            if (other := self.seen_cups.get(row.cup)) is not None:
                self.error(row.line, "CUP", _l("The CUP %(cup)s is also on line %(line)d: a project appears once.",
                                               cup=row.cup, line=other))
                ok = False
            else:
                self.seen_cups[row.cup] = row.line
        if row.local_code:
            key = (row.programme_id, row.local_code)
            if (other := self.seen_codes.get(key)) is not None:
                self.error(row.line, "COD_LOCALE_PROGETTO", _l("The local code %(code)s is also on line %(line)d: a "
                                                               "project appears once.", code=row.local_code,
                                                               line=other))
                ok = False
            else:
                self.seen_codes[key] = row.line
        return ok

    # -- writing --

    def _data(self, row: _Row, project: FundedProject | None) -> services.ProjectData:
        """What the project's fields become: the row's values, the project's own where a cell was empty."""
        def keep(value, current):
            return value if value is not None else current

        if project is None:
            summary = row.summary
            if summary is None:
                summary = row.title
                self.warning(row.line, "OC_SINTESI_PROGETTO", _l("No summary: the title is used as the public summary "
                                                                 "until a moderator writes one."))
            return services.ProjectData(
                title=row.title, summary=summary, cup=row.cup or "", local_code=row.local_code or "",
                programme_id=row.programme_id, priority_id=row.priority_id, objective_id=row.objective_id,
                theme_id=row.theme_id, action=row.action or "", beneficiary_name=row.beneficiary_name or "",
                beneficiary_tax_code=row.beneficiary_tax_code or "", neighbourhood_ids=row.neighbourhood_ids or [],
                starts_on=row.starts_on, planned_end_on=row.planned_end_on, ended_on=row.ended_on,
                status=row.status or ProjectStatus.NOT_STARTED,
                funding_total=f"{row.funding_total or Decimal('0'):.2f}", eu_share=f"{row.eu_share or Decimal('0'):.2f}")
        title = row.title
        if project.origin_hidden and title in _neutral_titles(project):
            title = project.title  # the export shows a neutral title for a project whose idea was hidden
        programme_id = row.programme_id if row.programme_given else project.programme_id
        priority_id = row.priority_id if row.priority_id is not None else (
            project.priority_id if programme_id == project.programme_id else None)
        return services.ProjectData(
            title=title, summary=keep(row.summary, project.summary_markdown),
            cup=row.cup or project.cup or "", local_code=row.local_code or project.local_code or "",
            programme_id=programme_id, priority_id=priority_id,
            objective_id=keep(row.objective_id, project.objective_id), theme_id=keep(row.theme_id, project.theme_id),
            action=keep(row.action, project.action), beneficiary_name=keep(row.beneficiary_name,
                                                                           project.beneficiary_name),
            beneficiary_tax_code=keep(row.beneficiary_tax_code, project.beneficiary_tax_code) or "",
            neighbourhood_ids=keep(row.neighbourhood_ids, [n.id for n in project.neighbourhoods]),
            starts_on=keep(row.starts_on, project.starts_on), planned_end_on=keep(row.planned_end_on,
                                                                                  project.planned_end_on),
            ended_on=keep(row.ended_on, project.ended_on), status=keep(row.status, project.status),
            funding_total=f"{keep(row.funding_total, project.funding_total):.2f}",
            eu_share=f"{keep(row.eu_share, project.eu_share):.2f}")

    @staticmethod
    def _differs(project: FundedProject, data: services.ProjectData) -> bool:
        wanted = (
            normalise_line(data.title), data.summary.replace("\r\n", "\n").strip(), data.cup or None,
            normalise_line(data.local_code).upper() or None, data.programme_id, data.priority_id,
            data.objective_id or None, data.theme_id or None, normalise_line(data.action),
            normalise_line(data.beneficiary_name) or project.beneficiary_name, data.beneficiary_tax_code or None,
            set(data.neighbourhood_ids), data.starts_on, data.planned_end_on, data.ended_on, data.status,
            Decimal(data.funding_total), Decimal(data.eu_share),
        )
        current = (
            project.title, project.summary_markdown, project.cup, project.local_code, project.programme_id,
            project.priority_id, project.objective_id, project.theme_id, project.action, project.beneficiary_name,
            project.beneficiary_tax_code, {n.id for n in project.neighbourhoods}, project.starts_on,
            project.planned_end_on, project.ended_on, project.status, project.funding_total, project.eu_share,
        )
        return wanted != current

    def write(self, row: _Row) -> str:
        """Create or update the row's project: "created", "updated" or "unchanged"."""
        project = self.match(row)
        city = row.city if project is None else project.city
        if not permissions.can_manage(self.user, city):
            raise services.ProjectForbidden(_l("You do not moderate %(city)s: you cannot import its projects.",
                                               city=city.name), "CITTA" if "CITTA" in self.columns else "DEN_COMUNE")
        changed = False
        if project is None:
            project = services.create_project(self.user, row.city, self._data(row, None))
            outcome = "created"
        else:
            outcome = "unchanged"
            data = self._data(row, project)
            if self._differs(project, data):
                services.update_project(self.user, project, data)
                changed = True
        changed |= self._write_partners(project, row)
        changed |= self._write_indicators(project, row, created=outcome == "created")
        changed |= self._write_money(project, row)
        self.cities_touched.add(project.city_id)
        if outcome == "unchanged" and changed:
            outcome = "updated"
        return outcome

    def _write_partners(self, project: FundedProject, row: _Row) -> bool:
        if not row.partners:
            return False
        existing = {p.organisation_id: p for p in db.session.scalars(
            select(ProjectPartner).where(ProjectPartner.project_id == project.id))}
        has_lead = any(p.role == PartnerRole.LEAD.value for p in existing.values())
        changes = []
        for i, (org_id, role) in enumerate(row.partners):
            partner = existing.get(org_id)
            if partner is None:
                role = role or (PartnerRole.LEAD.value if i == 0 and not has_lead else PartnerRole.PARTNER.value)
                db.session.add(ProjectPartner(project_id=project.id, organisation_id=org_id, role=role))
                changes.append(f"+ organisation {org_id} ({role})")
            elif role and partner.role != role:
                partner.role = role
                changes.append(f"organisation {org_id} → {role}")
            has_lead = has_lead or role == PartnerRole.LEAD.value
        if not changes:
            return False
        db.session.flush()
        db.session.expire(project, ["partners"])
        audit.record(self.user, "project.partners", "project", project.id,
                     "; ".join([project.title, *changes]), city_id=project.city_id)
        return True

    def _write_indicators(self, project: FundedProject, row: _Row, created: bool) -> bool:
        changed = False
        existing = {} if created or not row.indicators else {i.code: i for i in db.session.scalars(
            select(Indicator).where(Indicator.project_id == project.id))}
        for n, values in row.indicators:
            code = normalise_line(values["code"]).upper()
            current = existing.get(code)
            try:
                if current is not None:
                    wanted = (normalise_line(values["name"]) or current.name, normalise_line(values["unit"])
                              or current.unit,
                              parse_amount(values["target"], "target") if values["target"] else current.target,
                              parse_amount(values["achieved"], "achieved") if values["achieved"] else current.achieved)
                    if wanted == (current.name, current.unit, current.target, current.achieved):
                        continue
                    data = services.IndicatorData(code, wanted[0], wanted[1], f"{wanted[2]:.2f}", f"{wanted[3]:.2f}",
                                                  current.women, current.men)
                else:
                    data = services.IndicatorData(code, values["name"], values["unit"], values["target"],
                                                  values["achieved"] or "0")
                services.save_indicator(self.user, project, data, current)
                changed = True
            except RuleError as error:
                prefix = INDICATOR_FIELDS.get(error.field or "", "COD")
                raise RuleError(error.message, f"{prefix}_INDICATORE_{n}") from None
        return changed

    def _write_money(self, project: FundedProject, row: _Row) -> bool:
        changed = False
        for wanted, column, total_name, add, description in (
                (row.committed, "IMPEGNI", "committed_total", services.add_commitment, COMMITMENT_DESCRIPTION),
                (row.paid, "TOT_PAGAMENTI", "paid_total", services.add_payment, PAYMENT_DESCRIPTION)):
            if wanted is None:
                continue
            current = getattr(project, total_name)
            if wanted == current:
                continue
            if wanted < current:
                message = (_l("The commitments in the file (%(file)s €) are lower than those recorded (%(recorded)s €): "
                              "correct the commitments on the project's page, then import again.",
                              file=f"{wanted:.2f}", recorded=f"{current:.2f}") if column == "IMPEGNI" else
                           _l("The payments in the file (%(file)s €) are lower than those recorded (%(recorded)s €): "
                              "correct the payments on the project's page, then import again.",
                              file=f"{wanted:.2f}", recorded=f"{current:.2f}"))
                raise RuleError(message, column)
            try:
                add(self.user, project, services.MoneyData(self.today, f"{wanted - current:.2f}", description))
            except RuleError as error:
                raise RuleError(error.message, column) from None
            changed = True
        return changed

    # -- the whole file --

    def run(self, parsed: ParsedFile, filename: str = "", progress: Callable[[int], None] | None = None
            ) -> ImportReport:
        self.columns = set(parsed.columns)
        try:
            _begin_writing()
        except OperationalError:  # SQLite: another import held the write lock longer than the busy timeout
            db.session.rollback()
            raise ImportConflict(CONFLICT_MESSAGE) from None
        for line, values in parsed.rows:
            try:
                self._one(line, values)
            finally:
                if progress is not None:
                    progress(1)
        report = self.report
        if report.errors or report.dry_run:
            db.session.rollback()
            return report
        if report.created or report.updated:
            city_id = next(iter(self.cities_touched)) if len(self.cities_touched) == 1 else None
            audit.record(self.user, "project.import", "project", None,
                         f"{filename or 'CSV'}: {report.created} created, {report.updated} updated, "
                         f"{report.unchanged} unchanged", city_id=city_id)
            db.session.flush()
        return report

    def _one(self, line: int, values: dict[str, str]) -> None:
        try:
            row = self.read(line, values)
        except _RowErrors:
            return
        if not self.check_duplicates(row):
            return
        savepoint = db.session.begin_nested()
        try:
            outcome = self.write(row)
            savepoint.commit()
        except RuleError as error:
            savepoint.rollback()
            self.error(line, _column(error.field), error.message)
            return
        except (IntegrityError, OperationalError):
            # Another import saved the same CUP meanwhile (PostgreSQL waited for it), or held SQLite's lock.
            savepoint.rollback()
            db.session.rollback()
            raise ImportConflict(CONFLICT_MESSAGE) from None
        except BaseException:
            savepoint.rollback()
            raise
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)


def _column(field_name: str | None) -> str:
    if not field_name:
        return ""
    return FIELD_COLUMNS.get(field_name, field_name if field_name.isupper() else "")


def _exported_project(id_text: str, url: str) -> int | None:
    """A row of this site's export (ID_PROGETTO and the project's address) naming a project that has neither
    CUP nor local code yet: the only way to recognise it, so that an exported file imported again is a no-op."""
    if not (id_text.isascii() and id_text.isdigit() and 0 < len(id_text) <= 9):
        return None
    project_id = int(id_text)
    if not re.fullmatch(rf"/projects/{project_id}(?:-[^/]*)?", urlsplit(url).path or ""):
        return None
    project = db.session.get(FundedProject, project_id)
    if project is None or project.cup or project.local_code:
        return None
    return project.id


def _neutral_titles(project: FundedProject) -> set[str]:
    titles = set()
    for locale in ("it", "en"):
        with force_locale(locale):
            titles.add(str(project.display_title))
    return titles


def _begin_writing() -> None:
    """SQLite's driver opens its transaction only before a write: without one, the first SAVEPOINT would
    open it and releasing that savepoint would commit. A write that changes nothing opens it (and takes
    the database's write lock, so two imports run one after the other)."""
    if db.session.get_bind().dialect.name == "sqlite":
        table = FundedProject.__table__
        db.session.execute(update(table).where(false()).values(id=table.c.id))


def import_rows(user: User, parsed: ParsedFile, *, filename: str = "", dry_run: bool = False,
                progress: Callable[[int], None] | None = None, today: date | None = None) -> ImportReport:
    """Check and write every row; on any error (or a dry run) everything is rolled back. The caller commits."""
    return Importer(user, dry_run=dry_run, today=today).run(parsed, filename, progress)


def import_file(user: User, source, **options) -> ImportReport:
    """read_rows + import_rows; a file that cannot be read gives a report with its one error (line 1)."""
    try:
        parsed = read_rows(source)
    except ImportTooLarge:
        raise
    except ImportFileError as error:
        report = ImportReport(dry_run=options.get("dry_run", False))
        report.errors.append(Issue(1, "", str(error.message)))
        return report
    return import_rows(user, parsed, **options)


def commit() -> None:
    """Commit an import; the unique CUP hit by an import saved at the same moment is a 409, not a 500."""
    try:
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()
        raise ImportConflict(CONFLICT_MESSAGE) from None
