"""The demo funded projects: loaded with the demo content, with their money kept in step, and their pages work."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from civic.extensions import db
from civic.projects.models import Commitment, FundedProject, Payment


def test_the_demo_has_funded_projects(runner, reference_data, client):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    projects = db.session.scalars(select(FundedProject).order_by(FundedProject.id)).all()
    assert [p.city.slug for p in projects] == ["torino", "palermo", "bologna"]
    for project in projects:
        assert project.committed_total == db.session.scalar(
            select(func.sum(Commitment.amount)).where(Commitment.project_id == project.id))
        assert project.paid_total == db.session.scalar(
            select(func.sum(Payment.amount)).where(Payment.project_id == project.id))
        assert project.paid_total <= project.committed_total <= project.funding_total
        assert sum(m.weight for m in project.milestones) == 100 and project.indicators and project.updates
        assert project.programme is not None and project.beneficiary_tax_code
        page = client.get(f"/projects/{project.id}-{project.slug}")
        assert page.status_code == 200 and project.cup in page.get_data(as_text=True)
    assert projects[1].progress == 100 and projects[1].status == "completed"
    assert projects[2].funding_total == Decimal("2518685.23")
    assert client.get("/projects").status_code == 200
    assert client.get("/cities/torino").status_code == 200
