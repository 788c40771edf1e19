"""Reference data, city pages and neighbourhood editing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.accounts.permissions import can_edit_neighbourhoods, can_moderate_city
from civic.extensions import db
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme
from tests.conftest import table_counts


def test_reference_data_load_is_complete_and_idempotent(runner):
    result = runner.invoke(args=["territories", "load"])
    assert result.exit_code == 0, result.output
    assert "53 cities" in result.output
    first = table_counts()
    result = runner.invoke(args=["territories", "load"])
    assert result.exit_code == 0 and table_counts() == first

    roles = dict(db.session.execute(select(City.role, func.count()).group_by(City.role)).all())
    assert roles == {"metropolitan": 14, "medium_south": 39}
    metro = db.session.scalars(select(City).where(City.role == "metropolitan")).all()
    assert all(city.neighbourhoods for city in metro)
    assert {c.name for c in metro} >= {"Torino", "Reggio Calabria", "Palermo", "Cagliari"}
    assert db.session.scalar(select(City).where(City.slug == "cava-de-tirreni")).name == "Cava de' Tirreni"
    assert {p.code for p in db.session.scalars(select(Programme))} == {"PON-METRO-2014-2020", "PN-METRO-PLUS-2021-2027"}
    assert {o.code for o in db.session.scalars(select(SpecificObjective))} == {"ESO4.8", "ESO4.11"}
    assert db.session.scalar(select(func.count()).select_from(Theme)) >= 7
    axis3 = db.session.scalar(select(Priority).join(Programme).where(Programme.code == "PON-METRO-2014-2020", Priority.code == "3"))
    assert axis3.inclusion and axis3.fund == "FSE" and {a.code for a in axis3.actions} >= {"3.1.1", "3.3.1"}


def test_reload_keeps_neighbourhoods_added_by_admins(runner, reference_data):
    torino = db.session.scalar(select(City).where(City.slug == "torino"))
    db.session.add(Neighbourhood(city=torino, name="Borgo Nuovo di prova", slug="borgo-nuovo-di-prova"))
    db.session.commit()
    runner.invoke(args=["territories", "load"])
    assert db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "borgo-nuovo-di-prova"))


def test_city_pages(client, reference_data):
    assert "Barriera di Milano" in client.get("/cities/torino").get_data(as_text=True)
    html = client.get("/cities/").get_data(as_text=True)
    assert "Reggio Calabria" in html and "Corigliano-Rossano" in html
    assert client.get("/cities/atlantide").status_code == 404
    html = client.get("/programmes/").get_data(as_text=True)
    assert "ESO4.11" in html and "239.420.000,00" in html


def test_city_page_query_count_does_not_grow_with_neighbourhoods(client, make_city, count_queries):
    small = make_city("Piccola", neighbourhoods=("Uno",))
    big = make_city("Grande", neighbourhoods=tuple(f"Quartiere {i}" for i in range(40)))
    with count_queries() as few:
        client.get(f"/cities/{small.slug}")
    with count_queries() as many:
        client.get(f"/cities/{big.slug}")
    # One query per section of the page, whatever its rows (10: the funded projects' section, civic/projects).
    assert many.count == few.count <= 10


@pytest.fixture
def torino(make_city):
    return make_city("Torino", neighbourhoods=("Aurora", "Vanchiglia"))


def test_admin_adds_renames_and_removes_neighbourhoods(client, make_user, torino):
    make_user("admin", email="admin@example.it")
    client.login("admin@example.it")
    assert client.get("/cities/torino/neighbourhoods").status_code == 200
    response = client.submit("/cities/torino/neighbourhoods", {"name": "  Barriera   di Milano "})
    assert response.status_code == 302
    added = db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == "Barriera di Milano"))
    assert added.slug == "barriera-di-milano" and added.city_id == torino.id

    response = client.submit(f"/cities/torino/neighbourhoods/{added.id}", {"name": "Barriera di Milano Nord"})
    assert response.status_code == 302 and added.name == "Barriera di Milano Nord"

    added_id = added.id
    response = client.submit(f"/cities/torino/neighbourhoods/{added_id}/delete")
    assert response.status_code == 302
    assert db.session.get(Neighbourhood, added_id) is None


@pytest.mark.parametrize("name, message", [
    ("Aurora", "ha già un quartiere"),
    ("aurora", "ha già un quartiere"),
    ("x", "almeno 2"),
    ("Borgo\x00", "non consentiti"),
    ("N" * 200, "al massimo 120"),
])
def test_bad_neighbourhood_names_are_refused(client, make_user, torino, name, message):
    make_user("admin", email="admin@example.it")
    client.login("admin@example.it")
    before = table_counts()
    response = client.submit("/cities/torino/neighbourhoods", {"name": name})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts() == before


@pytest.mark.parametrize("role", ["resident", "moderator"])
def test_only_admins_edit_neighbourhoods(client, make_user, torino, role):
    make_user(role, email="someone@example.it", cities=[torino] if role == "moderator" else [])
    client.login("someone@example.it")
    before = table_counts()
    aurora = torino.neighbourhoods[0]
    assert client.get("/cities/torino/neighbourhoods").status_code == 403
    assert client.submit("/cities/torino/neighbourhoods", {"name": "Nuovo"}).status_code == 403
    assert client.submit(f"/cities/torino/neighbourhoods/{aurora.id}", {"name": "Altro"}).status_code == 403
    assert client.submit(f"/cities/torino/neighbourhoods/{aurora.id}/delete").status_code == 403
    assert table_counts() == before


def test_anonymous_visitors_are_sent_to_login(client, torino):
    response = client.submit("/cities/torino/neighbourhoods", {"name": "Nuovo"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_neighbourhood_of_another_city_is_not_found(client, make_user, make_city, torino):
    palermo = make_city("Palermo", region="Sicilia", neighbourhoods=("Danisinni",))
    make_user("admin", email="admin@example.it")
    client.login("admin@example.it")
    response = client.submit(f"/cities/torino/neighbourhoods/{palermo.neighbourhoods[0].id}/delete")
    assert response.status_code == 404
    assert db.session.get(Neighbourhood, palermo.neighbourhoods[0].id) is not None


def test_delete_without_csrf_token_changes_nothing(client, make_user, torino):
    make_user("admin", email="admin@example.it")
    client.login("admin@example.it")
    aurora = torino.neighbourhoods[0]
    response = client.post(f"/cities/torino/neighbourhoods/{aurora.id}/delete")
    assert response.status_code == 400
    assert db.session.get(Neighbourhood, aurora.id) is not None


def test_moderation_scope(make_user, make_city):
    torino = make_city("Torino")
    palermo = make_city("Palermo", region="Sicilia")
    moderator = make_user("moderator", cities=[torino])
    admin = make_user("admin")
    resident = make_user("resident")
    assert can_moderate_city(moderator, torino) and not can_moderate_city(moderator, palermo)
    assert can_moderate_city(admin, palermo)
    assert not can_moderate_city(resident, torino)
    assert not can_moderate_city(None, torino)
    assert can_edit_neighbourhoods(admin, torino) and not can_edit_neighbourhoods(moderator, torino)
