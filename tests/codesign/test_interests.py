"""Expressions of interest of Third Sector organisations in co-design processes, through the services:
the stage they are accepted in, capofila and verification, who may express, change, withdraw and decide,
decisions once (also when two arrive at once), notifications, participants-only documents, partners."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import FileStorage

from civic.codesign import participation, permissions, services
from civic.codesign.models import CodesignPartner, DocumentRole, ExpressionOfInterest
from civic.codesign.participation import InterestConflict, InterestError, InterestForbidden
from civic.extensions import db
from civic.notifications.models import Notification
from civic.notifications.reading import describe_all
from civic.orgs import services as org_services
from tests.codesign.conftest import CONTRIBUTION, MODERATOR, OTHER_MODERATOR, days, express, pdf_bytes, plan, user
from tests.codesign.conftest import interest_data as data
from tests.orgs.conftest import CF_C


@pytest.fixture(autouse=True)
def _english_messages(app):
    with force_locale("en"):
        yield


def interest_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(ExpressionOfInterest))


# --- the stage --------------------------------------------------------------------------------------

@pytest.mark.parametrize("when, accepted", [("before", False), ("during", True), ("after", False)])
def test_interest_is_accepted_only_during_its_stage(process, orgs, when, accepted):
    plan(process, when)
    if accepted:
        interest = express(process, orgs["ada"], orgs["a"], "capofila")
        assert interest.status == "pending" and interest.submitted_by_id == orgs["ada"].id
    else:
        with pytest.raises(InterestConflict, match="only during"):
            participation.express_interest(orgs["ada"], process, data(orgs["a"]))
        assert interest_rows() == 0


def test_a_process_without_stages_accepts_no_interest(process, orgs):
    with pytest.raises(InterestConflict):
        participation.express_interest(orgs["ada"], process, data(orgs["a"]))


# --- capofila, who expresses ----------------------------------------------------------------------------

def test_capofila_requires_a_verified_organisation(process, orgs):
    plan(process, "during")
    with pytest.raises(InterestError, match="verified") as refused:
        participation.express_interest(orgs["bea"], process, data(orgs["b"], "capofila"))
    assert refused.value.field == "role" and "apply as partner" in str(refused.value.message)
    db.session.rollback()
    assert express(process, orgs["bea"], orgs["b"], "partner").role == "partner"
    assert express(process, orgs["ada"], orgs["a"], "capofila").role == "capofila"


def test_only_the_organisations_admins_express_its_interest(process, orgs, make_user):
    plan(process, "during")
    with pytest.raises(InterestForbidden):  # a plain member
        participation.express_interest(orgs["mino"], process, data(orgs["a"]))
    with pytest.raises(InterestForbidden):  # the admin of B, for A
        participation.express_interest(orgs["bea"], process, data(orgs["a"]))
    with pytest.raises(InterestError, match="organisations you administer"):
        participation.express_interest(orgs["ada"], process, data(orgs["a"], organisation_id=None))
    assert interest_rows() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"role": "sponsor"}, "role"),
    ({"role": ""}, "role"),
    ({"contribution": ""}, "contribution"),
    ({"contribution": "Poco"}, "contribution"),
    ({"contribution": "x" * 5001}, "contribution"),
    ({"experience": " \n "}, "experience"),
    ({"experience": "Esperienza\x00 nascosta" * 3}, "experience"),
])
def test_bad_input_is_refused_with_its_field(process, orgs, overrides, field):
    plan(process, "during")
    with pytest.raises(InterestError) as refused:
        participation.express_interest(orgs["ada"], process, data(orgs["a"], **overrides))
    assert refused.value.field == field and refused.value.status == 422
    db.session.rollback()
    assert interest_rows() == 0


def test_once_per_organisation_and_process(process, orgs):
    plan(process, "during")
    express(process, orgs["ada"], orgs["a"])
    with pytest.raises(InterestConflict, match="already expressed"):
        participation.express_interest(orgs["ada"], process, data(orgs["a"], "capofila"))


def test_change_and_withdraw_while_pending_and_open(process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    participation.update_interest(orgs["ada"], interest, data(orgs["a"], "capofila", contribution=CONTRIBUTION + "!"))
    db.session.commit()
    assert interest.role == "capofila" and interest.contribution.endswith("!")
    with pytest.raises(InterestForbidden):
        participation.withdraw_interest(orgs["mino"], interest)
    participation.withdraw_interest(orgs["ada"], interest)
    db.session.commit()
    assert interest_rows() == 0
    express(process, orgs["ada"], orgs["a"])  # and may express again


def test_no_change_once_decided_or_once_the_stage_is_over(process, orgs):
    plan(process, "during")
    decided = express(process, orgs["ada"], orgs["a"])
    pending = express(process, orgs["bea"], orgs["b"])
    participation.decide(user(MODERATOR), decided, True, "Requisiti verificati")
    db.session.commit()
    with pytest.raises(InterestConflict, match="already decided"):
        participation.withdraw_interest(orgs["ada"], decided)
    plan(process, "after")
    with pytest.raises(InterestConflict, match="only during"):
        participation.update_interest(orgs["bea"], pending, data(orgs["b"]))
    with pytest.raises(InterestConflict):
        participation.withdraw_interest(orgs["bea"], pending)


# --- the commission ---------------------------------------------------------------------------------------

def test_the_commission_decides_once_with_a_public_reason(process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"], "capofila")
    with pytest.raises(InterestError, match="public reason"):
        participation.decide(user(MODERATOR), interest, True, "  ")
    with pytest.raises(InterestForbidden):
        participation.decide(user(OTHER_MODERATOR), interest, True, "Non è la mia città")
    with pytest.raises(InterestForbidden):
        participation.decide(orgs["ada"], interest, True, "Mi ammetto da sola")
    db.session.rollback()
    assert interest.status == "pending"
    plan(process, "after")  # during the assessment, after the stage
    participation.decide(user(MODERATOR), interest, True, "Esperienza documentata nel quartiere")
    db.session.commit()
    assert (interest.status, interest.reason, interest.decided_by_id) == (
        "admitted", "Esperienza documentata nel quartiere", user(MODERATOR).id)
    with pytest.raises(InterestConflict, match="already decided"):
        participation.decide(user(MODERATOR), interest, False, "Ci ripenso")


def test_no_decision_before_the_stage_nor_after_closing(process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    plan(process, "before")
    with pytest.raises(InterestConflict, match="has begun"):
        participation.decide(user(MODERATOR), interest, True, "Troppo presto")
    db.session.rollback()
    process.status, process.closed_at = "closed", process.opened_at
    db.session.commit()
    with pytest.raises(InterestConflict, match="closed"):
        participation.decide(user(MODERATOR), interest, True, "Troppo tardi")


def test_of_two_decisions_at_once_one_wins(process, orgs):
    """The second one read the row while it was pending: the conditional UPDATE refuses it."""
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    participation.decide(user(MODERATOR), interest, True, "Prima decisione")
    db.session.commit()
    set_committed_value(interest, "status", "pending")  # what the other request had read
    with pytest.raises(InterestConflict):
        participation.decide(user(MODERATOR), interest, False, "Seconda decisione")
    db.session.rollback()
    assert db.session.get(ExpressionOfInterest, interest.id).status == "admitted"


def test_one_capofila_per_process(process, orgs, make_user, new_org):  # noqa: F811
    plan(process, "during")
    carlo = make_user(email="carlo@example.it")
    c = new_org(carlo, name="Terza Cooperativa", codice_fiscale=CF_C)
    org_services.verify(user(MODERATOR), c)
    first = express(process, orgs["ada"], orgs["a"], "capofila")
    second = express(process, carlo, c, "capofila")
    participation.decide(user(MODERATOR), first, True, "Capofila")
    with pytest.raises(InterestConflict, match="already admitted as lead partner"):
        participation.decide(user(MODERATOR), second, True, "Anche lei")
    participation.decide(user(MODERATOR), second, False, "Il capofila è già stato scelto")
    db.session.commit()


def test_the_organisations_members_are_notified_of_the_decision(process, orgs):
    plan(process, "during")
    interest = express(process, orgs["ada"], orgs["a"])
    participation.decide(user(MODERATOR), interest, False, "Mancano i requisiti di esperienza")
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(Notification.event == "codesign.interest_decided")).all()
    assert {n.recipient_id for n in rows} == {orgs["ada"].id, orgs["mino"].id}
    with force_locale("en"):
        texts = describe_all(rows)
    assert texts[0].text == (f"The commission did not admit {orgs['a'].name} to the co-design process "
                             f"\"{process.title}\".")
    assert texts[0].detail == "Reason: Mancano i requisiti di esperienza"
    with force_locale("it"):  # written when shown, in the reader's language
        assert describe_all(rows)[0].detail == "Motivo: Mancano i requisiti di esperienza"


# --- documents for participants ---------------------------------------------------------------------------

def test_admitted_members_upload_and_see_participants_documents(process, orgs, make_user):
    plan(process, "during")
    admitted = express(process, orgs["ada"], orgs["a"])
    declined = express(process, orgs["bea"], orgs["b"])
    participation.decide(user(MODERATOR), admitted, True, "Ammessa")
    participation.decide(user(MODERATOR), declined, False, "Non ammessa")
    db.session.commit()
    stranger = make_user(email="passante@example.it")
    assert permissions.can_upload_document(orgs["mino"], process)
    assert not permissions.can_upload_document(orgs["bea"], process)
    assert not permissions.can_upload_document(stranger, process)
    document = services.add_document(orgs["mino"], process, "Bozza riservata", DocumentRole.OTHER.value,
                                     FileStorage(stream=io.BytesIO(pdf_bytes()), filename="bozza.pdf"),
                                     "participants")
    public = services.add_document(user(MODERATOR), process, "Avviso", DocumentRole.OTHER.value,
                                   FileStorage(stream=io.BytesIO(pdf_bytes()), filename="avviso.pdf"))
    db.session.commit()
    assert document.visibility == "participants" and public.visibility == "public"
    for who, sees in ((orgs["ada"], True), (user(MODERATOR), True), (orgs["bea"], False), (stranger, False),
                      (None, False), (user(OTHER_MODERATOR), False)):
        assert participation.can_see_document(who, document) is sees
        assert [d.title for d in participation.visible_documents(who, process, [document, public])] == (
            ["Bozza riservata", "Avviso"] if sees else ["Avviso"])
    with pytest.raises(InterestError):
        services.add_document(user(MODERATOR), process, "Altro", DocumentRole.OTHER.value,
                              FileStorage(stream=io.BytesIO(pdf_bytes()), filename="altro.pdf"), "secret")


# --- partners at closing -----------------------------------------------------------------------------------

def test_closing_records_the_admitted_organisations_as_partners(process, orgs):
    plan(process, "agreement")
    stage_day = days(-70)
    admitted = participation.express_interest(orgs["ada"], process, data(orgs["a"], "capofila"), on=stage_day)
    declined = participation.express_interest(orgs["bea"], process, data(orgs["b"]), on=stage_day)
    participation.decide(user(MODERATOR), admitted, True, "Capofila")
    participation.decide(user(MODERATOR), declined, False, "Non ammessa")
    services.add_document(user(MODERATOR), process, "Convenzione firmata", DocumentRole.AGREEMENT.value,
                          FileStorage(stream=io.BytesIO(pdf_bytes()), filename="convenzione.pdf"))
    db.session.commit()
    # The free-text names are optional now (an organisation is admitted); the admitted one typed again is dropped.
    services.close_process(user(MODERATOR), process, "Convenzione firmata.", "in_startup",
                           f"{orgs['a'].name.upper()}\nParrocchia di San Gioacchino")
    db.session.commit()
    partners = db.session.scalars(select(CodesignPartner)).all()
    assert [(p.organisation_id, p.role) for p in partners] == [(orgs["a"].id, "capofila")]
    assert process.partners == ["Parrocchia di San Gioacchino"]
    found = participation.participations_of(None, orgs["a"])
    assert [(p.process.id, p.role, p.partner) for p in found] == [(process.id, "capofila", True)]
    assert participation.participations_of(None, orgs["b"]) == []


def test_without_admitted_organisations_the_partners_names_are_required(process):
    plan(process, "agreement")
    services.add_document(user(MODERATOR), process, "Convenzione firmata", DocumentRole.AGREEMENT.value,
                          FileStorage(stream=io.BytesIO(pdf_bytes()), filename="convenzione.pdf"))
    db.session.commit()
    with pytest.raises(services.CodesignError, match="Name the partners"):
        services.close_process(user(MODERATOR), process, "Fatto.", "in_startup", "")
