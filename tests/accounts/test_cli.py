"""Creating administrators and moderators from the command line; demo content."""
from __future__ import annotations

from sqlalchemy import func, select

from civic.accounts.models import User
from civic.extensions import db


def test_create_admin(runner):
    result = runner.invoke(args=["users", "create-admin", "Capo@Example.it", "--name", "Giulia"],
                           input="a-long-enough-password\na-long-enough-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "capo@example.it"))
    assert user.role == "admin" and user.email_confirmed and user.display_name == "Giulia"


def test_create_admin_refuses_a_short_password_and_taken_email(runner, make_user):
    make_user(email="taken@example.it")
    result = runner.invoke(args=["users", "create-admin", "capo@example.it", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output
    result = runner.invoke(args=["users", "create-admin", "taken@example.it", "--password", "a-long-enough-password"])
    assert result.exit_code != 0 and "already exists" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_moderator_for_cities(runner, reference_data):
    result = runner.invoke(args=["users", "create-moderator", "mod@example.it", "--city", "torino",
                                 "--city", "reggio-calabria", "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "mod@example.it"))
    assert user.role == "moderator"
    assert {c.slug for c in user.moderated_cities} == {"torino", "reggio-calabria"}


def test_create_moderator_with_unknown_city(runner, reference_data):
    result = runner.invoke(args=["users", "create-moderator", "mod@example.it", "--city", "atlantide",
                                 "--password", "a-long-enough-password"])
    assert result.exit_code != 0 and "Unknown city 'atlantide'" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_content_loads_once_with_every_role(runner, reference_data):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles["admin"] >= 1 and roles["moderator"] >= 2 and roles["resident"] >= 4
    count = sum(roles.values())
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has users" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == count
    resident = db.session.scalar(select(User).where(User.email == "anna.rossi@example.it"))
    assert resident.home_neighbourhood.name == "Barriera di Milano"


def test_demo_content_needs_reference_data(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "territories load" in result.output


def test_demo_content_fills_each_demo_city(runner, reference_data):
    from civic.comments.models import Comment
    from civic.participation.models import Vote
    from civic.posts.models import Idea, Need, Post, PostStatus
    from civic.territories.models import City

    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "needs" in result.output and "ideas" in result.output and "comments" in result.output
    for slug in ("torino", "palermo", "bologna"):
        city = db.session.scalar(select(City).where(City.slug == slug))
        needs = db.session.scalars(select(Need).where(Need.city_id == city.id)).all()
        ideas = db.session.scalars(select(Idea).where(Idea.city_id == city.id)).all()
        assert len(needs) >= 5 and len(ideas) >= 3, slug
        assert any(idea.needs for idea in ideas), slug
        assert all(need.city_id == city.id for idea in ideas for need in idea.needs)
        post_ids = [p.id for p in needs + ideas]
        assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id.in_(post_ids))) > 0, slug
        assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.post_id.in_(post_ids))) > 0
    assert db.session.scalar(select(func.count()).select_from(Idea).where(Idea.status == PostStatus.WITHDRAWN)) >= 1
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.parent_id.is_not(None))) > 0
    for post in db.session.scalars(select(Post)):
        votes = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == post.id))
        comments = db.session.scalar(select(func.count()).select_from(Comment)
                                     .where(Comment.post_id == post.id, Comment.deleted_at.is_(None)))
        assert (post.vote_count, post.comment_count) == (votes, comments), post
