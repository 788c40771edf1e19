"""Calls for ideas: writing and publishing them, their phases deciding what residents may do,
and their public pages."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.calls.models import Call, CallCriterion, CallPhase, Evaluation
from civic.extensions import db
from civic.participation.models import Vote
from civic.posts.models import Idea
from tests.calls.conftest import ADMIN, MODERATOR, OTHER_MODERATOR, days
from tests.posts.helpers import english


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Call, CallPhase, CallCriterion, AuditEvent, Idea, Vote)}


def form_data(programme_, objectives_, themes_, **overrides) -> dict:
    data = {
        "title": "Spazi per i giovani di Aurora",
        "description": "Cerchiamo idee per **spazi aperti** ai ragazzi.",
        "themes": [str(themes_[0].id), str(themes_[1].id)],
        "programme": str(programme_.id),
        "priority": str(programme_.priorities[0].id),
        "objective": str(objectives_["ESO4.8"].id),
        "budget": "150000",
        "eligibility": "Residenti maggiorenni e enti del Terzo Settore con sede in città.",
        "submission_starts_on": days(1).isoformat(), "submission_ends_on": days(20).isoformat(),
        "voting_starts_on": days(21).isoformat(), "voting_ends_on": days(30).isoformat(),
        "evaluation_starts_on": days(31).isoformat(), "evaluation_ends_on": days(40).isoformat(),
        "results_starts_on": days(45).isoformat(),
        "criteria-0-name": "Impatto sociale", "criteria-0-weight": "50",
        "criteria-1-name": "Fattibilità", "criteria-1-weight": "30",
        "criteria-2-name": "Coinvolgimento del quartiere", "criteria-2-weight": "20",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- writing and publishing a call --------------------------------------------------------------

def test_a_moderator_writes_a_draft_and_publishes_it(client, people, programme, objectives, themes, torino):
    client.login(MODERATOR)
    english(client)
    assert client.get("/cities/torino/calls/new").status_code == 200
    response = client.submit("/cities/torino/calls/new", form_data(programme, objectives, themes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    call = db.session.scalars(select(Call)).one()
    assert response.headers["Location"].endswith(f"/calls/{call.id}-spazi-per-i-giovani-di-aurora")
    assert call.is_draft and call.budget_eur == Decimal("150000.00") and call.city_id == torino.id
    assert [(p.kind, p.starts_on, p.ends_on) for p in call.phases] == [
        ("submission", days(1), days(20)), ("voting", days(21), days(30)),
        ("evaluation", days(31), days(40)), ("results", days(45), None)]
    assert [(c.name, c.weight) for c in call.criteria] == [
        ("Impatto sociale", 50), ("Fattibilità", 30), ("Coinvolgimento del quartiere", 20)]
    assert "<strong>spazi aperti</strong>" in call.description_html

    # A draft: the moderators see it, nobody else does.
    page = client.get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    assert "Draft: only the moderators of Torino see it" in page and "Publish the call" in page
    anonymous = client.application.test_client()
    assert anonymous.get(f"/calls/{call.id}-{call.slug}").status_code == 404
    assert call.title not in anonymous.get("/cities/torino/calls").get_data(as_text=True)

    assert client.submit(f"/calls/{call.id}/publish").status_code == 302
    db.session.refresh(call)
    assert not call.is_draft and call.published_at is not None
    assert anonymous.get(f"/calls/{call.id}-{call.slug}").status_code == 200
    assert call.title in anonymous.get("/cities/torino/calls").get_data(as_text=True)
    assert call.title in anonymous.get("/cities/torino").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_kind == "call")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["call.create", "call.publish"]

    # Publishing twice is a conflict, and nothing is recorded twice.
    before = _counts()
    assert client.submit(f"/calls/{call.id}/publish").status_code == 409
    assert _counts() == before


def test_the_address_without_or_with_a_wrong_slug_redirects(client, new_call):
    call = new_call()
    for address in (f"/calls/{call.id}", f"/calls/{call.id}-old-title"):
        response = client.get(address)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/calls/{call.id}-{call.slug}")
    assert client.get("/calls/999999-nothing").status_code == 404


@pytest.mark.parametrize("who, expected", [
    (None, 302), ("anna@example.it", 403), (OTHER_MODERATOR, 403), (MODERATOR, 200), (ADMIN, 200),
])
def test_who_may_write_calls(client, people, anna, new_call, programme, objectives, themes, who, expected):
    draft = new_call(publish=False)
    if who:
        client.login(who)
    before = _counts()
    for url in ("/cities/torino/calls/new", f"/calls/{draft.id}/edit"):
        response = client.get(url)
        assert response.status_code == (404 if expected == 403 and url.endswith("/edit") else expected), url
    for url in ("/cities/torino/calls/new", f"/calls/{draft.id}/edit", f"/calls/{draft.id}/publish"):
        response = client.submit(url, form_data(programme, objectives, themes, title="Un altro titolo"))
        if expected == 302:
            assert "/account/login" in response.headers["Location"], url
        elif expected == 403:
            # A draft of another city does not exist for them; the city's new-call form is refused.
            assert response.status_code in (403, 404), url
        else:
            assert response.status_code == 302, url
        if expected != 200:
            assert _counts() == before, url


def test_a_published_call_of_another_city_is_refused_to_its_non_moderators(client, people, new_call, programme,
                                                                          objectives, themes):
    call = new_call()
    client.login(OTHER_MODERATOR)
    english(client)
    before = _counts()
    response = client.submit(f"/calls/{call.id}/edit", form_data(programme, objectives, themes))
    assert response.status_code == 403
    assert "Only the moderators of Torino can manage its calls." in response.get_data(as_text=True)
    assert _counts() == before


def test_an_edit_is_saved_and_logged(client, new_call, programme, objectives, themes):
    call = new_call()
    client.login(MODERATOR)
    response = client.submit(f"/calls/{call.id}/edit", form_data(
        programme, objectives, themes, title="Giovani al centro, seconda edizione", **{"criteria-2-name": None,
                                                                                     "criteria-2-weight": None,
                                                                                     "criteria-1-weight": "50"}))
    assert response.status_code == 302
    db.session.expire_all()
    call = db.session.get(Call, call.id)
    assert call.title == "Giovani al centro, seconda edizione"
    assert [(c.name, c.weight) for c in call.criteria] == [("Impatto sociale", 50), ("Fattibilità", 50)]
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == "call.edit"
    # The form shows what is stored.
    page = client.get(f"/calls/{call.id}/edit").get_data(as_text=True)
    assert 'value="Giovani al centro, seconda edizione"' in page and 'value="Fattibilità"' in page


BAD_INPUT = [
    ({"criteria-0-weight": "60"}, "The weights of the criteria must add up to 100 (now they add up to 110)."),
    ({"criteria-0-weight": "0", "criteria-1-weight": "80"}, "must be a whole number from 1 to 100"),
    ({"criteria-0-weight": "tanto"}, "Enter a whole number from 1 to 100."),
    ({"criteria-1-name": "", "criteria-1-weight": "30"}, "Each criterion with a weight needs a name."),
    ({"criteria-1-name": "impatto SOCIALE"}, "Two criteria have the same name."),
    ({f"criteria-{i}-{f}": None for i in range(3) for f in ("name", "weight")},
     "An evaluation phase needs evaluation criteria with their weights."),
    ({"voting_ends_on": days(15).isoformat()}, "Voting: the last day comes before the first."),
    ({"voting_starts_on": days(20).isoformat()}, "Voting must start after Submission of ideas ends"),
    ({"evaluation_starts_on": days(25).isoformat()}, "Evaluation must start after Voting ends"),
    ({"submission_ends_on": None}, "Submission of ideas: enter the last day."),
    ({"voting_starts_on": None}, "Voting: enter the first day."),
    ({"submission_starts_on": "31/02/2027"}, "Enter a date as day, month and year"),
    ({k: None for k in ("submission_starts_on", "submission_ends_on", "voting_starts_on", "voting_ends_on",
                        "evaluation_starts_on", "evaluation_ends_on", "results_starts_on")},
     "Give the dates of at least one phase: a call without phases cannot run."),
    ({"budget": "-5"}, "Enter the budget available, in euros (0 or more)."),
    ({"budget": "NaN"}, "Not a valid decimal value."),
    ({"budget": ""}, "Enter the budget available, in euros (0 or more)."),
    ({"title": ""}, "Enter a title."),
    ({"title": "Ab"}, "Enter at least 5 characters."),
    ({"description": "   "}, "Write a description."),
    ({"eligibility": ""}, "Say who can take part and on which conditions."),
    ({"themes": None}, "Choose at least one theme."),
    ({"themes": ["999999"]}, "Choose at least one theme."),
    ({"objective": "rso"}, "Choose the specific objective: ESO4.8 or ESO4.11."),
    ({"programme": ""}, "Choose the programme that funds the call."),
    ({"title": "Bando \u202e nascosto"}, "This field contains characters that are not allowed."),
]


@pytest.mark.parametrize("overrides, message", BAD_INPUT)
def test_bad_input_is_refused_with_a_clear_message(client, people, programme, objectives, themes, overrides,
                                                    message):
    client.login(MODERATOR)
    english(client)
    before = _counts()
    response = client.submit("/cities/torino/calls/new", form_data(programme, objectives, themes, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (overrides, html[:500])
    assert message in html.replace("&#34;", '"').replace("&#39;", "'"), overrides
    assert _counts() == before
    # What was typed is kept.
    if overrides.get("title") is None and "title" not in overrides:
        assert 'value="Spazi per i giovani di Aurora"' in html


def test_an_objective_outside_the_inclusion_priorities_is_refused(client, people, programme, objectives, themes):
    client.login(MODERATOR)
    response = client.submit("/cities/torino/calls/new", form_data(
        programme, objectives, themes, objective=str(objectives["RSO2.7"].id)))
    assert response.status_code == 422 and db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_a_phase_may_be_skipped(client, people, programme, objectives, themes):
    client.login(MODERATOR)
    response = client.submit("/cities/torino/calls/new", form_data(
        programme, objectives, themes, voting_starts_on="", voting_ends_on=""))
    assert response.status_code == 302
    call = db.session.scalars(select(Call)).one()
    assert [p.kind for p in call.phases] == ["submission", "evaluation", "results"]


def test_criteria_stay_once_the_evaluation_started(client, new_call, anna, new_idea, programme, objectives, themes):
    call = new_call("evaluation")
    idea = new_idea(anna, call.city)
    db.session.add(Evaluation(call_id=call.id, idea_id=idea.id, evaluator_id=anna.id, updated_at=call.created_at))
    db.session.commit()
    client.login(MODERATOR)
    english(client)
    before = _counts()
    response = client.submit(f"/calls/{call.id}/edit", form_data(
        programme, objectives, themes, **{"criteria-0-weight": "40", "criteria-1-weight": "40"}))
    assert response.status_code == 422
    assert "The evaluation has started: the criteria and their weights can no longer change." in \
        response.get_data(as_text=True)
    assert _counts() == before


def test_a_call_with_published_results_can_no_longer_be_edited(client, new_call, programme, objectives, themes):
    call = new_call("results")
    call.results_published_at = call.published_at
    db.session.commit()
    client.login(MODERATOR)
    assert client.get(f"/calls/{call.id}/edit").status_code == 409
    assert client.submit(f"/calls/{call.id}/edit", form_data(programme, objectives, themes)).status_code == 409


# --- what the phases allow -----------------------------------------------------------------------

def _submit_idea(client, call, title="Una sala prove per le band del quartiere"):
    return client.submit("/cities/torino/ideas/new", {
        "title": title, "summary": "Una sala prove gratuita aperta tre sere a settimana",
        "body": "Servono strumenti e insonorizzazione.", "theme": str(call.themes[0].id),
        "beneficiaries": "Ragazze e ragazzi del quartiere", "call": str(call.id),
    })


@pytest.mark.parametrize("when, accepted", [
    ("before", False), ("submission", True), ("voting", False), ("evaluation", False), ("results", False),
])
def test_ideas_are_submitted_to_a_call_only_during_its_submission_phase(client, anna, new_call, when, accepted):
    call = new_call(when)
    client.login("anna@example.it")
    english(client)
    form = client.get(f"/cities/torino/ideas/new?call={call.id}").get_data(as_text=True)
    assert (f'<option selected value="{call.id}">' in form) == accepted
    before = _counts()
    response = _submit_idea(client, call)
    if accepted:
        assert response.status_code == 302
        idea = db.session.scalars(select(Idea)).one()
        assert idea.call_id == call.id
        page = client.get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
        assert idea.title in page and "Submit an idea to this call" in page
        assert call.title in client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    else:
        assert response.status_code == 422
        assert "This call collects ideas from" in response.get_data(as_text=True)
        assert _counts() == before


def test_a_draft_or_another_citys_call_takes_no_ideas(client, anna, people, new_call, palermo):
    draft = new_call(publish=False)
    elsewhere = new_call(city=palermo)
    client.login("anna@example.it")
    english(client)
    for call in (draft, elsewhere):
        before = _counts()
        response = _submit_idea(client, call)
        assert response.status_code == 422
        assert "Choose one of the calls open in Torino." in response.get_data(as_text=True)
        assert _counts() == before


def test_ideas_outside_calls_stay_possible(client, anna, new_call):
    new_call("voting")
    client.login("anna@example.it")
    response = client.submit("/cities/torino/ideas/new", {
        "title": "Panchine nuove in piazza", "summary": "Dieci panchine in legno per la piazza del mercato",
        "body": "Quelle di oggi sono rotte.", "theme": str(db.session.scalars(select(Idea.theme_id)).first() or 1),
        "beneficiaries": "Chi passa in piazza",
    })
    assert response.status_code == 302
    idea = db.session.scalars(select(Idea)).one()
    assert idea.call_id is None
    english(client)
    assert "The city's open ideas board" in client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)


@pytest.mark.parametrize("when, open_", [
    ("submission", False), ("voting", True), ("evaluation", False), ("results", False),
])
def test_votes_count_only_during_the_voting_phase(client, anna, bruno, new_call, new_idea, when, open_):
    call = new_call(when)
    idea = new_idea(anna, call.city)
    idea.call_id = call.id
    db.session.commit()
    client.login("bruno@example.it")
    english(client)
    before = _counts()
    response = client.submit(f"/posts/{idea.id}/vote")
    page = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    if open_:
        assert response.status_code == 302
        db.session.refresh(idea)
        assert idea.vote_count == 1
        assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
    else:
        assert response.status_code == 409
        assert "Votes for the ideas of this call are open from" in response.get_data(as_text=True)
        assert "Votes for the ideas of this call are open from" in page and "Vote for this idea" not in page
        assert _counts() == before


def test_a_vote_given_during_the_voting_phase_stays_after_it(client, anna, bruno, new_call, new_idea, add_vote):
    call = new_call("voting")
    idea = new_idea(anna, call.city)
    idea.call_id = call.id
    db.session.commit()
    add_vote(bruno, idea)
    # The voting phase ends: the vote can no longer be taken back.
    voting = next(p for p in call.phases if p.kind == "voting")
    evaluation = next(p for p in call.phases if p.kind == "evaluation")
    voting.starts_on, voting.ends_on = days(-5), days(-1)
    evaluation.starts_on = days(0)
    db.session.commit()
    client.login("bruno@example.it")
    assert client.submit(f"/posts/{idea.id}/unvote").status_code == 409
    db.session.refresh(idea)
    assert idea.vote_count == 1


def test_a_call_without_a_voting_phase_says_so(client, anna, bruno, new_call, new_idea):
    call = new_call("evaluation", skip=("voting",))
    idea = new_idea(anna, call.city)
    idea.call_id = call.id
    db.session.commit()
    client.login("bruno@example.it")
    english(client)
    response = client.submit(f"/posts/{idea.id}/vote")
    assert response.status_code == 409
    assert "This call has no public vote" in response.get_data(as_text=True)


# --- the call page --------------------------------------------------------------------------------

def _timeline(html: str) -> list[tuple[str, bool]]:
    section = re.search(r'<ol class="call-timeline.*?</ol>', html, re.S).group(0)
    return [(re.search(r'call-phase-name[^>]*>([^<]+)<', item).group(1), 'aria-current="step"' in item)
            for item in re.findall(r"<li\b.*?</li>", section, re.S)]


@pytest.mark.parametrize("when, current", [
    ("before", None), ("submission", "Submission of ideas"), ("voting", "Voting"), ("evaluation", "Evaluation"),
    ("results", "Results"),
])
def test_the_timeline_highlights_the_current_phase(client, new_call, when, current):
    call = new_call(when)
    english(client)
    html = client.get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    timeline = _timeline(html)
    assert [name for name, _ in timeline] == ["Submission of ideas", "Voting", "Evaluation", "Results"]
    assert [name for name, is_current in timeline if is_current] == ([current] if current else [])
    if current is None:
        assert "No phase is running today." in html


def test_the_call_page_shows_the_facts_and_the_visible_ideas(client, new_call, anna, new_idea, themes):
    call = new_call("voting")
    ideas = [new_idea(anna, call.city, title=f"Idea numero {i} per i giovani") for i in range(3)]
    for idea in ideas:
        idea.call_id = call.id
    ideas[2].hidden_at, ideas[2].hidden_reason = call.published_at, "Spam"
    db.session.commit()
    english(client)
    html = client.get(f"/calls/{call.id}-{call.slug}").get_data(as_text=True)
    assert "Idea numero 0" in html and "Idea numero 1" in html and "Idea numero 2" not in html
    assert "€250,000.00" in html or "250,000" in html
    assert "ESO4.8" in html and "PN Metro Plus" in html and "Impatto sociale" in html and "60%" in html
    listing = client.get("/cities/torino/calls").get_data(as_text=True)
    assert "2 ideas" in listing and "Now: Voting" in listing


def test_the_call_page_runs_the_same_queries_for_few_and_many_ideas(client, new_call, anna, new_idea,
                                                                   count_queries):
    call = new_call("voting")

    def add(n):
        for i in range(n):
            idea = new_idea(anna, call.city, title=f"Proposta numero {i} del bando")
            idea.call_id = call.id
        db.session.commit()

    def measure() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(f"/calls/{call.id}-{call.slug}").status_code == 200
        return counter.count

    add(2)
    few = measure()
    add(25)
    assert measure() == few
