"""The demo funded projects: loaded with the demo content, with their money kept in step, and their pages work."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from civic.extensions import db
from civic.projects.models import Commitment, FundedProject, Payment


def test_the_demo_has_funded_projects(runner, reference_data, client):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    everything = db.session.scalars(select(FundedProject).order_by(FundedProject.id)).all()
    # Three written through the services, then four imported from the sample CSV file of /projects/import.
    assert [p.city.slug for p in everything] == ["torino", "palermo", "bologna", "bologna", "bologna", "torino",
                                                  "catania"]
    projects, imported = everything[:3], everything[3:]
    for project in imported:
        assert project.cup and project.local_code and project.programme is not None
        assert project.paid_total <= project.committed_total <= project.funding_total
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
