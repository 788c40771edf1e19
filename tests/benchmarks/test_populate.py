"""The big-city data set of bench/populate.py, made at a small scale: sizes in proportion, counters equal
to the rows they count, 1% hidden, the same rows for the same seed, and an app that serves them."""
from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from bench.populate import (
    CALLS,
    COMMENTS,
    IDEAS,
    MODERATORS_PER_CITY,
    NEEDS,
    ORGANISATIONS,
    PROJECTS,
    RESIDENTS,
    TOP_COMMENTS,
    TOP_VOTES,
    VOTES,
    n_of,
    populate,
    zipf_counts,
)
from tests.conftest import POSTGRES_URL, Client, make_test_app

SCALE = 0.004
SEED = 7
PASSWORD = "bench-password"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="module", params=_backends())
def populated(request, new_database):
    url = new_database(request.param, "populate")
    summary = populate(url, scale=SCALE, seed=SEED, password=PASSWORD, progress=lambda message: None)
    engine = create_engine(url)
    yield url, summary, engine
    engine.dispose()


def _scalar(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_zipf_counts_add_up_with_the_largest_first():
    counts = zipf_counts(2_000_000, 50_000, 30_000, 500_000)
    assert sum(counts) == 2_000_000
    assert counts[0] == 30_000 and max(counts[1:]) <= 30_000 and min(counts) >= 0
    assert counts[1] > counts[100] > counts[10_000]


def test_sizes_follow_the_scale(populated):
    _url, summary, engine = populated
    expected = {
        "user_account": n_of(RESIDENTS, SCALE, 10) + 14 * MODERATORS_PER_CITY + 1,
        "organisation": n_of(ORGANISATIONS, SCALE),
        "call": n_of(CALLS, SCALE),
        "post": n_of(NEEDS, SCALE) + n_of(IDEAS, SCALE),
        "need": n_of(NEEDS, SCALE),
        "idea": n_of(IDEAS, SCALE),
        "vote": n_of(VOTES, SCALE),
        "comment": n_of(COMMENTS, SCALE),
        "funded_project": n_of(PROJECTS, SCALE),
    }
    for table, count in expected.items():
        assert _scalar(engine, f'SELECT COUNT(*) FROM "{table}"') == count, table
    for table, count in summary["counts"].items():
        assert _scalar(engine, f'SELECT COUNT(*) FROM "{table}"') == count, table
    assert _scalar(engine, "SELECT COUNT(*) FROM city WHERE role = 'metropolitan'") == 14
    assert _scalar(engine, "SELECT COUNT(DISTINCT city_id) FROM post") > 1
    top = summary["most_voted_idea_id"]
    assert _scalar(engine, "SELECT MAX(vote_count) FROM post") == n_of(TOP_VOTES, SCALE)
    assert _scalar(engine, "SELECT vote_count FROM post WHERE id = :id AND kind = 'idea'", id=top) == n_of(
        TOP_VOTES, SCALE)
    assert _scalar(engine, "SELECT COUNT(*) FROM comment WHERE post_id = :id",
                   id=summary["most_commented_idea_id"]) == n_of(TOP_COMMENTS, SCALE)
    assert _scalar(engine, "SELECT COUNT(*) FROM user_account WHERE email_confirmed_at IS NULL") == 0
    assert _scalar(engine, "SELECT COUNT(DISTINCT password_hash) FROM user_account") == 1


def test_counters_equal_the_rows_they_count(populated):
    _url, _summary, engine = populated
    mismatches = {
        "post votes": "SELECT COUNT(*) FROM post p WHERE vote_count <> (SELECT COUNT(*) FROM vote v WHERE v.post_id = p.id)",
        "post comments": "SELECT COUNT(*) FROM post p WHERE comment_count <> (SELECT COUNT(*) FROM comment c "
                         "WHERE c.post_id = p.id AND c.hidden_at IS NULL AND c.deleted_at IS NULL)",
        "post followers": "SELECT COUNT(*) FROM post p WHERE follower_count <> (SELECT COUNT(*) FROM follow f "
                          "WHERE f.target_kind = p.kind AND f.target_id = p.id)",
        "first reaction": "SELECT COUNT(*) FROM post p WHERE first_reaction_at IS DISTINCT FROM (SELECT MIN(t) FROM "
                          "(SELECT created_at AS t FROM vote v WHERE v.post_id = p.id UNION ALL "
                          "SELECT created_at FROM comment c WHERE c.post_id = p.id) AS reactions)",
        "authors follow": "SELECT COUNT(*) FROM post p WHERE NOT EXISTS (SELECT 1 FROM follow f WHERE "
                          "f.user_id = p.author_id AND f.target_kind = p.kind AND f.target_id = p.id)",
        "members": "SELECT COUNT(*) FROM organisation o WHERE member_count <> (SELECT COUNT(*) FROM membership m "
                   "WHERE m.organisation_id = o.id)",
        "organisation followers": "SELECT COUNT(*) FROM organisation o WHERE follower_count <> (SELECT COUNT(*) "
                                  "FROM follow f WHERE f.target_kind = 'organisation' AND f.target_id = o.id)",
        "call followers": "SELECT COUNT(*) FROM call c WHERE follower_count <> (SELECT COUNT(*) FROM follow f "
                          "WHERE f.target_kind = 'call' AND f.target_id = c.id)",
        "project followers": "SELECT COUNT(*) FROM funded_project p WHERE follower_count <> (SELECT COUNT(*) FROM "
                             "follow f WHERE f.target_kind = 'project' AND f.target_id = p.id)",
        "replies one level deep": "SELECT COUNT(*) FROM comment c JOIN comment parent ON parent.id = c.parent_id "
                                  "WHERE parent.parent_id IS NOT NULL OR parent.post_id <> c.post_id",
        "on behalf of an organisation by a member": "SELECT COUNT(*) FROM post p WHERE p.organisation_id IS NOT NULL "
                                                    "AND NOT EXISTS (SELECT 1 FROM membership m WHERE "
                                                    "m.organisation_id = p.organisation_id AND m.user_id = p.author_id)",
    }
    for name, sql in mismatches.items():
        assert _scalar(engine, sql.replace("IS DISTINCT FROM", "IS NOT")
                       if engine.dialect.name == "sqlite" else sql) == 0, name
    # Money totals and headline figures as civic/projects keeps them.
    from civic.projects.figures import figures_of

    projects = _rows(engine, "SELECT id, committed_total, paid_total, people_reached, housing_units, area_m2, "
                             "funding_total, eu_share FROM funded_project")
    assert projects
    for pid, committed, paid, people, housing, area, funding, eu_share in projects:
        money = {table: _scalar(engine, f"SELECT COALESCE(SUM(amount), 0) FROM {table} WHERE project_id = {pid}")
                 for table in ("project_commitment", "project_payment")}
        assert Decimal(str(money["project_commitment"])).quantize(Decimal("0.01")) == Decimal(str(committed)).quantize(
            Decimal("0.01"))
        assert Decimal(str(money["project_payment"])).quantize(Decimal("0.01")) == Decimal(str(paid)).quantize(
            Decimal("0.01"))
        assert Decimal(str(paid)) <= Decimal(str(committed)) <= Decimal(str(funding))
        assert Decimal(str(eu_share)) <= Decimal(str(funding))
        pairs = [(code, Decimal(str(achieved))) for code, achieved in _rows(
            engine, f"SELECT code, achieved FROM project_indicator WHERE project_id = {pid}")]
        figures = figures_of(pairs)
        assert (people, housing) == figures[:2]
        assert Decimal(str(area)).quantize(Decimal("0.01")) == figures[2]


def test_one_percent_is_hidden_by_the_moderators(populated):
    _url, _summary, engine = populated
    for kind in ("need", "idea"):
        total = _scalar(engine, f"SELECT COUNT(*) FROM post WHERE kind = '{kind}'")
        hidden = _scalar(engine, f"SELECT COUNT(*) FROM post WHERE kind = '{kind}' AND hidden_at IS NOT NULL")
        assert hidden == round(total * 0.01), kind
    comments = _scalar(engine, "SELECT COUNT(*) FROM comment")
    hidden = _scalar(engine, "SELECT COUNT(*) FROM comment WHERE hidden_at IS NOT NULL")
    assert 0.002 * comments <= hidden <= 0.03 * comments
    assert _scalar(engine, "SELECT COUNT(*) FROM post WHERE hidden_at IS NOT NULL AND hidden_reason IS NULL") == 0
    hides = _scalar(engine, "SELECT COUNT(*) FROM audit_event WHERE action IN ('post.hide', 'comment.hide')")
    assert hides == _scalar(engine, "SELECT COUNT(*) FROM post WHERE hidden_at IS NOT NULL") + hidden


def test_bodies_are_what_the_app_renders(populated):
    from civic.core.richtext import render_markdown

    _url, _summary, engine = populated
    for table in ("post", "comment"):
        for markdown, html in _rows(engine, f"SELECT body_markdown, body_html FROM {table}"):
            assert render_markdown(markdown) == html


def _fingerprint(engine) -> str:
    digest = hashlib.sha256()
    for sql in ("SELECT id, email, display_name, password_hash, session_token, home_city_id FROM user_account",
                "SELECT id, kind, author_id, city_id, title, body_markdown, status, vote_count, comment_count, "
                "hidden_at, created_at FROM post",
                "SELECT id, post_id, user_id, created_at FROM vote",
                "SELECT id, post_id, author_id, parent_id, body_markdown, hidden_at FROM comment",
                "SELECT id, user_id, target_kind, target_id FROM follow",
                "SELECT id, idea_id, committed_total, paid_total, people_reached FROM funded_project"):
        for row in _rows(engine, sql + " ORDER BY id"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_rows(populated, new_database):
    url, _summary, engine = populated
    if engine.dialect.name != "sqlite":
        pytest.skip("checked once, on SQLite")
    again = new_database("sqlite", "populate-again")
    populate(again, scale=SCALE, seed=SEED, password=PASSWORD, progress=lambda message: None)
    other = create_engine(again)
    try:
        assert _fingerprint(other) == _fingerprint(engine)
    finally:
        other.dispose()


def test_the_app_serves_the_generated_city(populated, tmp_path):
    url, summary, _engine = populated
    from civic.extensions import db

    app = make_test_app(url, tmp_path / "instance")
    app.test_client_class = Client
    with app.app_context():
        client = app.test_client()
        pages = ["/", f"/cities/{summary['city_slug']}/ideas", f"/cities/{summary['city_slug']}/needs",
                 f"/ideas/{summary['most_voted_idea_id']}", f"/ideas/{summary['most_commented_idea_id']}",
                 f"/needs/{summary['need_id']}", f"/projects/{summary['funded_project_id']}", "/search?q=casa"]
        for page in pages:
            response = client.get(page, follow_redirects=True)
            assert response.status_code == 200, page
        found = client.get("/search?q=casa").get_data(as_text=True)
        assert "/ideas/" in found or "/needs/" in found
        client.login(summary["resident_emails"][0], PASSWORD)
        assert client.get(f"/ideas/{summary['most_voted_idea_id']}", follow_redirects=True).status_code == 200
        db.session.remove()
        db.engine.dispose()
