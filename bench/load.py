"""HTTP load benchmark: the site under gunicorn on PostgreSQL, measured page by page with wrk.

    .venv/bin/python -m bench.load [--scale 1] [--database URL | --reuse] [--workers 4] [--clients 16]
        [--duration 15] [--out bench/results] [--server postgresql://postgres@127.0.0.1:5432/postgres]

The database is filled by bench.populate at --scale in a database of its own (dropped at the end), or with
--reuse in a kept one named after the scale and seed (filled the first time, and again when the schema
has changed since), or --database names one
already filled (its residents' password is --password). gunicorn runs as `make serve` runs it, on a free port
of 127.0.0.1, with the rate limits off. Each endpoint is warmed up, then loaded by wrk for --duration seconds
at --clients connections; besides wrk's figures (bench/wrk/report.lua), each row has the SQL statements a
request runs (counted in-process with the test client on the same database) and the peak memory of a worker
(VmHWM, reset before each endpoint). The CSV export of all ideas is timed as one full download. A race
check sends 64 identical votes at once and expects one vote row and a counter moved by one.

Writes load.md and load.json to --out, prints the table and the rows that miss the bar (p95 under 100 ms,
and at least a quarter of the requests per second of /healthz). Needs wrk (`apt-get install -y wrk`).
Not a test: the figures depend on the machine, and wrk competes with the server for its cores.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRK_DIR = Path(__file__).resolve().parent / "wrk"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "load-benchmark-secret-key"  # noqa: S105 - a throwaway key of the benchmark's server
USER_AGENT = "civic-load-bench"  # the same for Python and wrk: the login's session is tied to it
P95_BAR_MS = 100.0
BASELINE_SHARE_BAR = 0.25
SEARCH_QUERIES = ("casa", "scuola anziani", "parco", "quartiere", "alloggi famiglie", "biblioteca", "lavoro")
API_LISTS = ("needs", "ideas", "calls", "codesign", "organisations", "projects")
LIST_SORTS = ("newest", "votes", "comments", "random")  # civic/posts/listing.py SORTS
DEEP_PAGE = 500
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- database ------------------------------------------------------------------------------------

@dataclass
class Database:
    url: str
    populated: dict = field(default_factory=dict)
    drop: bool = False


def _admin(server_url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def _database_url(server_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False)


def _is_filled(url: str) -> bool:
    """Filled, and at the latest revision (one filled by an older version of the code is filled again)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar():
                return False
            if connection.execute(text("SELECT version_num FROM alembic_version")).scalar() != head:
                return False
            return bool(connection.execute(text("SELECT EXISTS (SELECT 1 FROM post)")).scalar())
    finally:
        engine.dispose()


def _populate(url: str, scale: float, seed: int, password: str) -> dict:
    try:
        from bench.populate import populate
    except ImportError as error:
        raise SystemExit(f"bench.populate is not available ({error}): pass --database URL of a filled "
                         "database instead.") from None
    began = time.perf_counter()
    counts = populate(url, scale=scale, seed=seed, password=password, progress=lambda *a, **k: print(*a, flush=True))
    print(f"populated in {time.perf_counter() - began:.0f} s", flush=True)
    return dict(counts or {})


def prepare_database(args) -> Database:
    from sqlalchemy import text

    if args.database:
        return Database(url=_database_url(args.database, urllib.parse.urlsplit(args.database).path.lstrip("/")))
    admin = _admin(args.server)
    name = (f"civic_load_s{str(args.scale).replace('.', '_')}_seed{args.seed}" if args.reuse
            else f"civic_load_{uuid.uuid4().hex[:8]}")
    url = _database_url(args.server, name)
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if exists and args.reuse and _is_filled(url):
                print(f"reusing database {name}", flush=True)
                return Database(url=url)
            if exists:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    database = Database(url=url, drop=not args.reuse)
    try:
        database.populated = _populate(url, args.scale, args.seed, args.password)
    except BaseException:
        drop_database(args.server, database)
        raise
    return database


def drop_database(server_url: str, database: Database) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    if not database.drop:
        return
    admin = _admin(server_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database.url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def make_app(database_url: str, instance: Path):
    """The same application as gunicorn's, in-process: for choosing targets and counting SQL statements
    (of building each page: no page is kept, where gunicorn's workers keep them for anonymous visitors)."""
    from civic import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance),
                       "SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False,
                       "PAGE_CACHE_SECONDS": 0, "TWO_FACTOR_ROLES": ()})


# --- gunicorn ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as `make serve` starts it (wsgi:app, --timeout 120, access log), on a free local port."""

    def __init__(self, database_url: str, workers: int, instance: Path, page_cache_seconds: int = 60):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        instance.mkdir(parents=True, exist_ok=True)
        self.log = instance / "gunicorn.log"
        # Logins are not measured: the moderators log in with their password alone (no second factor), as
        # the rate limits are off.
        env = dict(os.environ, CIVIC_DATABASE_URL=database_url, CIVIC_RATELIMIT_ENABLED="false",
                   CIVIC_SECRET_KEY=SECRET_KEY, CIVIC_INSTANCE_PATH=str(instance),
                   CIVIC_PAGE_CACHE_SECONDS=str(page_cache_seconds), CIVIC_TWO_FACTOR_ROLES=",")
        env.pop("CIVIC_SEARCH_ENGINE", None)  # the default engine: PostgreSQL full-text search
        self.command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
                        "--timeout", "120", "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-", "wsgi:app"]
        # The access log goes to stdout, like `make serve`'s; kept in the log file with the errors.
        self._log_handle = self.log.open("wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self._log_handle,  # noqa: S603
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.workers = workers

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _body = http_get(self.base, "/healthz", timeout=2)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def reset_peaks(self) -> bool:
        """Reset the workers' VmHWM (Linux: 5 > clear_refs), so that the next peak is this endpoint's."""
        done = True
        for pid in self.worker_pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                done = False
        return done

    def peak_mb(self) -> float | None:
        """The largest VmHWM of the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE):
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_handle.close()


@contextmanager
def running_server(database_url: str, workers: int, instance: Path, page_cache_seconds: int = 60):
    server = Server(database_url, workers, instance, page_cache_seconds)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# --- a small HTTP client (the standard library's: no redirects followed, cookies kept) -----------

def _connection(base: str, timeout: float) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def http_get(base: str, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, bytes]:
    connection = _connection(base, timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Browser:
    """One visitor's cookies across requests, as a browser keeps them."""

    def __init__(self, base: str, timeout: float = 60):
        self.base = base
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token = ""  # the CSRF token of the session, once read from a form

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = _connection(self.base, self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value and "expires=thu, 01 jan 1970" not in header.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, text, dict(response.headers)
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        status, text, headers = self.request("GET", path)
        if status in (301, 302, 308) and headers.get("Location"):  # /ideas/7 -> /ideas/7-its-title
            status, text, _headers = self.request("GET", urllib.parse.urlsplit(headers["Location"]).path)
        match = _CSRF.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf_token("/account/login")
        status, text, _headers = self.request("POST", "/account/login",
                                              {"csrf_token": token, "email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login of {email} failed with status {status}: {text[:200]}")


# --- what to measure -----------------------------------------------------------------------------

@dataclass
class Targets:
    city_slug: str
    most_voted_idea_id: int
    most_commented_idea_id: int
    need_id: int
    project_id: int
    moderator_email: str
    resident_emails: list[str]
    idea_pages: int = 1


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    login: str | None = None  # the email of the account the requests are made as
    votes: bool = False


def choose_targets(app, populated: dict, voters: int) -> Targets:
    """What bench.populate named, else the same chosen with SQL: the city with most ideas, the most voted
    and most commented ideas, a need and a project, a moderator of cities and active residents."""
    from sqlalchemy import func, select

    from civic.accounts.models import Role, User, moderator_city
    from civic.extensions import db
    from civic.posts.models import Post, visible_post
    from civic.projects.models import FundedProject
    from civic.territories.models import City

    with app.app_context():
        def top(kind: str, column) -> int:
            return db.session.scalar(select(Post.id).where(Post.kind == kind, visible_post())
                                     .order_by(column.desc(), Post.id).limit(1))

        city_slug = populated.get("city_slug") or db.session.scalar(
            select(City.slug).join(Post, Post.city_id == City.id).where(Post.kind == "idea", visible_post())
            .group_by(City.slug).order_by(func.count().desc()).limit(1))
        moderator = populated.get("moderator_email") or db.session.scalar(
            select(User.email).join(moderator_city, moderator_city.c.user_id == User.id)
            .where(User.role == Role.MODERATOR.value, User.active.is_(True)).order_by(User.id).limit(1))
        # bench.populate names a few residents; more of them (same password) come from the database.
        residents = list(populated.get("resident_emails") or ())
        if len(residents) < voters:
            named = set(residents)
            residents += [email for email in db.session.scalars(
                select(User.email).where(User.role == Role.RESIDENT.value, User.active.is_(True),
                                         User.blocked_at.is_(None)).order_by(User.id).limit(voters + len(named)))
                if email not in named]
        residents = residents[:voters]
        targets = Targets(
            city_slug=city_slug,
            most_voted_idea_id=populated.get("most_voted_idea_id") or top("idea", Post.vote_count),
            most_commented_idea_id=populated.get("most_commented_idea_id") or top("idea", Post.comment_count),
            need_id=populated.get("need_id") or top("need", Post.vote_count),
            project_id=populated.get("project_id") or populated.get("funded_project_id") or db.session.scalar(
                select(FundedProject.id).order_by(FundedProject.id).limit(1)),
            moderator_email=moderator, resident_emails=residents)
        missing = [name for name, value in asdict(targets).items() if not value]
        if missing:
            raise SystemExit(f"the database lacks what the benchmark needs: {', '.join(missing)}")
        from civic.posts import listing
        from civic.posts.models import Idea

        city = db.session.scalar(select(City).where(City.slug == targets.city_slug))
        targets.idea_pages = listing.run(listing.parse(Idea, city, {})).pages
        return targets


def canonical(client, path: str) -> str:
    """The page's own address: /ideas/7 redirects to /ideas/7-its-title, which is what visitors load."""
    response = client.get(path)
    if response.status_code in (301, 302, 308) and response.location:
        location = urllib.parse.urlsplit(response.location)
        return location.path + (f"?{location.query}" if location.query else "")
    if response.status_code != 200:
        raise SystemExit(f"{path} answers {response.status_code}")
    return path


def endpoints(app, targets: Targets) -> list[Endpoint]:
    deep = min(DEEP_PAGE, targets.idea_pages)
    client = app.test_client()
    with app.app_context():
        idea = canonical(client, f"/ideas/{targets.most_voted_idea_id}")
        commented = canonical(client, f"/ideas/{targets.most_commented_idea_id}")
        need = canonical(client, f"/needs/{targets.need_id}")
        project = canonical(client, f"/projects/{targets.project_id}")
    listed = []
    for sort in LIST_SORTS:
        for page in sorted({1, deep}):  # a list of one page has no deeper one
            query = urllib.parse.urlencode({k: v for k, v in (("sort", sort), ("page", page))
                                            if v not in ("newest", 1)})
            path = f"/cities/{targets.city_slug}/ideas" + (f"?{query}" if query else "")
            if sort == "random":  # the list sends each visitor to the address of their own order
                with app.app_context():
                    path = canonical(client, path)
            listed.append(Endpoint(f"ideas list sort={sort} page={page}", [path]))
    return [
        Endpoint("/healthz (baseline)", ["/healthz"]),
        Endpoint("home", ["/"]),
        *listed,
        Endpoint("idea, most voted", [idea]),
        Endpoint("idea, most commented", [commented]),
        Endpoint("need", [need]),
        Endpoint("search", [f"/search?{urllib.parse.urlencode({'q': q})}" for q in SEARCH_QUERIES]),
        Endpoint("programme dashboard", ["/dashboard"]),
        Endpoint("project", [project]),
        *[Endpoint(f"API /api/v1/{name}", [f"/api/v1/{name}"]) for name in API_LISTS],
        Endpoint("vote (POST, logged in)", [], votes=True),
        Endpoint("moderation queue (moderator)", ["/moderation/"], login=targets.moderator_email),
    ]


# --- votes ---------------------------------------------------------------------------------------

def votable_ideas(app, limit: int) -> list[int]:
    """Ideas open to votes (status, visibility, the call's voting phase), most recent first."""
    from sqlalchemy import select

    from civic.extensions import db
    from civic.posts.lifecycle import VOTABLE
    from civic.posts.models import Idea
    from civic.posts.permissions import call_votes_open

    with app.app_context():
        ideas = db.session.scalars(select(Idea).where(Idea.status.in_([s.value for s in VOTABLE]),
                                                      Idea.hidden_at.is_(None))
                                   .order_by(Idea.id.desc()).limit(limit * 3))
        return [idea.id for idea in ideas if call_votes_open(idea)][:limit]


def existing_votes(app, emails: list[str]) -> set[tuple[str, int]]:
    from sqlalchemy import select

    from civic.accounts.models import User
    from civic.extensions import db
    from civic.participation.models import Vote

    with app.app_context():
        return set(db.session.execute(select(User.email, Vote.post_id).join(Vote, Vote.user_id == User.id)
                                      .where(User.email.in_(emails))).tuples())


def log_in_all(base: str, emails: list[str], password: str, page: str, parallel: int = 8) -> dict[str, Browser]:
    """Each account logged in through the server, with the CSRF token of a form on `page`."""
    def one(email: str) -> Browser:
        browser = Browser(base)
        browser.login(email, password)
        browser.token = browser.csrf_token(page)  # kept in the session: the cookie changes with it
        return browser

    with ThreadPoolExecutor(parallel) as pool:
        return dict(zip(emails, pool.map(one, emails), strict=True))


def vote_file(path: Path, pairs: list[tuple[str, int]], sessions: dict[str, Browser]) -> int:
    with path.open("w") as handle:
        for email, idea_id in pairs:
            browser = sessions[email]
            handle.write(f"{idea_id}\t{urllib.parse.quote(browser.token, safe='')}\t{browser.cookie_header}\n")
    return len(pairs)


def vote_pairs(app, emails: list[str], ideas: list[int], seed: int) -> list[tuple[str, int]]:
    """Every (resident, idea) pair without a vote yet, shuffled: each request is a new vote."""
    taken = existing_votes(app, emails)
    pairs = [(email, idea) for email in emails for idea in ideas if (email, idea) not in taken]
    random.Random(seed).shuffle(pairs)
    return pairs


# --- SQL statements per request (in-process, test client, same database) -------------------------

def sql_per_request(app, endpoint: Endpoint, password: str, vote_targets: list[tuple[str, int]] = (),
                    repeat: int = 3) -> float | None:
    from sqlalchemy import event

    from civic.extensions import db

    statements = 0
    requests = 0

    def count(*_args):
        nonlocal statements
        statements += 1

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    headers = {"User-Agent": USER_AGENT}
    email = endpoint.login or (vote_targets[0][0] if endpoint.votes and vote_targets else None)
    if email:
        token = _CSRF.search(client.get("/account/login", headers=headers).get_data(as_text=True)).group(1)
        response = client.post("/account/login", data={"csrf_token": token, "email": email, "password": password},
                               headers=headers)
        if response.status_code != 302:
            raise RuntimeError(f"in-process login of {email} failed: {response.status_code}")
    if endpoint.votes:
        if not vote_targets:
            return None
        token = _CSRF.search(client.get(f"/ideas/{vote_targets[0][1]}", headers=headers,
                                        follow_redirects=True).get_data(as_text=True)).group(1)
        calls = [("POST", f"/posts/{idea}/vote", {"csrf_token": token}) for _email, idea in vote_targets]
    else:
        paths = endpoint.paths * max(1, math.ceil(repeat / len(endpoint.paths)))
        for path in endpoint.paths:  # first requests fill caches: not what a loaded server does
            client.get(path, headers=headers)
        calls = [("GET", path, None) for path in paths]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for method, path, data in calls:
            response = client.open(path, method=method, data=data, headers=headers)
            response.get_data()  # a streamed body runs its queries while it is read
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {path} answered {response.status_code} in-process")
            requests += 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return round(statements / requests, 1) if requests else None


# --- wrk -----------------------------------------------------------------------------------------

def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`.")
    return found


def run_wrk(base: str, script: str, script_args: list[str], clients: int, threads: int, duration: float,
            timeout_s: int = 10) -> dict:
    threads = max(1, min(threads, clients))
    command = [wrk_path(), "-c", str(clients), "-t", str(threads), "-d", f"{max(1, round(duration))}s",
               "--timeout", f"{timeout_s}s", "-s", str(WRK_DIR / script), base, "--", *script_args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout_s + 60)  # noqa: S603
    line = next((line for line in result.stdout.splitlines() if line.startswith("WRK_RESULT ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout[-800:]}{result.stderr[-800:]}")
    return json.loads(line.removeprefix("WRK_RESULT "))


def wrk_figures(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    requests = raw["requests"]
    failed = raw["status_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"] + raw[
        "connect_errors"]
    return {"requests": requests, "rps": round(requests / seconds, 1) if seconds else 0.0,
            "p50_ms": round(raw["p50_us"] / 1000, 1), "p95_ms": round(raw["p95_us"] / 1000, 1),
            "p99_ms": round(raw["p99_us"] / 1000, 1), "errors_pct": round(100 * failed / max(requests, 1), 2),
            "status_errors": raw["status_errors"], "socket_errors": failed - raw["status_errors"],
            "wraps": raw["wraps"], "kept_pct": round(100 * raw.get("kept", 0) / max(requests, 1), 1)}


# --- the CSV export and the race of votes -------------------------------------------------------

def measure_export(server: Server, path: str = "/opendata/ideas.csv") -> dict:
    """One full download of the CSV of all ideas: its time and the peak memory of the worker that served it."""
    server.reset_peaks()
    connection = _connection(server.base, 600)
    began = time.perf_counter()
    size = 0
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT})
        response = connection.getresponse()
        first = None
        while chunk := response.read(1 << 16):
            first = first or time.perf_counter()
            size += len(chunk)
        status = response.status
    finally:
        connection.close()
    elapsed = time.perf_counter() - began
    return {"path": path, "status": status, "bytes": size, "seconds": round(elapsed, 2),
            "first_byte_ms": round(((first or time.perf_counter()) - began) * 1000, 1),
            "peak_mb": server.peak_mb()}


DOWNLOADS_P95_BAR_MS = 200.0  # the other pages while ten clients download every open-data file
EXPORT_PATHS = tuple(f"/opendata/{name}.{fmt}" for name in ("needs", "ideas", "calls", "codesign",
                                                                  "organisations", "projects")
                     for fmt in ("csv", "json"))


@contextmanager
def parallel_downloads(server: Server, parallel: int = 10):
    """`parallel` clients downloading every open-data file over and over (each one whole, as fast as the
    server sends it) while the block runs; yields the statuses they got, counted when the block ends."""
    stop = threading.Event()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def download(start: int) -> None:
        turn = start
        while not stop.is_set():
            path = EXPORT_PATHS[turn % len(EXPORT_PATHS)]
            turn += 1
            connection = _connection(server.base, 600)
            try:
                connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"})
                response = connection.getresponse()
                while response.read(1 << 16):
                    pass
                status = response.status
            except OSError:
                status = "error"
            finally:
                connection.close()
            with lock:
                statuses[status] += 1
            if status == 503:
                stop.wait(1.0)  # as Retry-After asks, a little
    threads = [threading.Thread(target=download, args=(i,), daemon=True) for i in range(parallel)]
    for thread in threads:
        thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)


def race_check(server: Server, app, email: str, password: str, idea_id: int, concurrent: int = 64) -> dict:
    """`concurrent` identical vote POSTs of one account, released together through gunicorn: one vote row,
    and the idea's counter moved by exactly one."""
    from sqlalchemy import func, select

    from civic.accounts.models import User
    from civic.extensions import db
    from civic.participation.models import Vote
    from civic.posts.models import Post

    browser = Browser(server.base)
    browser.login(email, password)
    token = browser.csrf_token(f"/ideas/{idea_id}")
    with app.app_context():
        before = db.session.scalar(select(Post.vote_count).where(Post.id == idea_id))
        db.session.remove()
    body = urllib.parse.urlencode({"csrf_token": token})
    headers = {"User-Agent": USER_AGENT, "Cookie": browser.cookie_header,
               "Content-Type": "application/x-www-form-urlencoded"}
    barrier = threading.Barrier(concurrent)
    statuses: list[int | str] = [0] * concurrent

    def send(i: int) -> None:
        connection = _connection(server.base, 120)
        try:
            connection.connect()
            barrier.wait()
            connection.request("POST", f"/posts/{idea_id}/vote", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[i] = response.status
        except Exception as error:  # noqa: BLE001 - the figure reported is what each request met
            statuses[i] = type(error).__name__
        finally:
            connection.close()

    workers = [threading.Thread(target=send, args=(i,)) for i in range(concurrent)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        rows = db.session.scalar(select(func.count()).select_from(Vote)
                                 .where(Vote.post_id == idea_id, Vote.user_id == user_id))
        after = db.session.scalar(select(Post.vote_count).where(Post.id == idea_id))
        total = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == idea_id))
        db.session.remove()
    tally: dict[str, int] = {}
    for status in statuses:
        tally[str(status)] = tally.get(str(status), 0) + 1
    return {"concurrent": concurrent, "idea_id": idea_id, "statuses": tally, "vote_rows": rows,
            "vote_count_before": before, "vote_count_after": after, "vote_rows_of_idea": total,
            "ok": rows == 1 and after == before + 1 and after == total}


def race_target(app, email: str, ideas: list[int]) -> int:
    """A votable idea this account has not voted, with no votes at all if there is one."""
    from sqlalchemy import select

    from civic.extensions import db
    from civic.posts.models import Post

    taken = {idea for voter, idea in existing_votes(app, [email]) if voter == email}
    candidates = [idea for idea in ideas if idea not in taken]
    if not candidates:
        raise SystemExit(f"{email} has voted every idea open to votes: no idea left for the race check")
    with app.app_context():
        unvoted = db.session.scalar(select(Post.id).where(Post.id.in_(candidates), Post.vote_count == 0).limit(1))
        db.session.remove()
    return unvoted or candidates[0]


# --- the report ----------------------------------------------------------------------------------

COLUMNS = ("endpoint", "req/s", "× baseline", "p50 ms", "p95 ms", "p99 ms", "errors %", "kept %", "SQL/req",
           "peak MB/worker")


def _cell(value) -> str:
    return "–" if value is None else str(value)


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] + ["---:"] * (len(COLUMNS) - 1)) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_cell(v) for v in (
            row["endpoint"], row.get("rps"), row.get("ratio"), row.get("p50_ms"), row.get("p95_ms"),
            row.get("p99_ms"), row.get("errors_pct"), row.get("kept_pct"), row.get("sql_per_request"),
            row.get("peak_mb"))) + " |")
    return "\n".join(lines)


def misses(rows: list[dict]) -> list[str]:
    missed = []
    for index, row in enumerate(rows):
        reasons = []
        bar = row.get("p95_bar_ms", P95_BAR_MS)
        if row.get("p95_ms") is not None and row["p95_ms"] >= bar:
            reasons.append(f"p95 {row['p95_ms']} ms ≥ {bar:.0f} ms")
        if index and row.get("ratio") is not None and row["ratio"] < BASELINE_SHARE_BAR:
            reasons.append(f"{row['rps']} req/s is {row['ratio']:.1%} of the baseline (< 25%)")
        if row.get("errors_pct"):
            reasons.append(f"{row['errors_pct']}% errors")
        if reasons:
            missed.append(f"{row['endpoint']}: {'; '.join(reasons)}")
    return missed


def report(out: Path, meta: dict, rows: list[dict], export: dict, race: dict) -> str:
    out.mkdir(parents=True, exist_ok=True)
    missed = misses(rows)
    votes_repeated = sum(row.get("wraps", 0) for row in rows if row["endpoint"].startswith("vote"))
    lines = [
        "# Load benchmark",
        "",
        f"{meta['workers']} gunicorn workers, wrk with {meta['clients']} connections for {meta['duration']} s per "
        f"endpoint ({meta['threads']} threads), scale {meta['scale']}, {meta['cpus']} CPUs, wrk on the same "
        f"machine. Database: {meta['database']}. Rows: {json.dumps(meta['rows'])}.",
        "",
        (f"Pages kept for anonymous visitors up to {meta['page_cache_seconds']} s (CIVIC_PAGE_CACHE_SECONDS); "
         "\"kept %\" is the share of answers served from them. \"SQL/req\" counts the statements of building "
         "the page.") if meta.get("page_cache_seconds") else
        "No page kept (CIVIC_PAGE_CACHE_SECONDS=0): every answer built for its request.",
        "",
        table(rows),
        "",
        f"CSV export of all ideas ({export['path']}): one download of {export['bytes'] / 1e6:.1f} MB in "
        f"{export['seconds']} s (first byte after {export['first_byte_ms']} ms), status {export['status']}, "
        f"peak {_cell(export['peak_mb'])} MB in the worker, {_cell(export.get('sql_per_request'))} SQL statements.",
        "",
        f"Race check: {race['concurrent']} identical votes at once → {race['vote_rows']} vote row, counter "
        f"{race['vote_count_before']} → {race['vote_count_after']} ({race['vote_rows_of_idea']} rows for the idea), "
        f"statuses {race['statuses']}: {'OK' if race['ok'] else 'FAILED'}.",
        "",
        *([f"The vote list ran out: {votes_repeated} vote requests repeated a (resident, idea) pair already "
           "voted (raise --voters or --vote-ideas).", ""] if votes_repeated else []),
        f"Bar: p95 < {P95_BAR_MS:.0f} ms at {meta['clients']} clients and at least {BASELINE_SHARE_BAR:.0%} of the "
        f"baseline's req/s; during the parallel downloads, p95 < {DOWNLOADS_P95_BAR_MS:.0f} ms.",
        "",
        *(["Rows that miss the bar:", "", *[f"- {line}" for line in missed]] if missed
          else ["Every row meets the bar."]),
    ]
    text = "\n".join(lines) + "\n"
    (out / "load.md").write_text(text)
    (out / "load.json").write_text(json.dumps({"meta": meta, "rows": rows, "export": export, "race": race,
                                               "missed": missed}, indent=2, ensure_ascii=False) + "\n")
    return text


# --- the run -------------------------------------------------------------------------------------

def measure_endpoint(server: Server, endpoint: Endpoint, work: Path, args, sessions: dict[str, Browser],
                     votes: dict[str, Path]) -> dict:
    if endpoint.votes:
        script, warm_args, run_args = "vote.lua", [str(votes["warm"]), str(args.threads)], [
            str(votes["run"]), str(args.threads)]
    else:
        listing = work / f"paths-{abs(hash(endpoint.name))}.txt"
        listing.write_text("\n".join(endpoint.paths) + "\n")
        cookie = sessions[endpoint.login].cookie_header if endpoint.login else ""
        script = "paths.lua"
        warm_args = run_args = [str(listing), str(args.threads), cookie]
    run_wrk(server.base, script, warm_args, args.clients, args.threads, args.warmup)
    server.reset_peaks()
    figures = wrk_figures(run_wrk(server.base, script, run_args, args.clients, args.threads, args.duration))
    return {"endpoint": endpoint.name, "paths": endpoint.paths, **figures, "peak_mb": server.peak_mb()}


def run(args) -> dict:
    wrk_path()
    database = prepare_database(args)
    try:
        with tempfile.TemporaryDirectory(prefix="civic-load-") as tmp:
            return _run(args, database, Path(tmp))
    finally:
        drop_database(args.server, database)


def _run(args, database: Database, work: Path) -> dict:
    from sqlalchemy import func, select

    from civic.extensions import db
    from civic.posts.models import Post

    app = make_app(database.url, work / "instance")
    targets = choose_targets(app, database.populated, args.voters)
    plan = endpoints(app, targets)
    if args.only:  # the baseline always, for the ratios
        plan = [plan[0], *(e for e in plan[1:] if any(part in e.name for part in args.only))]
    with app.app_context():
        counts = database.populated.get("counts") or {
            kind: db.session.scalar(select(func.count()).select_from(Post).where(Post.kind == kind))
            for kind in ("need", "idea")}
        db.session.remove()
    ideas = votable_ideas(app, args.vote_ideas)
    race_email, voters = targets.resident_emails[0], targets.resident_emails[1:]
    if not voters or not ideas:
        raise SystemExit("the benchmark needs at least two residents and one idea open to votes")
    race_idea = race_target(app, race_email, ideas)
    pairs = [pair for pair in vote_pairs(app, voters, ideas, args.seed) if pair[1] != race_idea]
    # Three votes of one resident, counted in-process, are kept out of wrk's list.
    sql_votes = [pair for pair in pairs if pair[0] == voters[0]][:3]
    pairs = [pair for pair in pairs if pair not in sql_votes]
    print(f"{len(plan)} endpoints, {len(voters)} voters × {len(ideas)} ideas = {len(pairs)} new votes available",
          flush=True)

    with running_server(database.url, args.workers, work / "instance", args.page_cache_seconds) as server:
        print(f"gunicorn on {server.base} (pid {server.process.pid}, workers {server.worker_pids()})", flush=True)
        peaks_reset = server.reset_peaks()  # else each peak is the worker's since it started
        began = time.perf_counter()
        sessions = log_in_all(server.base, voters, args.password, f"/ideas/{ideas[0]}")
        sessions.update(log_in_all(server.base, [targets.moderator_email], args.password, "/moderation/"))
        print(f"logged in {len(sessions)} accounts in {time.perf_counter() - began:.1f} s", flush=True)
        warm_share = max(1, len(pairs) // 10)
        vote_files = {"warm": work / "votes-warm.tsv", "run": work / "votes-run.tsv"}
        vote_file(vote_files["warm"], pairs[:warm_share], sessions)
        vote_file(vote_files["run"], pairs[warm_share:], sessions)

        race = race_check(server, app, race_email, args.password, race_idea)
        print(f"race check: {race}", flush=True)
        rows = []
        for endpoint in plan:
            row = measure_endpoint(server, endpoint, work, args, sessions, vote_files)
            row["sql_per_request"] = sql_per_request(app, endpoint, args.password, sql_votes)
            rows.append(row)
            print(f"{endpoint.name}: {row['rps']} req/s, p95 {row['p95_ms']} ms, errors {row['errors_pct']}%, "
                  f"SQL {row['sql_per_request']}, peak {row['peak_mb']} MB", flush=True)
        baseline = rows[0]["rps"] or None
        for row in rows:
            # Rounded down: a row just short of the bar must not round up to meet it.
            row["ratio"] = math.floor(1000 * row["rps"] / baseline) / 1000 if baseline else None
        export = measure_export(server)
        export["sql_per_request"] = sql_per_request(app, Endpoint("export", [export["path"]]), args.password,
                                                    repeat=1)
        rows.append({"endpoint": f"CSV export {export['path']} (one download)", "rps": None, "ratio": None,
                     "p50_ms": round(export["seconds"] * 1000, 1), "p95_ms": None, "p99_ms": None,
                     "errors_pct": 0.0 if export["status"] == 200 else 100.0,
                     "sql_per_request": export["sql_per_request"], "peak_mb": export["peak_mb"]})
        # The other pages while ten clients download every open-data file again and again.
        with parallel_downloads(server, 10) as downloads:
            row = measure_endpoint(server, plan[0], work, args, sessions, vote_files)
        row["endpoint"] = f"{plan[0].name}, during 10 parallel downloads of every open-data file"
        row["downloads"] = {str(status): count for status, count in downloads.items()}
        row["p95_bar_ms"] = DOWNLOADS_P95_BAR_MS
        rows.append(row)
        print(f"{row['endpoint']}: {row['rps']} req/s, p95 {row['p95_ms']} ms, downloads {row['downloads']}",
              flush=True)
    meta = {"scale": args.scale, "seed": args.seed, "workers": args.workers, "clients": args.clients,
            "page_cache_seconds": args.page_cache_seconds,
            "duration": args.duration, "threads": args.threads, "cpus": os.cpu_count(),
            "database": ("populated for this run" if database.populated else "reused")
            + (", dropped at the end" if database.drop else ", kept"),
            "rows": counts, "targets": asdict(targets) | {"resident_emails": len(targets.resident_emails)},
            "peaks_reset": peaks_reset}
    text = report(Path(args.out), meta, rows, export, race)
    print(text)
    return {"meta": meta, "rows": rows, "export": export, "race": race}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="a filled database to use as it is (not dropped)")
    where.add_argument("--reuse", action="store_true", help="keep the populated database and reuse it next time")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server for the populated database")
    parser.add_argument("--password", default="bench-password", help="the password of the benchmark's accounts")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk before each measure")
    parser.add_argument("--voters", type=int, default=200, help="residents logged in to vote")
    parser.add_argument("--vote-ideas", type=int, default=200, help="ideas they vote")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="measure only the endpoints whose name contains TEXT (repeatable), and the baseline")
    parser.add_argument("--page-cache-seconds", type=int, default=60,
                        help="CIVIC_PAGE_CACHE_SECONDS of the workers (0: every page built for every request)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    return 0 if result["race"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
