"""Evaluating the ideas of a call: who may score and when, what a score may be, the ranking and
its maths, publishing the results (all or nothing, once, even when two moderators click at the
same moment), and private notes that never reach a public page.

Calls are built here from rows (Call, CallPhase, CallCriterion) with their phases placed around
`phases.today()`; ideas are posted through the service, then put in the call and the status each
test needs with plain UPDATEs.
"""
from __future__ import annotations

import html
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from civic.audit.models import AuditEvent
from civic.calls import evaluation, phases
from civic.calls.models import Call, CallCriterion, CallPhase, Evaluation, EvaluationScore
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts.models import Idea, Post, PostEvent
from civic.posts.services import PostForbidden
from civic.territories.models import Programme, SpecificObjective
from tests.conftest import table_counts
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    _shared_template_cache,
    anna,
    bruno,
    client,
    new_idea,
    palermo,
    themes,
    torino,
)
from tests.posts.helpers import english, field_error, input_value, logged_in_clients, post_all_at_once

# Imported for pytest, which finds fixtures by name in the module (this one does not rely on a conftest).
SHARED_FIXTURES = (_shared_template_cache, anna, bruno, client, new_idea, palermo, themes, torino)

MOD = "valutatrice.torino@example.it"
OTHER_MOD = "valutatore.palermo@example.it"
ADMIN = "amministratrice@example.it"
RESIDENT = "bruno@example.it"
AUTHOR = "anna@example.it"
SECRET = "NOTA-RISERVATA: il referente non ha risposto al telefono"

# Where today falls (days from today, both ends included; results have no end).
SCHEDULES = {
    "before": {"submission": (2, 5), "voting": (6, 9), "evaluation": (10, 20), "results": (21, None)},
    "voting": {"submission": (-10, -4), "voting": (-3, 3), "evaluation": (4, 10), "results": (11, None)},
    "evaluation": {"submission": (-20, -11), "voting": (-10, -4), "evaluation": (-3, 3), "results": (4, None)},
    "results": {"submission": (-30, -21), "voting": (-20, -11), "evaluation": (-10, -4), "results": (-3, None)},
}
CRITERIA = (("Impatto sociale", 60), ("Fattibilità", 40))


def day(offset: int):
    return phases.today() + timedelta(days=offset)


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def staff(make_user, torino, palermo, anna, bruno):
    """The people of the permission matrix (anna is the author of the ideas, bruno a resident)."""
    return {
        "moderator": make_user("moderator", email=MOD, name="Valutatrice Torino", cities=[torino]),
        "other_moderator": make_user("moderator", email=OTHER_MOD, name="Valutatore Palermo", cities=[palermo]),
        "admin": make_user("admin", email=ADMIN, name="Amministratrice"),
        "resident": bruno,
        "author": anna,
    }


@pytest.fixture
def reference_rows(app):
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    objective = SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion")
    db.session.add_all([programme, objective])
    db.session.commit()
    return programme, objective


@pytest.fixture
def make_call(reference_rows, torino, themes, staff):
    programme, objective = reference_rows

    def make(when: str = "evaluation", draft: bool = False, city=None, criteria=CRITERIA,
             budget: str = "100000", title: str = "Giovani al centro") -> Call:
        call = Call(city_id=(city or torino).id, description_markdown="Idee per i giovani.",
                    description_html="<p>Idee per i giovani.</p>", programme_id=programme.id,
                    objective_id=objective.id, budget_eur=Decimal(budget),
                    eligibility_markdown="Residenti.", eligibility_html="<p>Residenti.</p>",
                    status="draft" if draft else "published", published_at=None if draft else utcnow())
        call.set_title(title)
        call.phases = [CallPhase(kind=kind, starts_on=day(start), ends_on=day(end) if end is not None else None)
                       for kind, (start, end) in SCHEDULES[when].items()]
        call.criteria = [CallCriterion(position=i, name=name, weight=weight)
                         for i, (name, weight) in enumerate(criteria, 1)]
        db.session.add(call)
        db.session.commit()
        return call

    return make


@pytest.fixture
def call_idea(new_idea, anna, torino):
    """An idea of `call`, in `status`, with `votes` public votes (set directly: votes close with the voting phase)."""
    counter = iter(range(1, 1000))

    def make(call: Call, status: str = "shortlisted", title: str | None = None, votes: int = 0,
             cost: str | None = None, hidden: bool = False, author=None) -> Idea:
        idea = new_idea(author or anna, torino, title=title or f"Idea numero {next(counter)} del bando",
                        estimated_cost=Decimal(cost) if cost is not None else None)
        db.session.execute(update(Post).where(Post.id == idea.id).values(
            status=status, vote_count=votes, hidden_at=utcnow() if hidden else None))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(call_id=call.id))
        db.session.commit()
        db.session.expire_all()
        return db.session.get(Idea, idea.id)

    return make


def browser(app, email: str | None):
    """A client of its own, logged in as `email` (None: anonymous), in English."""
    c = app.test_client()
    if email:
        c.login(email)
    english(c)
    return c


def score_data(call: Call, *values, note: str = "") -> dict:
    data = {evaluation.score_field(c.id): str(v) for c, v in zip(call.criteria, values, strict=True)}
    data["private_note"] = note
    return data


def save(user, call, idea, *values, note: str = "") -> Evaluation:
    """Score through the service, as the page does, and commit."""
    saved = evaluation.save_evaluation(user, call, idea, dict(zip([c.id for c in call.criteria], values, strict=True)),
                                       note)
    db.session.commit()
    return saved


def status_of(idea) -> str:
    return db.session.scalar(select(Post.status).where(Post.id == idea.id))


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def results_data(ranked_ideas, selected=(), answers=None, others: str = "Non rientra nella graduatoria.") -> dict:
    answers = answers or {}
    data = {"shown": ",".join(str(i.id) for i in ranked_ideas), "others_answer": others}
    for idea in ranked_ideas:
        data[evaluation.answer_field(idea.id)] = answers.get(idea.id, f"Risposta per {idea.title}.")
        if idea in selected:
            data[f"selected_{idea.id}"] = "y"
    return data


# --- who may open and use the pages --------------------------------------------------------------

ROLES = ["anonymous", "resident", "author", "other_moderator", "moderator", "admin"]
EMAILS = {"anonymous": None, "resident": RESIDENT, "author": AUTHOR, "other_moderator": OTHER_MOD,
          "moderator": MOD, "admin": ADMIN}
ROUTES = ["ranking", "score_page", "score", "publish"]


def _request(c, route: str, call: Call, idea: Idea):
    if route == "ranking":
        return c.get(f"/calls/{call.id}/evaluation")
    if route == "score_page":
        return c.get(f"/calls/{call.id}/evaluation/{idea.id}")
    if route == "score":
        return c.submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 7, 8, note=SECRET))
    return c.submit(f"/calls/{call.id}/results", results_data([idea], selected=[idea]))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_moderators_of_the_city_and_the_admins_reach_the_evaluation(app, client, make_call, call_idea,
                                                                            staff, role, route):
    call = make_call("evaluation")
    idea = call_idea(call)
    before = table_counts()
    c = browser(app, EMAILS[role])
    response = _request(c, route, call, idea)
    page = response.get_data(as_text=True)
    if role == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif role in ("moderator", "admin"):
        assert response.status_code == (200 if route in ("ranking", "score_page") else 302), page[:3000]
    else:
        assert response.status_code == 403
        assert "Only the moderators of Torino can evaluate the ideas of its calls." in page
        assert "Traceback" not in page
    if response.status_code != 302 or role == "anonymous":
        assert table_counts() == before
    if route == "publish" and role in ("moderator", "admin"):
        assert response.headers["Location"].endswith(f"/calls/{call.id}-{call.slug}")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ["resident", "author", "other_moderator"])
def test_a_draft_call_does_not_exist_for_the_others(app, client, make_call, call_idea, staff, role, route):
    call = make_call("evaluation", draft=True)
    idea = call_idea(call)
    response = _request(browser(app, EMAILS[role]), route, call, idea)
    assert response.status_code == 404
    assert "This call does not exist." in response.get_data(as_text=True)


def test_a_draft_call_is_open_to_its_moderators_but_takes_no_scores(app, client, make_call, call_idea, staff):
    call = make_call("evaluation", draft=True)
    idea = call_idea(call)
    c = browser(app, MOD)
    assert c.get(f"/calls/{call.id}/evaluation").status_code == 200
    response = c.submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 7, 8))
    assert response.status_code == 409
    assert "This call is not published yet." in response.get_data(as_text=True)
    assert count(Evaluation) == 0


def test_unknown_calls_and_ideas_are_404(app, client, make_call, call_idea, staff, new_idea, anna, torino):
    call = make_call("evaluation")
    other_call = make_call("evaluation", title="Un altro bando")
    stranger = call_idea(other_call)
    hidden = call_idea(call, hidden=True)
    board_idea = new_idea(anna, torino, title="Un'idea della bacheca aperta")
    c = browser(app, MOD)
    assert c.get("/calls/999999/evaluation").status_code == 404
    assert c.get(f"/calls/{call.id}/evaluation/999999").status_code == 404
    for idea in (stranger, hidden, board_idea):
        response = c.get(f"/calls/{call.id}/evaluation/{idea.id}")
        assert response.status_code == 404, idea.title
        assert "This idea is not one of the ideas of this call." in response.get_data(as_text=True)
        assert c.submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 5, 5)).status_code == 404
    assert count(Evaluation) == 0


def test_a_form_without_its_csrf_token_is_refused(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    c = browser(app, MOD)
    before = table_counts()
    assert c.post(f"/calls/{call.id}/evaluation/{idea.id}", data=score_data(call, 5, 5)).status_code == 400
    assert c.post(f"/calls/{call.id}/results", data=results_data([idea])).status_code == 400
    assert table_counts() == before


# --- scoring: when ----------------------------------------------------------------------------------

@pytest.mark.parametrize("when, accepted, message", [
    ("before", False, "Ideas are scored during the evaluation phase, from"),
    ("voting", False, "it has not started yet."),
    ("evaluation", True, None),
    ("results", False, "it has ended."),
])
def test_scores_are_taken_during_the_evaluation_phase_only(app, client, make_call, call_idea, staff, when, accepted,
                                                           message):
    call = make_call(when)
    idea = call_idea(call)
    c = browser(app, MOD)
    page = c.get(f"/calls/{call.id}/evaluation/{idea.id}").get_data(as_text=True)
    assert ('name="private_note"' in page) is accepted
    before = table_counts()
    response = c.submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 6, 7))
    if accepted:
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/calls/{call.id}/evaluation")
        assert count(Evaluation) == 1
    else:
        assert response.status_code == 409
        assert message in response.get_data(as_text=True) and message in page
        assert table_counts() == before


def test_no_more_scores_once_the_results_are_published(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    call.results_published_at = utcnow()
    db.session.commit()
    before = table_counts()
    response = browser(app, MOD).submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 6, 7))
    assert response.status_code == 409
    assert "The results of this call are published: the evaluation is closed." in response.get_data(as_text=True)
    assert table_counts() == before


def test_only_shortlisted_ideas_are_scored(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call, status="under_review")
    c = browser(app, MOD)
    page = c.get(f"/calls/{call.id}/evaluation/{idea.id}").get_data(as_text=True)
    assert 'Only shortlisted ideas are scored: this idea is "Under review".' in html.unescape(page)
    before = table_counts()
    response = c.submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 6, 7, note="Da rivedere"))
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert "Shortlist it from its page first." in body and "Da rivedere" in body
    assert table_counts() == before


# --- scoring: what -----------------------------------------------------------------------------------

@pytest.mark.parametrize("first, second, extra, message", [
    ("11", "5", {}, 'The score of "Impatto sociale" must be a whole number from 0 to 10.'),
    ("5", "-1", {}, 'The score of "Fattibilità" must be a whole number from 0 to 10.'),
    ("", "5", {}, 'Give "Impatto sociale" a score: a whole number from 0 to 10.'),
    ("7.5", "5", {}, 'The score of "Impatto sociale" must be a whole number from 0 to 10.'),
    ("sette", "5", {}, 'The score of "Impatto sociale" must be a whole number from 0 to 10.'),
    ("99999999999", "5", {}, 'The score of "Impatto sociale" must be a whole number from 0 to 10.'),
    ("7", "5", {"score_999999": "5"}, "Some scores are for criteria that are not this call's"),
])
def test_bad_scores_are_refused_and_what_was_typed_stays(app, client, make_call, call_idea, staff, first, second,
                                                        extra, message):
    call = make_call("evaluation")
    idea = call_idea(call)
    c = browser(app, MOD)
    before = table_counts()
    data = {**score_data(call, first, second, note="Una nota da non perdere"), **extra}
    response = c.submit(f"/calls/{call.id}/evaluation/{idea.id}", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert "Una nota da non perdere" in page
    assert input_value(page, evaluation.score_field(call.criteria[1].id)) == second
    assert table_counts() == before
    assert "Traceback" not in page


def test_the_field_error_names_the_criterion(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    response = browser(app, MOD).submit(f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, "4", "12"))
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), evaluation.score_field(call.criteria[1].id))
    assert error == 'The score of "Fattibilità" must be a whole number from 0 to 10.'


def test_a_note_too_long_is_refused(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    before = table_counts()
    response = browser(app, MOD).submit(f"/calls/{call.id}/evaluation/{idea.id}",
                                        score_data(call, 4, 5, note="x" * 5001))
    assert response.status_code == 422
    assert "Enter at most 5000 characters." in response.get_data(as_text=True)
    assert table_counts() == before


def test_the_service_checks_every_rule_itself(app, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    moderator, resident = staff["moderator"], staff["resident"]
    first, second = (c.id for c in call.criteria)
    other_call = make_call("evaluation", title="Un altro bando per i criteri")
    foreign = other_call.criteria[0].id
    cases = [
        (resident, {first: 5, second: 5}, PostForbidden),
        (staff["other_moderator"], {first: 5, second: 5}, PostForbidden),
        (moderator, {first: 5}, evaluation.EvaluationError),
        (moderator, {first: 5, second: None}, evaluation.EvaluationError),
        (moderator, {first: 5, second: 11}, evaluation.EvaluationError),
        (moderator, {first: 5, second: "7"}, evaluation.EvaluationError),
        (moderator, {first: 5, second: 7.0}, evaluation.EvaluationError),
        (moderator, {first: 5, second: True}, evaluation.EvaluationError),
        (moderator, {first: 5, second: 5, foreign: 5}, evaluation.EvaluationError),
    ]
    for user, scores, error in cases:
        with pytest.raises(error) as raised:
            evaluation.save_evaluation(user, call, idea, scores, "")
        db.session.rollback()
        assert raised.value.status == {PostForbidden: 403}.get(error, 422), scores
    with pytest.raises(evaluation.EvaluationError) as raised:
        evaluation.save_evaluation(moderator, call, idea, {first: 5, second: 11}, "")
    assert raised.value.field == evaluation.score_field(second) and "Fattibilità" in str(raised.value.message)
    db.session.rollback()
    with pytest.raises(evaluation.EvaluationError):
        evaluation.save_evaluation(moderator, call, idea, {first: 5, second: 5}, "a\x00b")
    db.session.rollback()
    assert count(Evaluation) == count(EvaluationScore) == 0


def test_saving_again_updates_the_same_evaluation(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    c = browser(app, MOD)
    url = f"/calls/{call.id}/evaluation/{idea.id}"
    assert c.submit(url, score_data(call, 3, 4, note="Prima impressione")).status_code == 302
    assert c.submit(url, score_data(call, 9, 10, note="Dopo il sopralluogo\r\nconfermata")).status_code == 302
    saved = db.session.scalars(select(Evaluation)).one()
    assert saved.evaluator_id == staff["moderator"].id and saved.call_id == call.id and saved.idea_id == idea.id
    assert saved.private_note == "Dopo il sopralluogo\nconfermata"
    assert sorted((s.criterion_id, s.score) for s in saved.scores) == [(call.criteria[0].id, 9),
                                                                       (call.criteria[1].id, 10)]
    # The form shows what was saved.
    page = c.get(url).get_data(as_text=True)
    assert input_value(page, evaluation.score_field(call.criteria[0].id)) == "9"
    assert "Dopo il sopralluogo" in page
    # Two audit entries, neither with the private note.
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "call.evaluate")).all()
    assert len(entries) == 2
    assert entries[-1].target_kind == "idea" and entries[-1].target_id == idea.id
    assert entries[-1].summary.endswith("94.0/100")  # 9 × 60 + 10 × 40 = 940, / 10
    assert all("sopralluogo" not in e.summary + e.reason and "impressione" not in e.summary + e.reason
               for e in entries)


def test_the_service_returns_the_evaluation_as_saved_the_second_time(app, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    first = save(staff["moderator"], call, idea, 1, 2, note="Prima")
    assert sorted(s.score for s in first.scores) == [1, 2]
    second = save(staff["moderator"], call, idea, 10, 0, note="  Seconda  ")
    assert second.id == first.id and second.private_note == "Seconda"
    assert sorted((s.criterion_id, s.score) for s in second.scores) == [(call.criteria[0].id, 10),
                                                                        (call.criteria[1].id, 0)]
    assert evaluation.weighted_score(call, second) == Decimal("60.0")
    assert count(Evaluation) == 1 and count(EvaluationScore) == 2


def test_the_same_moderator_submitting_twice_at_once_leaves_one_evaluation(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    clients = logged_in_clients(app, [MOD] * 4)
    results = post_all_at_once(app, clients, f"/calls/{call.id}/evaluation/{idea.id}", score_data(call, 6, 8))
    assert results == [302] * 4, results
    assert count(Evaluation) == 1
    assert sorted(db.session.scalars(select(EvaluationScore.score))) == [6, 8]


def test_the_other_moderators_see_each_others_scores_and_notes(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")
    idea = call_idea(call)
    save(staff["moderator"], call, idea, 8, 6, note=SECRET)
    page = browser(app, ADMIN).get(f"/calls/{call.id}/evaluation/{idea.id}").get_data(as_text=True)
    assert "Valutatrice Torino" in page and SECRET.split(":")[0] in page
    assert "72.0" in page  # 8 × 60 + 6 × 40 = 720, / 10
    assert idea.summary in page


# --- the ranking ------------------------------------------------------------------------------------

def test_the_ranking_weights_the_criteria_and_averages_the_evaluators(app, client, make_call, call_idea, staff):
    call = make_call("evaluation")  # Impatto sociale 60, Fattibilità 40
    mod, admin = staff["moderator"], staff["admin"]
    a = call_idea(call, title="Idea A con due valutazioni")
    b = call_idea(call, title="Idea B con zero voti")
    c_ = call_idea(call, title="Idea C con due voti", votes=2)
    d = call_idea(call, title="Idea D mai valutata", votes=9)
    g = call_idea(call, title="Idea G pari a B ma più recente")
    hidden = call_idea(call, title="Idea nascosta", hidden=True)
    call_idea(call, title="Idea in esame", status="under_review")
    save(mod, call, a, 8, 7)  # 48 + 28 = 76
    save(admin, call, a, 6, 9)  # 36 + 36 = 72 -> mean 74.0
    save(mod, call, b, 9, 9)  # 90
    save(admin, call, b, 5, 5)  # 50 -> 70.0
    save(admin, call, c_, 7, 7)  # 70.0, one evaluator, 2 votes
    save(mod, call, g, 5, 5)
    save(admin, call, g, 9, 9)  # 70.0, 0 votes, newer than B
    db.session.add(Evaluation(call_id=call.id, idea_id=hidden.id, evaluator_id=mod.id, updated_at=utcnow()))
    db.session.commit()

    ranked = evaluation.ranking(call)
    assert [(r.idea.id, r.score, r.evaluators, r.votes, r.position) for r in ranked] == [
        (a.id, Decimal("74.0"), 2, 0, 1),
        (c_.id, Decimal("70.0"), 1, 2, 2),
        (b.id, Decimal("70.0"), 2, 0, 3),
        (g.id, Decimal("70.0"), 2, 0, 4),
        (d.id, None, 0, 9, 5),
    ]
    page = browser(app, MOD).get(f"/calls/{call.id}/evaluation").get_data(as_text=True)
    rows = [page.index(f'id="ranked-{i.id}"') for i in (a, c_, b, g, d)]
    assert rows == sorted(rows)
    assert "74.0" in page and "not scored" in page and hidden.title not in page


def test_the_score_is_rounded_to_one_decimal(app, make_call, call_idea, staff):
    call = make_call("evaluation", criteria=(("Impatto", 55), ("Fattibilità", 45)))
    mod, admin, other = staff["moderator"], staff["admin"], staff["other_moderator"]
    first, second, third = call_idea(call), call_idea(call), call_idea(call)
    save(mod, call, first, 7, 8)  # 38.5 + 36 = 74.5
    save(admin, call, first, 7, 7)  # 38.5 + 31.5 = 70.0 -> 72.25 -> 72.3 (halves up)
    save(mod, call, second, 7, 8)  # 74.5, one evaluator
    save(mod, call, third, 1, 0)  # 5.5
    save(admin, call, third, 0, 1)  # 4.5
    db.session.add(Evaluation(call_id=call.id, idea_id=third.id, evaluator_id=other.id, updated_at=utcnow(),
                              scores=[EvaluationScore(criterion_id=call.criteria[0].id, score=0),
                                      EvaluationScore(criterion_id=call.criteria[1].id, score=0)]))
    db.session.commit()  # (5.5 + 4.5 + 0) / 3 = 3.333... -> 3.3
    scores = {r.idea.id: (r.score, r.evaluators) for r in evaluation.ranking(call)}
    assert scores == {first.id: (Decimal("72.3"), 2), second.id: (Decimal("74.5"), 1),
                      third.id: (Decimal("3.3"), 3)}


def test_the_ranking_page_runs_the_same_queries_whatever_the_number_of_ideas(app, client, make_call, call_idea,
                                                                            staff, count_queries):
    call = make_call("evaluation")
    mod, admin = staff["moderator"], staff["admin"]
    c = browser(app, MOD)

    def add(n: int) -> None:
        for _ in range(n):
            idea = call_idea(call, cost="1000")
            save(mod, call, idea, 5, 6)
            save(admin, call, idea, 7, 8)
            call_idea(call, status="under_review")

    def measure() -> int:
        with count_queries() as counter:
            response = c.get(f"/calls/{call.id}/evaluation")
        assert response.status_code == 200
        return counter.count

    add(2)
    measure()  # warm-up: caches filled once per app
    few = measure()
    add(6)
    many = measure()
    assert len(evaluation.ranking(call)) == 8
    assert many == few, (few, many)

    with count_queries() as counter:
        evaluation.ranking(call)
    assert counter.count == 1


# --- publishing the results -------------------------------------------------------------------------

@pytest.fixture
def evaluated_call(make_call, call_idea, staff, new_idea, anna, torino):
    """A call in its evaluation phase: three shortlisted ideas, scored; two open ideas not shortlisted;
    one hidden, one already rejected, one withdrawn; and an idea of another call."""
    call = make_call("evaluation", budget="50000")
    mod, admin = staff["moderator"], staff["admin"]
    best = call_idea(call, title="Cortile aperto il pomeriggio", cost="30000")
    second = call_idea(call, title="Doposcuola di quartiere", cost="30000", votes=3)
    third = call_idea(call, title="Orto condiviso in via Foroni")
    save(mod, call, best, 9, 9, note=SECRET)
    save(admin, call, best, 8, 8)
    save(mod, call, second, 6, 6)
    save(mod, call, third, 3, 3)
    other_call = make_call("evaluation", title="Bando per gli anziani")
    ideas = {
        "best": best, "second": second, "third": third,
        "published": call_idea(call, status="published", title="Una panchina nuova"),
        "under_review": call_idea(call, status="under_review", title="Musica in piazza"),
        "hidden": call_idea(call, status="published", hidden=True, title="Un'idea nascosta dal moderatore"),
        "rejected": call_idea(call, status="rejected", title="Un'idea già respinta"),
        "withdrawn": call_idea(call, status="withdrawn", title="Un'idea ritirata"),
        "elsewhere": call_idea(other_call, status="shortlisted", title="Un'idea di un altro bando"),
    }
    return call, ideas


ANSWERS = {
    "best": "Selezionata: il cortile aprirà a settembre.",
    "second": "Non selezionata: il budget non basta.",
    "third": "Non selezionata: punteggio troppo basso.",
}


def _answers(ideas) -> dict:
    return {ideas[k].id: v for k, v in ANSWERS.items()}


def test_publishing_the_results_moves_every_open_idea_with_its_answer(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    c = browser(app, MOD)
    page = c.get(f"/calls/{call.id}/evaluation").get_data(as_text=True)
    assert f'action="/calls/{call.id}/results"' in page
    assert page.index(f'id="answer_{ideas["best"].id}"') < page.index(f'id="answer_{ideas["third"].id}"')
    assert "Una panchina nuova" in page and "Un&#39;idea nascosta" not in page

    response = c.submit(f"/calls/{call.id}/results",
                        results_data(shortlisted, selected=[ideas["best"]], answers=_answers(ideas)),
                        follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/calls/{call.id}-{call.slug}")

    db.session.expire_all()
    assert {k: status_of(i) for k, i in ideas.items()} == {
        "best": "selected_for_codesign", "second": "rejected", "third": "rejected",
        "published": "rejected", "under_review": "rejected",
        "hidden": "published", "rejected": "rejected", "withdrawn": "withdrawn", "elsewhere": "shortlisted",
    }
    events = db.session.scalars(select(PostEvent).order_by(PostEvent.id)).all()
    assert [(e.post_id, e.action, e.from_status, e.reason_markdown, e.actor_id, e.actor_role) for e in events] == [
        (ideas["best"].id, "select", "shortlisted", ANSWERS["best"], staff["moderator"].id, "moderator"),
        (ideas["second"].id, "reject", "shortlisted", ANSWERS["second"], staff["moderator"].id, "moderator"),
        (ideas["third"].id, "reject", "shortlisted", ANSWERS["third"], staff["moderator"].id, "moderator"),
        (ideas["published"].id, "reject", "published", "Non rientra nella graduatoria.", staff["moderator"].id,
         "moderator"),
        (ideas["under_review"].id, "reject", "under_review", "Non rientra nella graduatoria.",
         staff["moderator"].id, "moderator"),
    ]
    assert db.session.get(Call, call.id).results_published_at is not None
    audit = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("call.publish%")
                                                               | AuditEvent.action.like("idea.%"))).all()
    assert sorted(audit) == sorted(["call.publish_results", "idea.select"] + ["idea.reject"] * 4)

    # The public page shows the outcome: the selected idea first, each with its answer; nothing hidden or private.
    public = browser(app, None).get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    results = public[public.index('id="results"'):]
    results = results[:results.index("</section>")]
    assert results.index("Cortile aperto") < results.index("Doposcuola") < results.index("Orto condiviso")
    for answer in ANSWERS.values():
        assert answer in results
    assert results.count("Non rientra nella graduatoria.") == 1
    assert "Una panchina nuova" in results and "Musica in piazza" in results
    assert "nascosta" not in public and "già respinta" not in results and "altro bando" not in public
    assert "NOTA-RISERVATA" not in public
    entries = evaluation.published_results(db.session.get(Call, call.id))
    assert [(e.idea.id, e.selected, e.shortlisted) for e in entries] == [
        (ideas["best"].id, True, True), (ideas["second"].id, False, True), (ideas["third"].id, False, True),
        (ideas["published"].id, False, False), (ideas["under_review"].id, False, False)]


def test_a_missing_answer_moves_nothing(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    answers = {**_answers(ideas), ideas["second"].id: "   "}
    before = table_counts()
    c = browser(app, MOD)
    response = c.submit(f"/calls/{call.id}/results",
                        results_data(shortlisted, selected=[ideas["best"]], answers=answers))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, f"answer_{ideas['second'].id}") == "Write the public answer for this idea."
    assert ANSWERS["best"] in page and ANSWERS["third"] in page  # what was typed stays
    assert re.search(rf'<input checked[^>]*id="selected_{ideas["best"].id}"', page)
    assert not re.search(rf'<input checked[^>]*id="selected_{ideas["second"].id}"', page)
    assert table_counts() == before
    assert db.session.get(Call, call.id).results_published_at is None
    assert status_of(ideas["best"]) == "shortlisted" and status_of(ideas["published"]) == "published"

    response = c.submit(f"/calls/{call.id}/results",
                        results_data(shortlisted, selected=[ideas["best"]], answers=_answers(ideas), others=""))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "others_answer") == \
        "Write the public answer for the ideas that were not shortlisted."
    assert table_counts() == before


def test_the_service_refuses_a_missing_answer_before_writing_anything(app, evaluated_call, staff):
    call, ideas = evaluated_call
    decisions = evaluation.ResultsDecisions(
        ideas={ideas[k].id: evaluation.IdeaDecision(k == "best", ANSWERS[k]) for k in ANSWERS},
        others_answer="Non rientra.")
    decisions.ideas[ideas["third"].id].answer = ""
    before = table_counts()
    with pytest.raises(evaluation.EvaluationError) as raised:
        evaluation.publish_results(staff["moderator"], call, decisions)
    assert raised.value.field == f"answer_{ideas['third'].id}" and "Orto condiviso" in str(raised.value.message)
    db.session.rollback()
    assert table_counts() == before
    with pytest.raises(PostForbidden):
        evaluation.publish_results(staff["other_moderator"], call, decisions)


def test_no_idea_may_be_selected(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    response = browser(app, ADMIN).submit(f"/calls/{call.id}/results",
                                          results_data(shortlisted, answers=_answers(ideas)))
    assert response.status_code == 302
    assert [status_of(i) for i in shortlisted] == ["rejected"] * 3
    public = browser(app, None).get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    assert "No idea was selected." in public


def test_going_over_budget_is_only_a_warning(app, client, evaluated_call, staff):
    call, ideas = evaluated_call  # budget 50,000; best and second cost 30,000 each
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    c = browser(app, MOD)
    page = c.get(f"/calls/{call.id}/evaluation").get_data(as_text=True)
    assert "over budget" in page  # the running total passes the budget at the second idea
    response = c.submit(f"/calls/{call.id}/results",
                        results_data(shortlisted, selected=shortlisted[:2], answers=_answers(ideas)),
                        follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 of 3 shortlisted ideas selected for co-design" in page
    assert "more than the" in page and "60,000.00" in page


def test_publishing_twice_is_a_conflict(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    data = results_data(shortlisted, selected=[ideas["best"]], answers=_answers(ideas))
    c = browser(app, MOD)
    assert c.submit(f"/calls/{call.id}/results", data).status_code == 302
    before = table_counts()
    response = c.submit(f"/calls/{call.id}/results", data)
    assert response.status_code == 409
    assert "The results of this call were published on" in response.get_data(as_text=True)
    assert table_counts() == before
    page = c.get(f"/calls/{call.id}/evaluation").get_data(as_text=True)
    assert f'action="/calls/{call.id}/results"' not in page
    # The shortlisted ideas are listed with their outcome; their evaluations stay readable, no longer editable.
    assert f'id="outcome-{ideas["best"].id}"' in page and f'id="outcome-{ideas["published"].id}"' not in page
    page = c.get(f"/calls/{call.id}/evaluation/{ideas['best'].id}").get_data(as_text=True)
    assert 'name="private_note"' not in page and SECRET in page


@pytest.mark.parametrize("when", ["before", "voting"])
def test_results_wait_for_the_evaluation_phase(app, client, make_call, call_idea, staff, when):
    call = make_call(when)
    idea = call_idea(call)
    c = browser(app, MOD)
    page = c.get(f"/calls/{call.id}/evaluation").get_data(as_text=True)
    assert f'action="/calls/{call.id}/results"' not in page
    before = table_counts()
    response = c.submit(f"/calls/{call.id}/results", results_data([idea], selected=[idea]))
    assert response.status_code == 409
    assert "The results can be published from" in response.get_data(as_text=True)
    assert table_counts() == before


def test_results_can_be_published_in_the_results_phase(app, client, make_call, call_idea, staff):
    call = make_call("results")
    idea = call_idea(call)
    response = browser(app, MOD).submit(f"/calls/{call.id}/results", results_data([idea], selected=[idea]))
    assert response.status_code == 302
    assert status_of(idea) == "selected_for_codesign"


def test_a_shortlist_that_changed_meanwhile_is_a_conflict(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    page_showed = [ideas["best"], ideas["second"]]  # "third" was shortlisted after the page was read
    before = table_counts()
    response = browser(app, MOD).submit(f"/calls/{call.id}/results", {
        **results_data(page_showed, answers=_answers(ideas)),
        f"answer_{ideas['third'].id}": "Risposta scritta comunque."})
    assert response.status_code == 409
    assert "The shortlist of this call changed while you were deciding" in response.get_data(as_text=True)
    assert table_counts() == before




def test_two_moderators_publishing_at_once_publish_once(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    clients = logged_in_clients(app, [MOD, ADMIN, MOD, ADMIN])
    results = post_all_at_once(app, clients, f"/calls/{call.id}/results",
                             results_data(shortlisted, selected=[ideas["best"]], answers=_answers(ideas)))
    assert sorted(results, key=str) == [302, 409, 409, 409], results
    db.session.expire_all()
    assert count(PostEvent) == 5  # three shortlisted and two other open ideas, each moved once
    assert count(AuditEvent, AuditEvent.action == "call.publish_results") == 1
    assert status_of(ideas["best"]) == "selected_for_codesign"


# --- private notes ----------------------------------------------------------------------------------

def test_private_notes_never_reach_a_public_page(app, client, evaluated_call, staff):
    call, ideas = evaluated_call
    best = ideas["best"]
    marker = "NOTA-RISERVATA"
    idea_page, call_page = f"/ideas/{best.id}-{best.slug}", f"/calls/{call.id}-{call.slug}"
    for email in (None, RESIDENT, AUTHOR, OTHER_MOD):
        c = browser(app, email)
        for url in (idea_page, call_page):
            response = c.get(url)
            assert response.status_code == 200, (email, url)
            assert marker not in response.get_data(as_text=True), (email, url)
    shortlisted = [ideas["best"], ideas["second"], ideas["third"]]
    assert browser(app, MOD).submit(f"/calls/{call.id}/results", results_data(
        shortlisted, selected=[best], answers=_answers(ideas))).status_code == 302
    for email in (None, AUTHOR, MOD):  # even the moderators' view of the public pages
        c = browser(app, email)
        for url in (idea_page, call_page):
            assert marker not in c.get(url).get_data(as_text=True), (email, url)
    # The evaluation pages keep showing it to the moderators; the audit log never had it.
    assert marker in browser(app, ADMIN).get(f"/calls/{call.id}/evaluation/{best.id}").get_data(as_text=True)
    assert not db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.summary.contains(marker) | AuditEvent.reason.contains(marker)))


def test_published_results_take_a_constant_number_of_queries(app, evaluated_call, staff, call_idea, count_queries):
    call, ideas = evaluated_call
    for _ in range(4):
        call_idea(call, status="under_review")
    decisions = evaluation.ResultsDecisions(
        ideas={ideas[k].id: evaluation.IdeaDecision(k == "best", ANSWERS[k]) for k in ANSWERS},
        others_answer="Non rientra.")
    evaluation.publish_results(staff["moderator"], call, decisions)
    db.session.commit()
    call = db.session.get(Call, call.id)
    assert call.results_published_at is not None
    with count_queries() as counter:
        entries = evaluation.published_results(call)
        titles = [e.idea.title for e in entries]
    assert counter.count == 1
    assert len(titles) == 3 + 2 + 4


def test_the_second_of_two_publications_that_both_passed_the_checks_is_refused_by_the_update(app, evaluated_call,
                                                                                             staff, monkeypatch):
    """The interleaving the conditional UPDATE exists for: both requests read the call (results not published)
    and its shortlist, then the first publishes and commits, then the second tries: 409, nothing twice."""
    call, ideas = evaluated_call
    call_id, ids = call.id, {k: i.id for k, i in ideas.items()}
    user_ids = [staff["moderator"].id, staff["admin"].id]
    both_read, first_done = threading.Barrier(2), threading.Event()
    outcomes: dict[int, object] = {}
    original = evaluation.open_other_ideas

    def read_then_wait(call_):  # runs after the checks and the ranking, just before the UPDATE
        others = original(call_)
        both_read.wait(timeout=10)
        if threading.current_thread().name == "second":
            first_done.wait(timeout=10)
        return others

    monkeypatch.setattr(evaluation, "open_other_ideas", read_then_wait)

    def run(position: int):
        from civic.accounts.models import User

        with app.app_context():
            try:
                user, call_ = db.session.get(User, user_ids[position]), db.session.get(Call, call_id)
                decisions = evaluation.ResultsDecisions(
                    ideas={ids[k]: evaluation.IdeaDecision(k == "best", ANSWERS[k]) for k in ANSWERS},
                    others_answer="Non rientra.")
                evaluation.publish_results(user, call_, decisions)
                db.session.commit()
                outcomes[position] = "published"
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                outcomes[position] = error
            finally:
                if position == 0:
                    first_done.set()

    threads = [threading.Thread(target=run, args=(0,), name="first"),
               threading.Thread(target=run, args=(1,), name="second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes[0] == "published", outcomes
    assert isinstance(outcomes[1], evaluation.EvaluationClosed), outcomes
    assert outcomes[1].status == 409
    # Outside a request the message speaks the default language, Italian.
    assert "I risultati di questo avviso sono già stati pubblicati." in str(outcomes[1].message)
    db.session.expire_all()
    assert count(PostEvent) == 5
    assert count(AuditEvent, AuditEvent.action == "call.publish_results") == 1
