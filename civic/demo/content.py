"""Believable Italian demo content for a fresh site. Each later feature adds its part here."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from civic.accounts import services as accounts
from civic.accounts.models import Role, User
from civic.comments import services as comments
from civic.comments.models import Comment
from civic.core.timeutil import utcnow
from civic.demo.calls import load_demo_calls
from civic.demo.codesign import load_demo_codesign
from civic.demo.data import DEMO_CITIES, CitySeed
from civic.demo.orgs import load_demo_orgs
from civic.demo.projects import load_demo_projects
from civic.demo.startup import load_demo_startup
from civic.extensions import db
from civic.participation import services as participation
from civic.posts import services as posts
from civic.posts.models import Post
from civic.projects import importer
from civic.territories.models import City, Neighbourhood, Theme

DEMO_PASSWORD = "partecipa-2026"  # noqa: S105 - documented in README for trying the site
# The demo's moderators and administrator have two-factor authentication set up with this key (README):
# add it to an authenticator app, or print the current code with `flask --app wsgi demo code`.
DEMO_TOTP_SECRET = "CIVICDEMOPARTECIPACITTAINCLUSIVE"  # noqa: S105 - public on purpose, like the password

# (email, name, role, home city, neighbourhood, moderated cities)
DEMO_USERS = [
    ("admin@example.it", "Giulia Ferraris", Role.ADMIN, "torino", None, ()),
    ("moderatore.torino@example.it", "Marco Bellini", Role.MODERATOR, "torino", None, ("torino",)),
    ("moderatrice.palermo@example.it", "Rosalia Lo Cascio", Role.MODERATOR, "palermo", None, ("palermo",)),
    ("moderatore.bologna@example.it", "Andrea Zanardi", Role.MODERATOR, "bologna", None, ("bologna",)),
    ("anna.rossi@example.it", "Anna Rossi", Role.RESIDENT, "torino", "Barriera di Milano", ()),
    ("karim.benali@example.it", "Karim Benali", Role.RESIDENT, "torino", "Aurora", ()),
    ("salvo.messina@example.it", "Salvo Messina", Role.RESIDENT, "palermo", "Danisinni", ()),
    ("francesca.lupo@example.it", "Francesca Lupo", Role.RESIDENT, "palermo", "Brancaccio", ()),
    ("luca.bertoni@example.it", "Luca Bertoni", Role.RESIDENT, "bologna", "Bolognina", ()),
    ("mei.chen@example.it", "Mei Chen", Role.RESIDENT, "bologna", "Pilastro", ()),
    ("giuseppe.ferrero@example.it", "Giuseppe Ferrero", Role.RESIDENT, "torino", "Vallette", ()),
    ("elena.martinetti@example.it", "Elena Martinetti", Role.RESIDENT, "torino", "Mirafiori Sud", ()),
    ("oumar.diallo@example.it", "Oumar Diallo", Role.RESIDENT, "torino", "San Salvario", ()),
    ("giovanna.pipitone@example.it", "Giovanna Pipitone", Role.RESIDENT, "palermo", "ZEN", ()),
    ("ibrahima.sow@example.it", "Ibrahima Sow", Role.RESIDENT, "palermo", "Ballarò", ()),
    ("rosario.cusumano@example.it", "Rosario Cusumano", Role.RESIDENT, "palermo", "Sperone", ()),
    ("chiara.montanari@example.it", "Chiara Montanari", Role.RESIDENT, "bologna", "San Donato", ()),
    ("fatima.elamrani@example.it", "Fatima El Amrani", Role.RESIDENT, "bologna", "Corticella", ()),
    ("paolo.guidi@example.it", "Paolo Guidi", Role.RESIDENT, "bologna", "Barca", ()),
]


@dataclass
class DemoReport:
    users: int = 0
    needs: int = 0
    ideas: int = 0
    votes: int = 0  # supports on needs and votes on ideas
    comments: int = 0  # replies included
    calls: int = 0
    skipped: bool = False


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def load_demo_content() -> DemoReport:
    """Create the demo accounts, then the needs, ideas, votes and comments of the demo cities.

    Requires the reference data (cities, neighbourhoods, themes). The posts are created only
    once: when the demo accounts already wrote something, they are left as they are.
    """
    report = DemoReport()
    cities = {c.slug: c for c in db.session.scalars(select(City))}
    if not cities:
        raise RuntimeError("Load the reference data first: flask --app wsgi territories load")
    for email, name, role, city_slug, neighbourhood_name, moderated in DEMO_USERS:
        if accounts.find_by_email(email) is not None:
            continue
        city = cities[city_slug]
        neighbourhood = db.session.scalar(
            select(Neighbourhood).where(Neighbourhood.city_id == city.id, Neighbourhood.name == neighbourhood_name)
        ) if neighbourhood_name else None
        user = accounts.register_user(
            email=email, display_name=name, password=DEMO_PASSWORD, role=role,
            home_city_id=city.id, home_neighbourhood_id=neighbourhood.id if neighbourhood else None,
            confirmed=True, privacy_version=current_app.config["PRIVACY_VERSION"],  # the demo's people accepted it
        )
        if moderated:
            accounts.grant_moderation(user, [cities[slug] for slug in moderated])
        if user.role != Role.RESIDENT:
            user.totp_secret, user.totp_enabled_at = DEMO_TOTP_SECRET, utcnow()
        report.users += 1
    db.session.flush()
    _load_posts(cities, report)
    report.calls = load_demo_calls(cities)
    load_demo_orgs(cities)  # Third Sector organisations, with members and one verified
    load_demo_codesign(cities)  # a co-design process of Turin, with the organisations
    load_demo_startup(cities)  # a start-up support plan of Palermo
    load_demo_projects(cities)  # funded projects of Turin, Palermo and Bologna
    _import_sample_projects()
    return report


def _import_sample_projects() -> None:
    """More funded projects (Bologna, Torino, Catania) loaded the way a moderator would: the import of
    the sample CSV file that /projects/import offers, acting as the administrator."""
    sample = Path(importer.__file__).parent / "samples" / "progetti-esempio.csv"
    with sample.open("rb") as stream:
        report = importer.import_file(_person("admin"), stream, filename=sample.name)
    if not report.ok:  # the sample is checked by tests/projects/test_demo.py
        raise RuntimeError(f"the sample projects file does not import: {report.errors}")
    importer.commit()


def _person(handle: str) -> User:
    user = accounts.find_by_email(f"{handle}@example.it")
    if user is None:
        raise RuntimeError(f"The demo content names an unknown demo user: {handle}")
    return user


def _load_posts(cities: dict[str, City], report: DemoReport) -> None:
    """Every post, vote and comment goes through the services, so counters and rules hold."""
    demo_ids = [user.id for email, *_ in DEMO_USERS if (user := accounts.find_by_email(email)) is not None]
    if db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id.in_(demo_ids))):
        return
    themes = {t.slug: t for t in db.session.scalars(select(Theme))}
    for city_slug, seed in DEMO_CITIES.items():
        if city_slug not in cities:
            raise RuntimeError(f"The reference data has no city '{city_slug}': run flask --app wsgi territories load")
        _load_city(cities[city_slug], seed, themes, report)
    _spread_in_time()


def _spread_in_time() -> None:
    """Created in one go, the demo would look written in one second: spread it over the last
    weeks, keeping the order (each comment after its post, each reply after its comment)."""
    from datetime import timedelta

    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    start = utcnow() - timedelta(days=45)
    step = timedelta(days=40) / max(1, len(posts))
    for index, post in enumerate(posts):
        post.created_at = post.updated_at = start + index * step
    for index, comment in enumerate(comments):
        after = comment.post.created_at if comment.parent is None else comment.parent.created_at
        comment.created_at = comment.updated_at = max(after, start) + timedelta(hours=6 + index % 5)
    db.session.flush()


def _load_city(city: City, seed: CitySeed, themes: dict[str, Theme], report: DemoReport) -> None:
    neighbourhoods = {n.name: n for n in db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.city_id == city.id))}

    def place(neighbourhood: str, theme: str) -> tuple[int, int]:
        if neighbourhood not in neighbourhoods or theme not in themes:
            raise RuntimeError(f"The demo content names an unknown place or theme in {city.name}: "
                               f"{neighbourhood} / {theme}")
        return neighbourhoods[neighbourhood].id, themes[theme].id

    created: dict[str, Post] = {}
    for need in seed.needs:
        neighbourhood_id, theme_id = place(need.neighbourhood, need.theme)
        created[need.key] = posts.create_need(_person(need.author), city, posts.PostData(
            title=need.title, body=need.body, theme_id=theme_id, neighbourhood_id=neighbourhood_id,
            location_text=need.location,
        ))
        report.needs += 1
    for idea in seed.ideas:
        neighbourhood_id, theme_id = place(idea.neighbourhood, idea.theme)
        created[idea.key] = posts.create_idea(_person(idea.author), city, posts.PostData(
            title=idea.title, body=idea.body, theme_id=theme_id, neighbourhood_id=neighbourhood_id,
            summary=idea.summary, beneficiaries=idea.beneficiaries,
            estimated_cost=Decimal(idea.estimated_cost) if idea.estimated_cost is not None else None,
            need_ids=tuple(created[key].id for key in idea.needs),
        ))
        report.ideas += 1
    for key, voters in [(n.key, n.supporters) for n in seed.needs] + [(i.key, i.voters) for i in seed.ideas]:
        for handle in voters:
            if participation.add_vote(_person(handle), created[key]):
                report.votes += 1
    for key, thread in seed.threads.items():
        for comment in thread:
            parent = comments.add_comment(_person(comment.author), created[key], comment.body)
            report.comments += 1
            for reply in comment.replies:
                comments.add_comment(_person(reply.author), created[key], reply.body, parent_id=parent.id)
                report.comments += 1
    for key in seed.withdrawn:
        idea = created[key]
        posts.withdraw_idea(idea.author, idea)
