"""The load benchmark's own pieces on a small PostgreSQL database: gunicorn started as bench/load.py starts
it, the race of 64 identical votes through it, the SQL statements per request, and (with wrk installed)
a short wrk run parsed into figures. The full load is not run here: its figures depend on the machine."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import load

POSTGRES_URL = os.environ.get("CIVIC_TEST_POSTGRES_URL")
PASSWORD = "bench-password"

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="CIVIC_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="module")
def filled_database():
    """A database of its own filled by bench.populate at a tiny scale, dropped at the end."""
    from bench.populate import populate

    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"civic_test_load_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url, populate(url, scale=0.005, seed=7, password=PASSWORD, progress=lambda *_: None)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def app(filled_database, tmp_path_factory):
    url, _populated = filled_database
    app = load.make_app(url, tmp_path_factory.mktemp("load-instance"))
    yield app
    from civic.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def targets(app, filled_database):
    return load.choose_targets(app, filled_database[1], voters=5)


@pytest.fixture(scope="module")
def server(filled_database, tmp_path_factory):
    with load.running_server(filled_database[0], workers=2, instance=tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def test_gunicorn_answers_health_with_its_workers(server):
    status, body = load.http_get(server.base, "/healthz")
    assert status == 200, body[:200]
    assert len(server.worker_pids()) == 2
    assert server.peak_mb() > 10


def test_64_identical_votes_at_once_count_once(server, app, targets):
    email = targets.resident_emails[0]
    idea = load.race_target(app, email, load.votable_ideas(app, 20))
    race = load.race_check(server, app, email, PASSWORD, idea, concurrent=64)
    assert race["vote_rows"] == 1, race
    assert race["vote_count_after"] == race["vote_count_before"] + 1 == race["vote_rows_of_idea"], race
    assert sum(race["statuses"].values()) == 64 and set(race["statuses"]) <= {"302"}, race


def test_sql_statements_per_request_are_bounded(app, targets):
    plan = {endpoint.name: endpoint for endpoint in load.endpoints(app, targets)}
    health = load.sql_per_request(app, plan["/healthz (baseline)"], PASSWORD)
    idea = load.sql_per_request(app, plan["idea, most voted"], PASSWORD)
    listing = load.sql_per_request(app, plan["ideas list sort=votes page=1"], PASSWORD)
    queue = load.sql_per_request(app, plan["moderation queue (moderator)"], PASSWORD)
    assert 0 <= health <= 2
    for figure in (idea, listing, queue):
        assert 1 <= figure <= 40


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_a_short_wrk_run_gives_figures(server, tmp_path):
    paths = tmp_path / "paths.txt"
    paths.write_text("/healthz\n")
    figures = load.wrk_figures(load.run_wrk(server.base, "paths.lua", [str(paths), "1", ""], clients=4,
                                            threads=1, duration=2))
    assert figures["requests"] > 10
    assert figures["rps"] > 5
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert figures["errors_pct"] == 0


def test_a_worker_killed_during_a_burst_loses_nothing_it_confirmed_and_stores_nothing_twice(server, app, targets):
    """Votes and comments sent by 8 visitors at once while gunicorn's workers are killed (SIGKILL) again and
    again mid-burst: every request answered with success was stored, none twice, and every counter is exact."""
    import os
    import signal
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from civic.accounts.models import User
    from civic.comments.models import Comment
    from civic.extensions import db
    from civic.participation.models import Vote
    from civic.posts.models import Post

    emails = targets.resident_emails[:5]
    ideas = load.votable_ideas(app, 30)
    done = load.existing_votes(app, emails)
    pairs = [(email, idea) for idea in ideas for email in emails if (email, idea) not in done]
    browsers = load.log_in_all(server.base, emails, PASSWORD, f"/ideas/{ideas[0]}")
    assert len(pairs) >= 60, len(pairs)
    run = uuid.uuid4().hex[:8]
    requests = []
    for n, (email, idea) in enumerate(pairs):
        requests.append(("vote", email, idea, f"/posts/{idea}/vote", {}))
        requests.append(("comment", email, idea, f"/posts/{idea}/comments", {"body": f"Commento {run}-{n}"}))
    outcomes: dict[int, int | str] = {}
    sent = threading.Semaphore(0)

    def send(i: int) -> None:
        kind, email, idea, path, form = requests[i]
        browser = browsers[email]
        try:
            status, _text, _headers = browser.request("POST", path, {"csrf_token": browser.token, **form})
            outcomes[i] = status
        except OSError as error:  # the killed worker's connections
            outcomes[i] = type(error).__name__
        sent.release()

    kills = 0
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(send, i) for i in range(len(requests))]
        # A worker is killed after every tenth of the burst, whichever is serving then.
        for _ in range(6):
            for _ in range(len(requests) // 10):
                sent.acquire()
            workers = server.worker_pids()
            if workers:
                os.kill(workers[kills % len(workers)], signal.SIGKILL)
                kills += 1
        for future in futures:
            future.result()
    server.wait_ready()
    assert kills >= 5

    with app.app_context():
        user_ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).tuples().all())
        votes = set(db.session.execute(select(Vote.user_id, Vote.post_id).where(Vote.user_id.in_(user_ids.values())))
                    .tuples())
        bodies = list(db.session.scalars(select(Comment.body_markdown).where(Comment.body_markdown.like(f"Commento {run}-%"))))
        for i, (kind, email, idea, _path, form) in enumerate(requests):
            if outcomes[i] == 302:  # confirmed to the visitor: stored
                if kind == "vote":
                    assert (user_ids[email], idea) in votes, (i, outcomes[i])
                else:
                    assert form["body"] in bodies, (i, outcomes[i])
        assert len(bodies) == len(set(bodies)), "a comment stored twice"
        # Every counter agrees with the rows, whatever the killed worker was doing.
        for idea in ideas:
            post = db.session.get(Post, idea)
            assert post.vote_count == db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == idea))
            visible = db.session.scalar(select(func.count()).select_from(Comment).where(
                Comment.post_id == idea, Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)))
            assert post.comment_count == visible, idea
    failures = [o for o in outcomes.values() if o != 302]
    assert len(failures) < len(requests) / 2, failures  # the other worker (and the new one) served the rest
    assert len(server.worker_pids()) == 2  # gunicorn replaced the worker


def test_pages_measured_while_every_open_data_file_is_downloaded_again_and_again(server, tmp_path):
    """The benchmark's row of the pages under ten parallel downloads: the downloads run (answered 200, or 503
    when every slot is building) and the page's figures come through them."""
    paths = tmp_path / "paths.txt"
    paths.write_text("/healthz\n")
    with load.parallel_downloads(server, 4) as downloads:
        figures = load.wrk_figures(load.run_wrk(server.base, "paths.lua", [str(paths), "1", ""], clients=4,
                                                threads=1, duration=3))
    assert figures["requests"] > 10 and figures["errors_pct"] == 0
    assert downloads[200] > 0 and set(downloads) <= {200, 503}, downloads
