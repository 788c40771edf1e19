"""The demo start-up support plan: loaded with the demo content, its pages work."""
from __future__ import annotations

from sqlalchemy import select

from civic.extensions import db
from civic.posts.models import PostEvent
from civic.startup.models import SupportPlan
from tests.posts.helpers import english


def test_the_demo_has_a_support_plan(runner, reference_data, client):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    plan = db.session.scalars(select(SupportPlan)).one()
    assert plan.city.slug == "palermo" and plan.idea.status == "in_startup"
    assert plan.mentor.email == "moderatrice.palermo@example.it" and plan.grant_amount > 0
    assert [m.status for m in plan.milestones] == ["approved", "open", "open"] and len(plan.gates) == 1
    moves = db.session.scalars(select(PostEvent.action).where(PostEvent.post_id == plan.idea_id)).all()
    assert moves[-1] == "start_support" and all(
        e.reason_markdown for e in db.session.scalars(select(PostEvent).where(PostEvent.post_id == plan.idea_id)))
    english(client)
    page = client.get(f"/startup/{plan.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "tutor di quartiere" in text and "sabato mattina" not in text  # the update, never the private note
    evidence = plan.milestones[0].evidence[0]
    assert client.get(f"/startup/evidence/{evidence.id}/download").status_code == 200
    client.login("francesca.lupo@example.it", "partecipa-2026")
    assert "sabato mattina" in client.get(f"/startup/{plan.id}/workspace").get_data(as_text=True)
