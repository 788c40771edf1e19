"""Search benchmark: a corpus of Italian needs and ideas (100,000 by default, deterministic), indexed by
each engine, then 200 fixed queries timed through the engine's full search (ranking, facets, snippets).

    .venv/bin/python -m bench.search [--documents 100000] [--engines whoosh,postgresql]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

PostgreSQL gets a database of its own, dropped at the end. Prints a Markdown table (and --json FILE
writes the figures). Not a test: the figures depend on the machine.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBJECTS = ["alloggi", "casa", "case popolari", "scuola", "asilo", "parco", "giardini", "biblioteca", "piazza",
            "marciapiede", "fermata dell'autobus", "ambulatorio", "centro anziani", "doposcuola", "palestra",
            "mercato", "lavatoio", "cortile", "ascensore", "illuminazione", "fontanella", "panchine",
            "pista ciclabile", "campo da calcio", "sportello sociale", "mensa", "dormitorio", "consultorio",
            "centro giovani", "orti urbani", "portierato sociale", "laboratorio", "emporio solidale", "teatro"]
PROBLEMS = ["è chiuso da mesi", "non è accessibile", "manca del tutto", "è degradato", "è pericoloso di sera",
            "è sovraffollato", "non ha orari adatti", "è lontano dal quartiere", "ha bisogno di manutenzione",
            "non ha personale", "è stato vandalizzato", "costa troppo per le famiglie"]
PEOPLE = ["anziani soli", "famiglie con bambini", "giovani senza lavoro", "persone senza dimora",
          "persone con disabilità", "donne sole", "studenti", "nuovi arrivati", "lavoratori precari",
          "minori stranieri", "caregiver", "inquilini delle case popolari"]
PROPOSALS = ["aprire", "riqualificare", "gestire insieme", "ampliare", "rendere accessibile", "illuminare",
             "presidiare", "trasformare in spazio comune", "affidare a un'associazione", "riaprire la sera"]
EXTRA = ["quartiere", "città", "comune", "servizio", "rete", "volontari", "inclusione", "sostegno", "affitto",
         "sfratto", "povertà", "lavoro", "formazione", "mediazione", "cura", "sicurezza", "verde", "barriere",
         "trasporti", "prossimità", "solidarietà", "accoglienza", "integrazione", "salute", "energia", "rifiuti"]
CITIES = list(range(1, 15))
THEMES = list(range(1, 9))
STATUSES = ["published", "under_review", "shortlisted", "selected_for_codesign", "funded", "rejected"]
TYPOS = ["alogio", "scuolla", "biblioteka", "giardni", "ascensor", "panchinne", "ambulatoro", "quartere",
         "anzini", "dormitoro"]


SYLLABLES = ["ba", "be", "bi", "bo", "ca", "ce", "ci", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga", "gi",
             "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra",
             "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "za", "zo"]
ENDINGS = ["re", "to", "ta", "ti", "zione", "mento", "ria", "tore", "nza", "ggio"]
VOCABULARY_SIZE = 4000


def vocabulary(seed: int = 11) -> list[str]:
    """The content words of the corpus, most frequent first: the real ones of EXTRA, then made-up
    Italian-sounding words, so that word frequencies follow Zipf's law as in real text."""
    rng = random.Random(seed)
    words, seen = list(EXTRA), set(EXTRA)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 3))) + rng.choice(ENDINGS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _zipf_weights(size: int) -> list[float]:
    # 1/(rank + 10): the commonest content word is in about a third of the texts, as "quartiere" would be.
    return [1.0 / (rank + 10) for rank in range(1, size + 1)]


def corpus(n: int, seed: int = 2026):
    from civic.search.documents import Document

    rng = random.Random(seed)
    words = vocabulary()
    weights = list(itertools.accumulate(_zipf_weights(len(words))))
    start = datetime(2021, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        kind = "need" if i % 5 else "idea"
        subject = rng.choice(SUBJECTS)
        people = rng.choice(PEOPLE)
        content = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(12, 40)))
        if kind == "need":
            title = f"{subject.capitalize()} che {rng.choice(PROBLEMS)}"
            body = f"{subject.capitalize()} {rng.choice(PROBLEMS)}: ne soffrono {people}. {content}"
        else:
            title = f"{rng.choice(PROPOSALS).capitalize()} {subject} per {people}"
            body = f"Proponiamo di {rng.choice(PROPOSALS)} {subject} con chi ci abita. {content}"
        city = rng.choice(CITIES)
        yield Document(kind=kind, id=i, city_id=city, title=title, body=body, status=rng.choice(STATUSES),
                       created_at=start + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 5)),
                       neighbourhood_ids=(city * 10 + rng.randint(0, 9),), theme_ids=(rng.choice(THEMES),),
                       language="it")


def queries(seed: int = 7) -> list[dict]:
    """200 queries: subjects, common, middling and rare words, pairs, people, typos; some filtered."""
    rng = random.Random(seed)
    words = vocabulary()
    asked = []
    for i in range(200):
        shape = i % 8
        if shape == 0:
            chosen = [rng.choice(SUBJECTS).split()[0]]
        elif shape == 1:
            chosen = [rng.choice(words[:20])]
        elif shape == 2:
            chosen = [rng.choice(words[20:500])]
        elif shape == 3:
            chosen = [rng.choice(words[500:])]
        elif shape == 4:
            chosen = [rng.choice(SUBJECTS).split()[0], rng.choice(words[:200])]
        elif shape == 5:
            chosen = rng.choice(PEOPLE).split()[:2]
        elif shape == 6:
            chosen = [rng.choice(TYPOS)]
        else:
            chosen = [rng.choice(words[:50]), rng.choice(words[:50])]
        asked.append({"words": chosen, "city_id": rng.choice(CITIES) if i % 4 == 0 else None,
                      "kind": "idea" if i % 7 == 0 else None})
    return asked


def _app(database_url: str, instance: Path):
    from civic import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                       "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False,
                       "SEARCH_INDEX_ON_COMMIT": False})


def measure(engine, asked: list[dict]) -> dict:
    from civic.search.query import SearchRequest

    timings, totals = [], []
    for q in asked[:20]:  # warm-up
        engine.search(SearchRequest(words=q["words"], city_id=q["city_id"], kind=q["kind"]))
    for q in asked:
        began = time.perf_counter()
        result = engine.search(SearchRequest(words=q["words"], city_id=q["city_id"], kind=q["kind"]))
        if result.total == 0 and hasattr(engine, "correction"):
            for word in q["words"]:
                engine.correction(word)
        timings.append((time.perf_counter() - began) * 1000)
        totals.append(result.total)
    timings.sort()
    return {"p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "max_ms": round(timings[-1], 1), "mean_results": round(statistics.mean(totals))}


def bench_whoosh(n: int, asked: list[dict]) -> dict:
    from civic.search.whoosh_engine import WhooshEngine

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp))
        with app.app_context():
            engine = WhooshEngine(Path(tmp) / "search-index")
            began = time.perf_counter()
            engine.rebuild(corpus(n))
            built = time.perf_counter() - began
            return {"engine": "whoosh", "documents": n, "build_s": round(built, 1), **measure(engine, asked)}


def bench_postgres(n: int, asked: list[dict], server_url: str) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from civic.extensions import db
    from civic.search.postgres_engine import PostgresEngine, prepare_database

    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"civic_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = _app(url.render_as_string(hide_password=False), Path(tmp))
            with app.app_context():
                with db.engine.begin() as connection:
                    prepare_database(connection)
                from civic.search.models import SearchDocument, SearchWord

                db.metadata.create_all(db.engine, tables=[SearchDocument.__table__, SearchWord.__table__])
                engine = PostgresEngine()
                began = time.perf_counter()
                engine.rebuild(corpus(n))
                # As autovacuum would leave it (visibility map, statistics of the lexemes), so that the
                # queries are not timed against it running in the background.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE search_document"))
                    connection.execute(text("VACUUM ANALYZE search_word"))
                built = time.perf_counter() - began
                figures = {"engine": "postgresql", "documents": n, "build_s": round(built, 1),
                           **measure(engine, asked)}
                db.session.remove()
                db.engine.dispose()
                return figures
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--engines", default="whoosh,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    asked = queries()
    rows = []
    for name in args.engines.split(","):
        print(f"{name}: indexing {args.documents} documents…", file=sys.stderr, flush=True)
        rows.append(bench_whoosh(args.documents, asked) if name == "whoosh"
                    else bench_postgres(args.documents, asked, args.postgres))
    print("| Engine | Documents | Index build (s) | p50 (ms) | p95 (ms) | max (ms) | mean results |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['engine']} | {r['documents']:,} | {r['build_s']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['max_ms']} | {r['mean_results']:,} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
