"""A team member added by many requests at the same moment is added once; every other request is told
the person is already in the team (the check of a request made a moment later), none answers 500."""
from __future__ import annotations

from sqlalchemy import func, select

from civic.extensions import db
from civic.startup.models import TeamMember
from tests.core.test_duplicates import DUPLICATE, _post_at_once
from tests.posts.helpers import english
from tests.startup.conftest import MODERATOR

PARALLEL = 20
ALREADY = "This person is already in the team."


def test_simultaneous_additions_of_one_member_add_one_row(app, client, plan, make_user):
    newcomer = make_user(email="nuova.socia@example.it", name="Nora Nuova")
    db.session.commit()
    clients = []
    for _ in range(PARALLEL):
        c = app.test_client()
        c.login(MODERATOR)
        english(c)
        clients.append((c, c.csrf_token()))
    results = _post_at_once(app, clients, f"/startup/{plan.id}/members", {"member-email": newcomer.email})
    statuses = [status for status, _page in results]
    assert statuses.count(302) == 1, statuses
    for status, page in results:
        if status != 302:
            assert status == 422, status
            assert ALREADY in page or DUPLICATE in page, page[:2000]
    rows = db.session.scalar(select(func.count()).select_from(TeamMember)
                             .where(TeamMember.plan_id == plan.id, TeamMember.user_id == newcomer.id))
    assert rows == 1
