"""A team member added by many requests at the same moment is added once; every other request is told
the person is already in the team (the check of a request made a moment later), none answers 500."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from civic.extensions import db
from civic.startup import services
from civic.startup.models import SupportGate, TeamMember
from tests.races import DUPLICATE, clients, post_at_once
from tests.startup.conftest import MODERATOR, user

PARALLEL = 20
GATES = 6
ALREADY = "This person is already in the team."


def test_simultaneous_additions_of_one_member_add_one_row(app, client, plan, make_user):
    newcomer = make_user(email="nuova.socia@example.it", name="Nora Nuova")
    db.session.commit()
    results = post_at_once(app, clients(app, PARALLEL, login=MODERATOR), f"/startup/{plan.id}/members", {"member-email": newcomer.email})
    statuses = [status for status, _page in results]
    assert statuses.count(302) == 1, statuses
    for status, page in results:
        if status != 302:
            assert status == 422, status
            assert ALREADY in page or DUPLICATE in page, page[:2000]
    rows = db.session.scalar(select(func.count()).select_from(TeamMember)
                             .where(TeamMember.plan_id == plan.id, TeamMember.user_id == newcomer.id))
    assert rows == 1


def test_gates_added_at_once_each_take_their_own_position_or_are_told_to_reload(app, client, plan):
    """Each gate takes the next position after those it read: requests made together read the same ones.
    The one that meets the position taken runs again and takes the next; none answers 500."""
    moderator = user(MODERATOR)
    milestone = services.add_milestone(moderator, plan, services.MilestoneData("Prototipo", date.today() + timedelta(days=30),
                                                                                "Un prototipo"))
    db.session.commit()
    results = post_at_once(app, clients(app, GATES, login=MODERATOR), f"/startup/{plan.id}/gates",
                            {"gate-title": "Verifica di fase", "gate-milestones": str(milestone.id)})
    statuses = [status for status, _page in results]
    assert set(statuses) <= {302, 422}, statuses
    assert statuses.count(302) >= 2, statuses  # at least the first and one that ran again
    for status, page in results:
        if status == 422:
            assert DUPLICATE in page, page[:2000]
    positions = db.session.scalars(select(SupportGate.position).where(SupportGate.plan_id == plan.id)).all()
    assert sorted(positions) == list(range(1, statuses.count(302) + 1))
