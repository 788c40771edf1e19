"""The demo co-design process: loaded with the demo content, its pages work."""
from __future__ import annotations

from sqlalchemy import select

from civic.codesign import files, stages
from civic.codesign.models import CodesignProcess, StageKind
from civic.extensions import db
from tests.posts.helpers import english


def test_the_demo_has_a_running_process(runner, reference_data, client):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    process = db.session.scalars(select(CodesignProcess).order_by(CodesignProcess.id)).first()  # Turin's, the first
    assert process.city.slug == "torino" and process.idea.status == "in_codesign"
    assert stages.current_stage(process).kind == StageKind.CODESIGN_TABLE
    past, upcoming = process.meetings
    assert past.minutes_html and past.registration_count == 3 and upcoming.minutes_html is None
    version = process.documents[0].versions[0]
    assert files.detect((files.folder() / version.stored_name).read_bytes()).key == "pdf"
    english(client)
    page = client.get(f"/codesign/{process.id}-{process.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Co-design table" in text and "Register" not in text  # anonymous: "Log in to register"
    assert client.get(f"/codesign/documents/versions/{version.id}/download").status_code == 200


def test_the_demo_process_has_expressions_of_interest(runner, reference_data, client):
    """Sent while that stage ran: one organisation admitted as capofila, one still pending; the
    organisation's page lists its participation."""
    from civic.codesign.models import ExpressionOfInterest

    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    process = db.session.scalars(select(CodesignProcess).order_by(CodesignProcess.id)).first()  # Turin's, the first
    interests = db.session.scalars(select(ExpressionOfInterest).order_by(ExpressionOfInterest.id)).all()
    assert [(i.organisation.name, i.role, i.status) for i in interests] == [
        ("Barriera Aperta Cooperativa Sociale", "capofila", "admitted"),
        ("Rete Civica Bolognina ETS", "partner", "pending")]
    assert interests[0].organisation.is_verified and interests[0].reason
    assert stages.has_reached(process, StageKind.EXPRESSIONS_OF_INTEREST)
    english(client)
    text = client.get(f"/codesign/{process.id}-{process.slug}").get_data(as_text=True)
    assert "Barriera Aperta Cooperativa Sociale" in text and "Rete Civica Bolognina ETS" in text
    assert interests[0].contribution not in text  # the proposals are not public
    org = interests[0].organisation
    assert process.title in client.get(f"/organisations/{org.id}-{org.slug}").get_data(as_text=True)
