"""A big-city data set for performance tests, deterministic and fast: at scale 1, 500,000 residents,
300 Third Sector organisations, 200 calls, 30,000 ideas, 20,000 needs, 250,000 comments, 2,000,000 votes
and supports (Zipf-shaped: one idea with 30,000 votes, one with 5,000 comments) and 2,000 funded
projects in the 14 metropolitan cities, 1% of the posts and comments hidden by their moderators.

    .venv/bin/python -m bench.populate --database URL [--scale 1] [--seed 2026] [--password bench-password]
        [--json FILE]

URL names an EMPTY database (postgresql+psycopg://... or sqlite:///path): the schema comes from the
migrations, the reference data from the same loader as `flask --app wsgi territories load`, then every
table is filled in bulk (COPY on PostgreSQL, executemany on SQLite), with explicit ids and with the
counters the services keep (votes, comments, followers, members, project totals and figures) equal to
the rows they count. The same seed and scale give the same rows. Every account has the same password.
Progress goes to stderr, a Markdown summary to stdout.
"""
from __future__ import annotations

import argparse
import base64
import itertools
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import PEOPLE, PROBLEMS, PROPOSALS, SUBJECTS, _zipf_weights, vocabulary  # noqa: E402

# Every date is placed before this day, never after "now": the same seed gives the same rows any day.
REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=UTC)
FIRST_DAY = datetime(2022, 1, 1, tzinfo=UTC)
PROGRAMME = "PN-METRO-PLUS-2021-2027"

# What scale 1 makes.
RESIDENTS = 500_000
MODERATORS_PER_CITY = 3
ORGANISATIONS = 300
CALLS = 200
IDEAS = 30_000
NEEDS = 20_000
COMMENTS = 250_000
VOTES = 2_000_000
PROJECTS = 2_000
TOP_VOTES = 30_000  # the most voted idea
TOP_COMMENTS = 5_000  # the most commented idea
HIDDEN_SHARE = 0.01
REPLY_SHARE = 0.3
FOLLOWING_VOTERS = 0.05  # of a post's voters, the share who also follow it
ON_BEHALF_SHARE = 0.03  # posts and comments written on behalf of an organisation

# Residents per metropolitan city, roughly as the populations (Roma first).
CITY_WEIGHTS = {"roma": 28, "milano": 14, "napoli": 9, "torino": 9, "palermo": 6, "genova": 6, "bologna": 4,
                "firenze": 4, "bari": 3, "catania": 3, "venezia": 3, "messina": 2, "reggio-calabria": 2,
                "cagliari": 2}

FIRST_NAMES = ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Martina",
               "Andrea", "Elena", "Giuseppe", "Anna", "Francesco", "Valentina", "Lorenzo", "Federica", "Davide",
               "Silvia", "Salvatore", "Rosa", "Antonio", "Paola", "Giovanni", "Laura", "Stefano", "Roberta",
               "Karim", "Fatima", "Mei", "Oumar", "Ibrahima", "Aisha", "Ion", "Elena", "Mohamed", "Amina",
               "Rosario", "Concetta", "Vincenzo", "Carmela", "Pietro", "Teresa", "Samuele", "Noemi"]
LAST_NAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
              "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
              "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini",
              "Leone", "Longo", "Gentile", "Lo Cascio", "Messina", "Benali", "Chen", "Diallo", "Sow", "El Amrani",
              "Popescu", "Cusumano", "Pipitone", "Bellini", "Zanardi"]
STREETS = ["via Roma", "via Garibaldi", "corso Vittorio Emanuele", "via Mazzini", "piazza del Mercato",
           "via Verdi", "via dei Mille", "largo Cavour", "via Dante", "viale della Repubblica", "via Cavour",
           "piazza della Stazione", "via San Francesco", "via delle Rose", "via del Lavoro"]
ORG_NAMES = ["Il Ponte", "La Rete", "Casa Comune", "Porte Aperte", "Il Cortile", "Mani Tese di Quartiere",
             "Spazio Aperto", "La Bussola", "Filo d'Erba", "Terra Buona", "Il Girasole", "Nuovi Orizzonti",
             "La Tenda", "Passi Insieme", "Il Faro", "Radici", "Costruire Insieme", "La Panchina", "Abitare Solidale",
             "Il Melograno"]
LEGAL_FORMS = {"a": ("ODV", "Organizzazione di volontariato"), "b": ("APS", "Associazione di promozione sociale"),
               "c": ("Fondazione", "Ente filantropico"), "d": ("Cooperativa sociale", "Cooperativa sociale"),
               "e": ("Rete", "Rete associativa"), "f": ("Società di mutuo soccorso", "Società di mutuo soccorso"),
               "g": ("Associazione", "Associazione riconosciuta")}
HIDE_REASONS = ["Contiene dati personali di terzi.", "Linguaggio offensivo verso altri residenti.",
                "Pubblicità commerciale, non un contributo.", "Contenuto duplicato.", "Segnalazione fondata: "
                "attacchi personali."]
CALL_TOPICS = ["Abitare insieme", "Giovani protagonisti", "Quartieri accessibili", "Spazi comuni", "Nessuno escluso",
               "Cura di prossimità", "Lavoro e formazione", "Scuole aperte", "Verde di quartiere", "Piazze vive"]
CRITERIA = [("Risposta ai bisogni del quartiere", 40), ("Fattibilità e costi", 30),
            ("Coinvolgimento di residenti e Terzo Settore", 30)]
INDICATORS = [("EECO01", "Partecipanti", "persone"), ("EECO16", "Persone senza dimora prese in carico", "persone"),
              ("EECO07", "Partecipanti di età inferiore a 18 anni", "persone"),
              ("CO40", "Alloggi recuperati", "alloggi"), ("CO38", "Spazi aperti recuperati", "m²"),
              ("CO39", "Superficie di edifici recuperata", "m²")]
MILESTONES = ["Convenzione firmata", "Avvio delle attività", "Primo stato di avanzamento", "Lavori conclusi",
              "Rendicontazione finale"]
COMMENT_OPENINGS = ["Sono d'accordo", "Confermo", "Anche nel mio palazzo", "Da noi è lo stesso", "Ottima idea",
                    "Non sono convinto", "Grazie per averlo scritto", "Lo segnalo da anni", "Ne abbiamo parlato "
                    "in assemblea", "Come associazione possiamo aiutare"]


def n_of(target: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(target * scale))


def zipf_counts(total: int, n: int, top: int, cap: int) -> list[int]:
    """n counts, largest first, shaped like Zipf's law: the first is `top`, they add up to `total`."""
    if n <= 0:
        return []
    top = max(0, min(top, total, cap))
    total = min(total, top * n)
    if top == 0:
        return [0] * n
    ranks = range(1, n + 1)
    low, high = 0.0, 8.0
    for _ in range(40):  # the exponent whose counts add up to the total
        s = (low + high) / 2
        if sum(int(top * r ** -s) for r in ranks) > total:
            low = s
        else:
            high = s
    counts = [int(top * r ** -high) for r in ranks]
    missing, i = total - sum(counts), 1
    while missing > 0 and n > 1:  # rounding: one more for the next ranks, never above the first
        if counts[i] < top:
            counts[i] += 1
            missing -= 1
        i = i + 1 if i + 1 < n else 1
    return counts


# --- writing rows ----------------------------------------------------------------------------------

_PG_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _pg_text(value) -> str:
    kind = type(value)
    if value is None:
        return "\\N"
    if kind is str:
        return value.translate(_PG_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat(" ")
    return str(value)


def _sqlite_value(value):
    # As SQLAlchemy stores them on SQLite: UTC datetimes without zone, Numeric as REAL, booleans as 0/1.
    kind = type(value)
    if kind is datetime:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if kind is date:
        return value.isoformat()
    if kind is Decimal:
        return float(value)
    return value


class Loader:
    """Bulk inserts through the driver's own connection: COPY on PostgreSQL, executemany on SQLite."""

    BATCH = 20_000

    def __init__(self, engine, say: Callable[[str], None]):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.connection = self.raw.driver_connection
        self.say = say
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        began = time.perf_counter()
        count = self._copy(table, columns, rows) if self.postgres else self._executemany(table, columns, rows)
        self.connection.commit()
        took = time.perf_counter() - began
        self.counts[table] = self.counts.get(table, 0) + count
        self.seconds[table] = self.seconds.get(table, 0.0) + took
        self.say(f"{table:<22} {count:>10,} rows {took:8.1f} s {count / took if took else 0:>12,.0f} rows/s")
        return count

    def _copy(self, table, columns, rows) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self.connection.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            lines = []
            for row in rows:
                lines.append("\t".join(map(_pg_text, row)))
                if len(lines) >= self.BATCH:
                    copy.write("\n".join(lines) + "\n")
                    count += len(lines)
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
                count += len(lines)
        return count

    def _executemany(self, table, columns, rows) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
        cursor = self.connection.cursor()
        count = 0
        rows = iter(rows)
        while batch := [tuple(map(_sqlite_value, row)) for row in itertools.islice(rows, self.BATCH)]:
            cursor.executemany(sql, batch)
            count += len(batch)
        cursor.close()
        return count

    def execute(self, sql: str) -> None:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        cursor.close()
        self.connection.commit()

    def reset_sequences(self, tables: Iterable[str]) -> None:
        """Explicit ids leave PostgreSQL's sequences behind: the next row the app adds takes the next id."""
        if not self.postgres:
            return
        for table in tables:
            self.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 - our names
                         f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)")

    def close(self) -> None:
        self.raw.close()


# --- text ------------------------------------------------------------------------------------------

class Texts:
    """Italian paragraphs, each rendered once by the app's own Markdown function; a body joins a few of
    them, and its HTML is the join of theirs (what render_markdown gives for the whole: tests check it)."""

    def __init__(self, rng: random.Random, posts: int, comments: int):
        from civic.core.richtext import render_markdown

        self.render = render_markdown
        self.rng = rng
        self.words = vocabulary()
        self.cumulative = list(itertools.accumulate(_zipf_weights(len(self.words))))
        self.post_pool = [self._with_html(self._post_paragraph()) for _ in range(posts)]
        self.comment_pool = [self._with_html(self._comment_paragraph()) for _ in range(comments)]
        self.lists = [self._with_html(self._list()) for _ in range(max(10, posts // 20))]

    def _with_html(self, markdown: str) -> tuple[str, str]:
        return markdown, self.render(markdown)

    def content(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randint(low, high)))

    def _post_paragraph(self) -> str:
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        shape = rng.randrange(4)
        if shape == 0:
            text = f"{subject.capitalize()} {rng.choice(PROBLEMS)}: ne soffrono soprattutto {rng.choice(PEOPLE)}."
        elif shape == 1:
            text = f"Proponiamo di {rng.choice(PROPOSALS)} {subject} insieme a chi abita in {rng.choice(STREETS)}."
        elif shape == 2:
            text = f"Nel quartiere **{subject}** {rng.choice(PROBLEMS)} e le {rng.choice(PEOPLE)} restano sole."
        else:
            text = f"Chiediamo al Comune un impegno per {rng.choice(PEOPLE)}: {subject} {rng.choice(PROBLEMS)}."
        return f"{text} {self.content(8, 30).capitalize()}."

    def _comment_paragraph(self) -> str:
        rng = self.rng
        return (f"{rng.choice(COMMENT_OPENINGS)}: {rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}. "
                f"{self.content(4, 18).capitalize()}.")

    def _list(self) -> str:
        return "\n".join(f"- {self.rng.choice(PROPOSALS)} {self.rng.choice(SUBJECTS)}"
                         for _ in range(self.rng.randint(2, 4)))

    def post_body(self) -> tuple[str, str]:
        parts = self.rng.sample(self.post_pool, self.rng.randint(1, 3))
        if self.rng.random() < 0.2:  # a list only last: two lists in a row would merge into one
            parts.append(self.rng.choice(self.lists))
        return "\n\n".join(p[0] for p in parts), "".join(p[1] for p in parts)

    def comment_body(self) -> tuple[str, str]:
        parts = self.rng.sample(self.comment_pool, 1 if self.rng.random() < 0.75 else 2)
        return "\n\n".join(p[0] for p in parts), "".join(p[1] for p in parts)


# --- the plan ----------------------------------------------------------------------------------------

@dataclass
class Reference:
    """What the reference data loader made: the metropolitan cities and the ids content refers to."""

    cities: list[tuple[int, str, str]]  # (id, slug, name)
    neighbourhoods: dict[int, list[tuple[int, str]]]  # city id -> [(id, name)]
    themes: list[int]
    programme_id: int
    priorities: list[int]
    objectives: list[int]

    @classmethod
    def read(cls) -> Reference:
        from sqlalchemy import select

        from civic.extensions import db
        from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme

        cities = [(c.id, c.slug, c.name) for c in db.session.scalars(
            select(City).where(City.role == "metropolitan").order_by(City.id))]
        hoods: dict[int, list[tuple[int, str]]] = {}
        for n in db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.id)):
            hoods.setdefault(n.city_id, []).append((n.id, n.name))
        programme = db.session.scalar(select(Programme).where(Programme.code == PROGRAMME))
        return cls(cities=cities, neighbourhoods=hoods,
                   themes=list(db.session.scalars(select(Theme.id).order_by(Theme.position, Theme.id))),
                   programme_id=programme.id,
                   priorities=list(db.session.scalars(select(Priority.id).where(
                       Priority.programme_id == programme.id, Priority.inclusion.is_(True)).order_by(Priority.id))),
                   objectives=list(db.session.scalars(select(SpecificObjective.id).order_by(SpecificObjective.id))))


@dataclass
class PostPlan:
    id: int
    kind: str
    city: int  # index in Reference.cities
    author: int
    created_at: datetime
    title: str
    votes: int = 0
    comments: int = 0
    hidden_comments: int = 0
    followers: int = 0
    first_reaction_at: datetime | None = None
    hidden: bool = False
    status: str = "published"


@dataclass
class Generator:
    reference: Reference
    scale: float
    seed: int
    password_hash: str
    loader: Loader
    privacy_version: str = "1"  # the notice every account accepted when it registered
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.city_weights = [CITY_WEIGHTS.get(slug, 1) for _id, slug, _name in self.reference.cities]
        self.follows: list[tuple] = []
        self.audit: list[tuple] = []

    def moment(self, after: datetime = FIRST_DAY, before: datetime = REFERENCE_DATE) -> datetime:
        seconds = int((before - after).total_seconds())
        return after + timedelta(seconds=self.rng.randint(0, max(0, seconds)))

    def city_index(self) -> int:
        return self.rng.choices(range(len(self.reference.cities)), weights=self.city_weights)[0]

    def neighbourhood(self, city: int, share: float = 0.9) -> tuple[int, str] | None:
        hoods = self.reference.neighbourhoods.get(self.reference.cities[city][0], [])
        return self.rng.choice(hoods) if hoods and self.rng.random() < share else None

    # --- people

    def users(self) -> None:
        rng, ref = self.rng, self.reference
        residents = n_of(RESIDENTS, self.scale, 10)
        self.admin_id = 1
        self.moderators: dict[int, list[int]] = {}
        rows, moderator_city, consents = [], [], []
        next_id = itertools.count(1)

        def account(email, name, role, city, hood, created):
            token = base64.urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "big")).decode()
            frequency = rng.choices(["immediate", "daily", "never"], weights=[85, 10, 5])[0]
            locale = rng.choices(["it", "en", None], weights=[70, 5, 25])[0]
            uid = next(next_id)
            rows.append((uid, email, name, self.password_hash, role, ref.cities[city][0] if city is not None else None,
                         hood, locale, created + timedelta(hours=1), None, True, None, None, token, frequency,
                         self.privacy_version, created, created))
            consents.append((uid, uid, self.privacy_version, created))
            return uid

        account("admin@example.it", "Amministrazione Piattaforma", "admin", None, None, FIRST_DAY)
        for index, (city_id, slug, name) in enumerate(ref.cities):
            for k in range(1, MODERATORS_PER_CITY + 1):
                uid = account(f"moderatore.{slug}.{k}@example.it", f"Moderatore {k} di {name}", "moderator", index,
                              None, FIRST_DAY)
                self.moderators.setdefault(index, []).append(uid)
                moderator_city.append((uid, city_id))
        self.residents_by_city: dict[int, list[int]] = {i: [] for i in range(len(ref.cities))}
        self.first_resident = len(rows) + 1
        for _ in range(residents):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            city = self.city_index()
            hood = self.neighbourhood(city, 0.7)
            handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            uid = account(f"{handle}.{len(rows) + 1}@example.it", f"{first} {last}", "resident", city,
                          hood[0] if hood else None, self.moment(FIRST_DAY, REFERENCE_DATE - timedelta(days=30)))
            self.residents_by_city[city].append(uid)
        self.last_resident = len(rows)
        self.resident_emails = [rows[i][1] for i in range(self.first_resident - 1,
                                                          min(len(rows), self.first_resident + 19))]
        self.loader.insert("user_account", (
            "id", "email", "display_name", "password_hash", "role", "home_city_id", "home_neighbourhood_id", "locale",
            "email_confirmed_at", "last_login_at", "active", "blocked_at", "blocked_reason", "session_token",
            "email_frequency", "privacy_version", "created_at", "updated_at"), rows)
        self.loader.insert("consent", ("id", "user_id", "version", "accepted_at"), consents)
        self.loader.insert("moderator_city", ("user_id", "city_id"), moderator_city)

    def resident(self, city: int) -> int:
        people = self.residents_by_city[city]
        if not people:
            return self.rng.randint(self.first_resident, self.last_resident)
        return self.rng.choice(people)

    # --- organisations

    def organisations(self, texts: Texts) -> None:
        from civic.core.text import slugify

        rng, ref = self.rng, self.reference
        count = n_of(ORGANISATIONS, self.scale)
        orgs, members, themes = [], [], []
        self.members_by_city: dict[int, list[tuple[int, int]]] = {}
        member_id = itertools.count(1)
        sizes = zipf_counts(count * 20, count, 200, 10**9)
        rng.shuffle(sizes)
        for oid in range(1, count + 1):
            city = self.city_index()
            section = rng.choice("aabbbdddeg")
            short, legal_form = LEGAL_FORMS[section]
            hood = self.neighbourhood(city, 0.6)
            name = f"{short} {rng.choice(ORG_NAMES)}" + (f" {hood[1]}" if hood else f" {ref.cities[city][2]}")
            pool = self.residents_by_city[city] or list(range(self.first_resident, self.last_resident + 1))
            people = rng.sample(pool, min(len(pool), max(1, sizes[oid - 1])))
            created = self.moment(FIRST_DAY, REFERENCE_DATE - timedelta(days=60))
            verified = rng.random() < 0.6
            description, html = texts.post_body()
            orgs.append((oid, name[:200], slugify(name, 80), legal_form, section, None, f"9{oid:010d}",
                         f"0{oid:010d}" if section == "d" else None, ref.cities[city][0], description, html,
                         f"https://www.{slugify(name, 40)}.example.it" if rng.random() < 0.5 else None,
                         f"info@{slugify(name, 40)}.example.it", None,
                         created + timedelta(days=7) if verified else None,
                         self.moderators[city][0] if verified else None, "moderator" if verified else None,
                         people[0], len(people), 0, created, created))
            extra_followers = rng.randint(0, 30)
            followers = set(people)
            for position, uid in enumerate(people):
                joined = created if position == 0 else self.moment(created)
                members.append((next(member_id), oid, uid, "admin" if position < 2 else "member", joined))
                self.members_by_city.setdefault(city, []).append((oid, uid))
                self.follows.append((uid, "organisation", oid, joined))
            for _ in range(extra_followers):
                uid = self.resident(city)
                if uid not in followers:
                    followers.add(uid)
                    self.follows.append((uid, "organisation", oid, self.moment(created)))
            orgs[-1] = orgs[-1][:19] + (len(followers),) + orgs[-1][20:]
            for theme in rng.sample(ref.themes, rng.randint(1, 3)):
                themes.append((oid, theme))
        self.organisation_count = count
        self.orgs_by_city: dict[int, list[int]] = {}
        for row in orgs:
            city = next(i for i, c in enumerate(ref.cities) if c[0] == row[8])
            self.orgs_by_city.setdefault(city, []).append(row[0])
        self.loader.insert("organisation", (
            "id", "name", "slug", "legal_form", "runts_section", "second_section", "codice_fiscale", "partita_iva",
            "city_id", "description_markdown", "description_html", "website", "contact_email", "phone", "verified_at",
            "verified_by_id", "verified_role", "created_by_id", "member_count", "follower_count", "created_at",
            "updated_at"), orgs)
        self.loader.insert("membership", ("id", "organisation_id", "user_id", "role", "created_at"), members)
        self.loader.insert("organisation_theme", ("organisation_id", "theme_id"), themes)

    def on_behalf(self, city: int) -> tuple[int, int] | None:
        """(organisation, member) of the city, for a post or comment written on behalf of it."""
        pairs = self.members_by_city.get(city)
        return self.rng.choice(pairs) if pairs and self.rng.random() < ON_BEHALF_SHARE else None

    # --- calls

    def calls(self, texts: Texts) -> None:
        from civic.core.text import slugify

        rng, ref = self.rng, self.reference
        count = n_of(CALLS, self.scale)
        calls, phases, criteria, themes = [], [], [], []
        self.call_windows: dict[int, list[tuple[datetime, datetime, int]]] = {}
        phase_id, criterion_id = itertools.count(1), itertools.count(1)
        for cid in range(1, count + 1):
            city = (cid - 1) % len(ref.cities)
            opens = self.moment(FIRST_DAY, REFERENCE_DATE - timedelta(days=20)).date()
            title = f"{rng.choice(CALL_TOPICS)}: idee per {rng.choice(SUBJECTS)} a {ref.cities[city][2]}"
            published = rng.random() < 0.95
            description, html = texts.post_body()
            eligibility = (f"Possono partecipare le persone che vivono, studiano o lavorano a {ref.cities[city][2]} "
                           "e gli enti del Terzo Settore iscritti al RUNTS.")
            published_at = datetime(opens.year, opens.month, opens.day, 9, tzinfo=UTC) - timedelta(days=3)
            calls.append((cid, ref.cities[city][0], title[:200], slugify(title, 80), description, html,
                          ref.programme_id, rng.choice(ref.priorities) if ref.priorities else None,
                          rng.choice(ref.objectives), Decimal(rng.randint(50, 1000) * 1000), eligibility,
                          texts.render(eligibility), "published" if published else "draft",
                          published_at if published else None, None, 0, self.moderators[city][0], published_at,
                          published_at))
            bounds = [("submission", 0, 30), ("voting", 31, 45), ("evaluation", 46, 60), ("results", 61, None)]
            for kind, start, end in bounds:
                phases.append((next(phase_id), cid, kind, opens + timedelta(days=start),
                               opens + timedelta(days=end) if end is not None else None))
            for position, (name, weight) in enumerate(CRITERIA, 1):
                criteria.append((next(criterion_id), cid, position, name, weight))
            for theme in rng.sample(ref.themes, rng.randint(1, 2)):
                themes.append((cid, theme))
            if published:
                start = datetime(opens.year, opens.month, opens.day, tzinfo=UTC)
                self.call_windows.setdefault(city, []).append((start, start + timedelta(days=31), cid))
                followers = {self.resident(city) for _ in range(rng.randint(0, 40))}
                for uid in followers:
                    self.follows.append((uid, "call", cid, self.moment(published_at)))
                calls[-1] = calls[-1][:15] + (len(followers),) + calls[-1][16:]
        self.loader.insert("call", (
            "id", "city_id", "title", "slug", "description_markdown", "description_html", "programme_id",
            "priority_id", "objective_id", "budget_eur", "eligibility_markdown", "eligibility_html", "status",
            "published_at", "results_published_at", "follower_count", "created_by_id", "created_at", "updated_at"),
            calls)
        self.loader.insert("call_phase", ("id", "call_id", "kind", "starts_on", "ends_on"), phases)
        self.loader.insert("call_criterion", ("id", "call_id", "position", "name", "weight"), criteria)
        self.loader.insert("call_theme", ("call_id", "theme_id"), themes)

    def call_for(self, city: int, when: datetime) -> int | None:
        for start, end, cid in self.call_windows.get(city, ()):
            if start <= when < end:
                return cid
        return None

    # --- posts, votes and comments

    def plan_posts(self) -> list[PostPlan]:
        rng = self.rng
        needs, ideas = n_of(NEEDS, self.scale), n_of(IDEAS, self.scale)
        kinds = ["need"] * needs + ["idea"] * ideas
        rng.shuffle(kinds)
        moments = sorted(self.moment(FIRST_DAY, REFERENCE_DATE - timedelta(days=2)) for _ in kinds)
        plans = []
        for pid, (kind, created) in enumerate(zip(kinds, moments, strict=True), 1):
            city = self.city_index()
            plans.append(PostPlan(pid, kind, city, self.resident(city), created, ""))
        # The idea everyone votes for and the one everyone discusses: in the largest city, old enough.
        idea_plans = [p for p in plans if p.kind == "idea"]
        largest = max(range(len(self.reference.cities)), key=lambda i: self.city_weights[i])
        candidates = [p for p in idea_plans if p.created_at < REFERENCE_DATE - timedelta(days=200)] or idea_plans
        tops = rng.sample(candidates, min(2, len(candidates)))
        self.top_voted, self.top_commented = tops[0], tops[-1]
        for top in {id(self.top_voted): self.top_voted, id(self.top_commented): self.top_commented}.values():
            top.city = largest
            top.author = self.resident(largest)
        residents = self.last_resident - self.first_resident + 1
        self._spread(plans, "votes", n_of(VOTES, self.scale), n_of(TOP_VOTES, self.scale), self.top_voted,
                      residents)
        self._spread(plans, "comments", n_of(COMMENTS, self.scale), n_of(TOP_COMMENTS, self.scale),
                     self.top_commented, 10**9)
        # Funded ideas: old enough to have a project; never hidden, nor the two tops.
        tops = {self.top_voted.id, self.top_commented.id}
        old = [p for p in idea_plans if p.created_at < REFERENCE_DATE - timedelta(days=120) and p.id not in tops]
        funded = rng.sample(old, min(len(old), n_of(PROJECTS, self.scale)))
        for p in funded:
            p.status = "funded"
        self.funded = sorted(funded, key=lambda p: p.id)
        for p in idea_plans:
            if p.status == "published" and p.id not in tops:
                p.status = rng.choices(["published", "under_review", "shortlisted", "selected_for_codesign",
                                        "rejected", "withdrawn"], weights=[70, 10, 8, 4, 6, 2])[0]
        for kind, total in (("need", needs), ("idea", ideas)):
            open_posts = [p for p in plans if p.kind == kind and p.status != "funded" and p.id not in tops]
            for p in rng.sample(open_posts, min(len(open_posts), round(total * HIDDEN_SHARE))):
                p.hidden = True
        for p in plans:
            p.hidden_comments = sum(rng.random() < HIDDEN_SHARE for _ in range(p.comments))
            p.followers = 1 + int(p.votes * FOLLOWING_VOTERS)  # the author, and some of the voters
            if p.votes or p.comments:
                p.first_reaction_at = p.created_at + timedelta(seconds=rng.randint(60, 3 * 86400))
                if p.first_reaction_at >= REFERENCE_DATE:
                    p.first_reaction_at = REFERENCE_DATE - timedelta(seconds=1)
        return plans

    def _spread(self, plans: list[PostPlan], attribute: str, total: int, top: int, first: PostPlan, cap: int):
        counts = zipf_counts(total, len(plans), top, cap)
        others = [p for p in plans if p is not first]
        self.rng.shuffle(others)
        for plan, count in zip([first, *others], counts, strict=True):
            setattr(plan, attribute, count)

    def posts(self, plans: list[PostPlan], texts: Texts) -> None:
        from civic.core.text import slugify

        rng, ref = self.rng, self.reference
        post_rows, need_rows, idea_rows, links = [], [], [], []
        needs_by_city: dict[int, list[int]] = {}
        audit_id = itertools.count(1)
        self.audit_next = audit_id
        for p in plans:
            subject, people = rng.choice(SUBJECTS), rng.choice(PEOPLE)
            hood = self.neighbourhood(p.city)
            place = f" a {hood[1]}" if hood and rng.random() < 0.5 else ""
            if p.kind == "need":
                title = f"{subject.capitalize()}{place} {rng.choice(PROBLEMS)}"
            else:
                title = f"{rng.choice(PROPOSALS).capitalize()} {subject}{place} per {people}"
            p.title = title[:150]
            body, html = texts.post_body()
            behalf = self.on_behalf(p.city) if p not in (self.top_voted, self.top_commented) else None
            if behalf is not None:
                p.author = behalf[1]
            hidden_at = p.created_at + timedelta(days=rng.randint(1, 20)) if p.hidden else None
            if hidden_at is not None and hidden_at >= REFERENCE_DATE:
                hidden_at = REFERENCE_DATE - timedelta(hours=1)
            reason = rng.choice(HIDE_REASONS) if p.hidden else None
            post_rows.append((p.id, p.kind, p.author, ref.cities[p.city][0], hood[0] if hood else None,
                              rng.choice(ref.themes), p.title, slugify(p.title, 80), body, html, p.status, None,
                              p.votes, p.comments - p.hidden_comments, p.followers, p.first_reaction_at, hidden_at,
                              reason, False, 0, behalf[0] if behalf else None, p.created_at, p.created_at))
            self.follows.append((p.author, p.kind, p.id, p.created_at))
            if p.hidden:
                moderator = self.moderators[p.city][0]
                self.audit.append((next(audit_id), moderator, "moderator", "post.hide", "post", p.id,
                                   ref.cities[p.city][0], p.title[:300], reason, hidden_at))
            if p.kind == "need":
                need_rows.append((p.id, f"{rng.choice(STREETS)} {rng.randint(1, 200)}" if rng.random() < 0.5 else None))
                if not p.hidden:
                    needs_by_city.setdefault(p.city, []).append(p.id)
            else:
                call_id = self.call_for(p.city, p.created_at) if rng.random() < 0.6 else None
                summary = f"{rng.choice(PROPOSALS).capitalize()} {subject} con {people} e le associazioni del quartiere."
                cost = Decimal(rng.randint(5, 500) * 1000) if rng.random() < 0.8 else None
                idea_rows.append((p.id, summary, f"{people.capitalize()} del quartiere", cost, call_id, None))
                earlier = needs_by_city.get(p.city, [])
                if earlier and rng.random() < 0.3:
                    for need_id in sorted(set(rng.sample(earlier[-200:], min(len(earlier[-200:]),
                                                                              rng.randint(1, 3))))):
                        links.append((p.id, need_id))
        self.summaries = {row[0]: row[1] for row in idea_rows}
        self.post_rows = {row[0]: row for row in post_rows}
        self.loader.insert("post", (
            "id", "kind", "author_id", "city_id", "neighbourhood_id", "theme_id", "title", "slug", "body_markdown",
            "body_html", "status", "image_id", "vote_count", "comment_count", "follower_count", "first_reaction_at",
            "hidden_at", "hidden_reason", "hidden_by_block", "status_version", "organisation_id", "created_at",
            "updated_at"), post_rows)
        self.loader.insert("need", ("id", "location_text"), need_rows)
        self.loader.insert("idea", ("id", "summary", "beneficiaries", "estimated_cost", "call_id", "merged_into_id"),
                           idea_rows)
        self.loader.insert("idea_need", ("idea_id", "need_id"), links)

    def _reaction_time(self, p: PostPlan) -> datetime:
        return self.moment(p.first_reaction_at, REFERENCE_DATE)

    def votes(self, plans: list[PostPlan]) -> None:
        rng = self.rng
        everyone = range(self.first_resident, self.last_resident + 1)

        def rows():
            vid = itertools.count(1)
            for p in plans:
                if not p.votes:
                    continue
                city_people = self.residents_by_city[p.city]
                pool = city_people if len(city_people) >= 2 * p.votes else everyone
                voters = rng.sample(pool, p.votes)
                yield (next(vid), p.id, voters[0], p.first_reaction_at)
                for uid in voters[1:]:
                    yield (next(vid), p.id, uid, self._reaction_time(p))
                following = [uid for uid in voters[:p.followers] if uid != p.author][:p.followers - 1]
                for uid in following:
                    self.follows.append((uid, p.kind, p.id, p.first_reaction_at))

        self.loader.insert("vote", ("id", "post_id", "user_id", "created_at"), rows())

    def comments(self, plans: list[PostPlan], texts: Texts) -> None:
        rng, ref = self.rng, self.reference

        def rows():
            cid = itertools.count(1)
            for p in plans:
                if not p.comments:
                    continue
                moments = sorted(self._reaction_time(p) for _ in range(p.comments))
                if not p.votes:
                    moments[0] = p.first_reaction_at
                hidden = set(rng.sample(range(p.comments), p.hidden_comments))
                threads: list[int] = []
                for index, created in enumerate(moments):
                    comment_id = next(cid)
                    parent = rng.choice(threads) if threads and rng.random() < REPLY_SHARE else None
                    if parent is None:
                        threads.append(comment_id)
                    behalf = self.on_behalf(p.city)
                    author = behalf[1] if behalf else self.resident(p.city)
                    body, html = texts.comment_body()
                    hidden_at = reason = None
                    if index in hidden:
                        hidden_at = min(created + timedelta(hours=rng.randint(1, 72)),
                                        REFERENCE_DATE - timedelta(seconds=1))
                        reason = rng.choice(HIDE_REASONS)
                        self.audit.append((next(self.audit_next), self.moderators[p.city][0], "moderator",
                                           "comment.hide", "comment", comment_id, ref.cities[p.city][0],
                                           f"{p.title} · #{comment_id}"[:300], reason, hidden_at))
                    yield (comment_id, p.id, author, parent, body, html, None, None, hidden_at, reason, False,
                           behalf[0] if behalf else None, created, created)

        self.loader.insert("comment", (
            "id", "post_id", "author_id", "parent_id", "body_markdown", "body_html", "edited_at", "deleted_at",
            "hidden_at", "hidden_reason", "hidden_by_block", "organisation_id", "created_at", "updated_at"), rows())

    # --- funded projects

    def projects(self) -> None:
        from civic.core.richtext import render_markdown
        from civic.core.text import slugify
        from civic.projects.figures import figures_of

        rng, ref = self.rng, self.reference
        projects, partners, hoods, commitments, payments, milestones, indicators, updates = ([] for _ in range(8))
        ids = {name: itertools.count(1) for name in ("partner", "commitment", "payment", "milestone", "indicator",
                                                     "update")}
        cents = Decimal("0.01")
        for pid, idea in enumerate(self.funded, 1):
            row = self.post_rows[idea.id]
            city_id, moderator = ref.cities[idea.city][0], self.moderators[idea.city][0]
            created = self.moment(idea.created_at + timedelta(days=60), REFERENCE_DATE - timedelta(days=30))
            status = rng.choices(["not_started", "in_progress", "completed"], weights=[20, 60, 20])[0]
            starts = (created + timedelta(days=rng.randint(10, 90))).date()
            planned_end = starts + timedelta(days=rng.randint(365, 3 * 365))
            ended = min(planned_end, REFERENCE_DATE.date() - timedelta(days=1)) if status == "completed" else None
            funding = Decimal(rng.randint(50, 2000) * 1000) + Decimal(rng.randint(0, 99)) * cents
            eu_share = (funding * Decimal(rng.randint(40, 80)) / 100).quantize(cents)
            committed = Decimal("0.00")
            for _ in range(rng.randint(1, 3) if status != "not_started" else rng.randint(0, 1)):
                amount = (funding * Decimal(rng.randint(20, 33)) / 100).quantize(cents)
                commitments.append((next(ids["commitment"]), pid, created.date() + timedelta(days=rng.randint(5, 60)),
                                    amount, "Impegno di spesa", "", created, moderator))
                committed += amount
            paid = Decimal("0.00")
            if status != "not_started":
                for _ in range(rng.randint(1, 3)):
                    amount = (committed * Decimal(rng.randint(10, 30)) / 100).quantize(cents)
                    if amount <= 0:
                        continue
                    payments.append((next(ids["payment"]), pid, created.date() + timedelta(days=rng.randint(60, 200)),
                                     amount, "Stato di avanzamento", "", created, moderator))
                    paid += amount
            weights = [25, 25, 50] if rng.random() < 0.5 else [20, 30, 20, 30]
            for position, weight in enumerate(weights):
                done = status == "completed" or (status == "in_progress" and position < len(weights) // 2)
                milestones.append((next(ids["milestone"]), pid, MILESTONES[position], starts + timedelta(
                    days=120 * (position + 1)), weight, created + timedelta(days=30 * (position + 1)) if done else None))
            pairs = []
            for code, name, unit in rng.sample(INDICATORS, rng.randint(1, 3)):
                target = Decimal(rng.randint(10, 3000))
                achieved = (target * Decimal(rng.randint(0, 110)) / 100).quantize(cents) if status != "not_started" \
                    else Decimal("0.00")
                women = men = None
                if code.startswith("EECO"):
                    women = int(achieved) // 2
                    men = int(achieved) - women
                indicators.append((next(ids["indicator"]), pid, code, name, unit, target, achieved, women, men))
                pairs.append((code, achieved))
            people, housing, area = figures_of(pairs)
            city_orgs = self.orgs_by_city.get(idea.city) or list(range(1, self.organisation_count + 1))
            for position, oid in enumerate(rng.sample(city_orgs, min(len(city_orgs), rng.randint(1, 2)))):
                partners.append((next(ids["partner"]), pid, oid, "lead" if position == 0 else "partner"))
            if row[4] is not None:
                hoods.append((pid, row[4]))
            summary = self.summaries[idea.id]
            update = f"Aggiornamento: **{rng.choice(MILESTONES).lower()}** per {rng.choice(PEOPLE)}."
            updates.append((next(ids["update"]), pid, moderator, update, render_markdown(update), None,
                            created + timedelta(days=20)))
            self.follows.append((idea.author, "project", pid, created))
            cup = f"{chr(65 + pid % 26)}{pid % 100:02d}{chr(65 + (pid // 26) % 26)}{pid:011d}"
            projects.append((pid, city_id, row[6][:200], slugify(row[6])[:80] or "progetto", summary,
                             render_markdown(summary), cup, f"PNM.{pid}", ref.programme_id,
                             rng.choice(ref.priorities) if ref.priorities else None, rng.choice(ref.objectives),
                             "Servizi per l'inclusione e l'abitare", row[5], f"Comune di {ref.cities[idea.city][2]}",
                             None, starts, planned_end, ended, status, idea.id, funding, eu_share, committed, paid,
                             people, housing, area, 1, moderator, created, created))
        self.project_ids = [p[0] for p in projects]
        self.loader.insert("funded_project", (
            "id", "city_id", "title", "slug", "summary_markdown", "summary_html", "cup", "local_code", "programme_id",
            "priority_id", "objective_id", "action", "theme_id", "beneficiary_name", "beneficiary_tax_code",
            "starts_on", "planned_end_on", "ended_on", "status", "idea_id", "funding_total", "eu_share",
            "committed_total", "paid_total", "people_reached", "housing_units", "area_m2", "follower_count",
            "created_by_id", "created_at", "updated_at"), projects)
        self.loader.insert("project_partner", ("id", "project_id", "organisation_id", "role"), partners)
        self.loader.insert("project_neighbourhood", ("project_id", "neighbourhood_id"), hoods)
        money = ("id", "project_id", "made_on", "amount", "description", "exception_reason", "created_at",
                 "created_by_id")
        self.loader.insert("project_commitment", money, commitments)
        self.loader.insert("project_payment", money, payments)
        self.loader.insert("project_milestone", ("id", "project_id", "title", "due_on", "weight", "completed_at"),
                           milestones)
        self.loader.insert("project_indicator", ("id", "project_id", "code", "name", "unit", "target", "achieved",
                                                 "women", "men"), indicators)
        self.loader.insert("project_update", ("id", "project_id", "author_id", "body_markdown", "body_html",
                                              "image_id", "created_at"), updates)

    def follows_and_audit(self) -> None:
        self.loader.insert("follow", ("id", "user_id", "target_kind", "target_id", "created_at"),
                           ((i, *row) for i, row in enumerate(self.follows, 1)))
        self.audit.sort(key=lambda row: row[0])
        self.loader.insert("audit_event", ("id", "actor_id", "actor_role", "action", "target_kind", "target_id",
                                           "city_id", "summary", "reason", "created_at"), self.audit)


# --- running it --------------------------------------------------------------------------------------

def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _app(database_url: str, instance: Path):
    from civic import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                       "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False,
                       "SEARCH_INDEX_ON_COMMIT": False})


def _password_hash(password: str, rng: random.Random) -> str:
    """Hashed once for every account, with a salt from the seed (werkzeug's format, the app's method)."""
    from flask import current_app
    from werkzeug.security import _hash_internal, check_password_hash

    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    salt = "".join(rng.choice(alphabet) for _ in range(16))
    hashed, method = _hash_internal(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"), salt, password)
    result = f"{method}${salt}${hashed}"
    assert check_password_hash(result, password)
    return result


SEQUENCED = ("user_account", "consent", "organisation", "membership", "call", "call_phase", "call_criterion", "post",
             "vote", "comment", "funded_project", "project_partner", "project_commitment", "project_payment",
             "project_milestone", "project_indicator", "project_update", "follow", "audit_event")


def _vacuum_analyze(engine, *tables: str) -> None:
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE " + ", ".join(f'"{t}"' for t in tables)))


def populate(database_url: str, scale: float = 1.0, seed: int = 2026,
             password: str = "bench-password",  # noqa: S107 - the documented password of the data set
             progress: Callable[[str], None] | None = None) -> dict:
    """Fill the empty database at `database_url`; the row counts per table and the ids a load test needs."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from civic.accounts.models import User
    from civic.extensions import db
    from civic.territories.reference import load_reference_data

    say = progress or _stderr
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="civic-populate-") as instance:
        app = _app(database_url, Path(instance))
        with app.app_context():
            step = time.perf_counter()
            upgrade()
            if db.session.scalar(select(func.count()).select_from(User)):
                raise SystemExit(f"{database_url} already has accounts: give an empty database")
            load_reference_data()
            db.session.commit()
            say(f"{'schema and reference':<22} {time.perf_counter() - step:>25.1f} s")
            reference = Reference.read()
            rng = random.Random(seed)
            loader = Loader(db.engine, say)
            try:
                if not loader.postgres:
                    loader.execute("PRAGMA foreign_keys = ON")
                generator = Generator(reference, scale, seed, _password_hash(password, rng), loader,
                                      privacy_version=app.config["PRIVACY_VERSION"])
                step = time.perf_counter()
                texts = Texts(generator.rng, posts=max(200, min(6000, n_of(NEEDS + IDEAS, scale) // 4)),
                              comments=max(200, min(4000, n_of(COMMENTS, scale) // 20)))
                say(f"{'text pool':<22} {time.perf_counter() - step:>25.1f} s")
                generator.users()
                generator.organisations(texts)
                generator.calls(texts)
                plans = generator.plan_posts()
                generator.posts(plans, texts)
                generator.votes(plans)
                generator.comments(plans, texts)
                generator.projects()
                generator.follows_and_audit()
                loader.reset_sequences(SEQUENCED)
                counts = dict(loader.counts)
            finally:
                loader.close()
            step = time.perf_counter()
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                # Statistics first: without them the planner walks the documents' query badly (minutes).
                _vacuum_analyze(db.engine)
                say(f"{'vacuum analyze':<22} {time.perf_counter() - step:>25.1f} s")
                from civic.search.documents import all_documents
                from civic.search.postgres_engine import PostgresEngine

                step = time.perf_counter()
                indexed = PostgresEngine().rebuild(all_documents())
                counts["search_document"] = indexed
                _vacuum_analyze(db.engine, "search_document", "search_word")
                took = time.perf_counter() - step
                say(f"{'search_document':<22} {indexed:>10,} rows {took:8.1f} s {indexed / took:>12,.0f} rows/s")
            else:
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
                say(f"{'analyze':<22} {time.perf_counter() - step:>25.1f} s")
            db.session.remove()
            db.engine.dispose()
    needs = [p for p in plans if p.kind == "need" and not p.hidden]
    summary = {
        "scale": scale, "seed": seed, "seconds": round(time.perf_counter() - began, 1), "counts": counts,
        "most_voted_idea_id": generator.top_voted.id, "most_commented_idea_id": generator.top_commented.id,
        "need_id": max(needs, key=lambda p: p.votes).id if needs else None,
        "funded_project_id": generator.project_ids[0] if generator.project_ids else None,
        "city_slug": reference.cities[generator.top_voted.city][1],
        "moderator_email": f"moderatore.{reference.cities[generator.top_voted.city][1]}.1@example.it",
        "admin_email": "admin@example.it", "resident_emails": generator.resident_emails, "password": password,
    }
    return summary


def markdown(summary: dict) -> str:
    lines = [f"Scale {summary['scale']}, seed {summary['seed']}: {summary['seconds']} s", "",
             "| table | rows |", "|---|---:|"]
    lines += [f"| {table} | {count:,} |" for table, count in summary["counts"].items()]
    lines += ["", f"Most voted idea: {summary['most_voted_idea_id']}; most commented idea: "
              f"{summary['most_commented_idea_id']}; need: {summary['need_id']}; funded project: "
              f"{summary['funded_project_id']}; city: {summary['city_slug']}; moderator: {summary['moderator_email']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="URL of an empty database")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--json", type=Path, help="also write the summary to this file")
    args = parser.parse_args(argv)
    summary = populate(args.database, args.scale, args.seed, args.password)
    print(markdown(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
