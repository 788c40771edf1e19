"""The programme dashboard: its totals (page, CSV, JSON, API) equal the sums over the projects computed
here independently, Decimal-exact, in total, per city and per programme; hidden needs, ideas and the
processes they started never count; the filters; bad filters answer 400 with a message; a constant number
of SQL queries whatever the number of projects; the page in English."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.projects.models import FundedProject
from civic.territories.models import City, Programme
from tests.dashboard.conftest import PLUS, PON, add_project
from tests.posts.helpers import english

MONEY = ("area_m2", "funding_total", "committed_total", "paid_total")
COUNTS = ("projects", "people_reached", "housing_units")

FILTERS = [{}, {"city": "torino"}, {"city": "palermo"}, {"programme": PLUS}, {"programme": PON},
           {"programme": PON, "city": "torino"}, {"programme": PON, "city": "palermo"}]


def expected(city: str | None = None, programme: str | None = None) -> dict:
    """The project figures summed here in Python, from the rows, with Decimal."""
    city_id = db.session.scalar(select(City.id).where(City.slug == city)) if city else None
    programme_id = db.session.scalar(select(Programme.id).where(Programme.code == programme)) if programme else None
    rows = [p for p in db.session.scalars(select(FundedProject))
            if (city_id is None or p.city_id == city_id) and (programme_id is None or p.programme_id == programme_id)]
    sums = {"projects": len(rows), "people_reached": sum(p.people_reached for p in rows),
            "housing_units": sum(p.housing_units for p in rows)}
    for name in MONEY:
        sums[name] = sum((getattr(p, name) for p in rows), Decimal("0.00"))
    return sums


def as_api(sums: dict) -> dict:
    return {k: (f"{v:.2f}" if k in MONEY else v) for k, v in sums.items()}


def project_part(measures: dict) -> dict:
    return {k: measures[k] for k in (*COUNTS, *MONEY)}


def test_the_indicators_give_the_project_figures(world):
    main = world["main"]
    assert (main.people_reached, main.housing_units, main.area_m2) == (74, 12, Decimal("2050.50"))


@pytest.mark.parametrize("query", FILTERS)
def test_api_totals_equal_the_sum_of_the_projects(client, world, query):
    response = client.get("/api/v1/figures", query_string=query)
    assert response.status_code == 200
    body = response.get_json()
    assert project_part(body["totals"]) == as_api(expected(**query))
    # Each dimension's groups add up to the totals (every project is in exactly one group of each).
    for dimension, groups in body["groups"].items():
        for name in (*COUNTS, *MONEY):
            total = sum(Decimal(str(g[name])) for g in groups)
            assert total == Decimal(str(body["totals"][name])), (dimension, name)
    assert client.get("/dashboard.json", query_string=query).get_json() == body


def test_groups_per_city_and_per_programme(api_body, world):
    body = api_body()
    cities = {g["key"]: g for g in body["groups"]["city"]}
    for slug in ("torino", "palermo"):
        assert project_part(cities[slug]) == as_api(expected(city=slug))
    programmes = {g["key"]: g for g in body["groups"]["programme"]}
    for code in (PLUS, PON):
        assert project_part(programmes[code]) == as_api(expected(programme=code))
    assert programmes[None]["projects"] == 1 and programmes[None]["name"] is None  # a project without programme
    priorities = {g["key"]: g for g in body["groups"]["priority"]}
    assert priorities[f"{PON}/3"]["people_reached"] == 2640 and priorities[f"{PON}/4"]["housing_units"] == 31
    assert {g["key"] for g in body["groups"]["objective"]} == {"ESO4.11", "ESO4.8", None}
    assert {g["key"] for g in body["groups"]["theme"]} == {"abitare", "lavoro", None}


@pytest.fixture
def api_body(client):
    def get(**query):
        response = client.get("/api/v1/figures", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


def test_participation_figures_and_hidden_content(api_body, world):
    totals = api_body()["totals"]
    # Two public ideas and two public needs: the hidden ones never count.
    assert (totals["ideas"], totals["needs"]) == (2, 2)
    # Two processes (the one from a hidden idea does not count), one of them closed.
    assert (totals["codesign_processes"], totals["codesign_completed"]) == (2, 1)
    # Il Ponte (project partner, process partner) and Rete Torino (admitted); Il Sole was declined, or
    # admitted to the hidden idea's process only.
    assert (totals["organisations"], totals["registered_organisations"]) == (2, 3)
    cities = {g["key"]: g for g in api_body()["groups"]["city"]}
    assert (cities["torino"]["ideas"], cities["torino"]["needs"], cities["torino"]["codesign_processes"]) == (2, 1, 2)
    assert (cities["palermo"]["ideas"], cities["palermo"]["needs"], cities["palermo"]["codesign_processes"]) == (
        0, 1, 0)
    assert cities["palermo"]["registered_organisations"] == 1 and cities["palermo"]["organisations"] == 0
    # Under a programme: the idea of its call and the process of that idea; needs do not apply.
    plus = api_body(programme=PLUS)["totals"]
    assert (plus["ideas"], plus["needs"], plus["codesign_processes"], plus["organisations"]) == (1, None, 1, 2)
    assert plus["registered_organisations"] is None
    assert api_body(programme=PON)["totals"]["ideas"] == 0


def test_the_hidden_posts_never_show_on_the_page(client, world):
    for query in ({}, {"city": "palermo"}, {"measure": "ideas"}):
        page = client.get("/dashboard", query_string=query).get_data(as_text=True)
        assert "Zqx" not in page


def _page_total(page: str, name: str) -> Decimal:
    match = re.search(rf'id="total-{name}">(.*?)</dd>', page, re.S)
    assert match, name
    text = re.sub(r"[^\d,.-]", "", match.group(1))
    return Decimal(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("query", [{}, {"city": "torino"}, {"programme": PON}])
def test_page_totals_equal_the_sum_of_the_projects(client, world, query):
    response = client.get("/dashboard", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name, value in expected(**query).items():
        assert _page_total(page, name) == value, name
    assert page.count('role="img"') >= 5 and page.count("<caption") >= 6
    assert 'scope="col"' in page and 'scope="row"' in page


def _csv(client, **query) -> list[dict]:
    response = client.get("/dashboard.csv", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


@pytest.mark.parametrize("query", [{}, {"programme": PLUS}, {"city": "palermo"}])
def test_csv_totals_equal_the_sum_of_the_projects(client, world, query):
    rows = _csv(client, **query)
    totals = rows[0]
    assert totals["dimensione"] == "totale"
    sums = expected(**query)
    columns = {"projects": "progetti", "people_reached": "persone_raggiunte", "housing_units": "alloggi",
               "area_m2": "mq_recuperati", "funding_total": "euro_programmati", "committed_total": "euro_impegnati",
               "paid_total": "euro_pagati"}
    for name, column in columns.items():
        assert _number(totals[column]) == sums[name], name
    if not query:
        assert totals["euro_programmati"] == "6068685,67"  # decimal comma, exact cents
        by_city = {r["codice"]: r for r in rows if r["dimensione"] == "citta"}
        assert _number(by_city["palermo"]["euro_pagati"]) == expected(city="palermo")["paid_total"]
        assert totals["bisogni"] == "2"
    else:
        assert query.get("programme") is None or totals["bisogni"] == ""  # not applicable: empty


@pytest.mark.parametrize(("url", "query", "message"), [
    ("/dashboard", {"city": "atlantide"}, "Unknown city: atlantide."),
    ("/dashboard", {"programme": "PON-NESSUNO"}, "Unknown programme: PON-NESSUNO."),
    ("/dashboard", {"measure": "stars"}, "Unknown figure for the charts: stars."),
    ("/dashboard", {"colour": "red"}, "Unknown parameter: colour."),
    ("/dashboard.csv", {"city": "atlantide"}, "Unknown city: atlantide."),
    ("/dashboard.json", {"programme": "X"}, "Unknown programme: X."),
    ("/dashboard.json", {"measure": "money"}, "Unknown parameter: measure."),
])
def test_bad_filters_answer_400_with_a_message(client, world, url, query, message):
    english(client)
    response = client.get(url, query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_filters_combine_and_link_to_the_same_selection(client, world):
    page = client.get("/dashboard", query_string={"programme": PON, "city": "torino"}).get_data(as_text=True)
    assert f'href="/projects?programme={PON}&amp;city=torino"' in page
    assert f'href="/dashboard.csv?programme={PON}&amp;city=torino"' in page
    assert 'href="/opendata"' in page
    rows = re.findall(r'<tr data-key="([^"]*)"', page.split('id="by-city"')[1].split("</section>")[0])
    assert rows == ["torino"]


def test_the_programme_reported_figures_are_labelled_and_sourced(client, world):
    english(client)
    page = client.get("/dashboard").get_data(as_text=True)
    section = page.split('id="reported-heading"')[1].split("</section>")[0]
    assert "reported by the programme itself" in section and "not computed by this platform" in section
    assert "270" in section and "85,000" in section and "531" in section
    assert "PON Metro 2014-2020, the programme" in section and "page on social inclusion" in section
    body = client.get("/api/v1/figures").get_json()
    reported = {r["id"]: r for r in body["reported_by_programme"]}
    assert reported["pon_inclusion_projects"]["value"] == 270 and reported["pon_inclusion_projects"]["computed"] == 2
    assert reported["pon_inclusion_people"]["approximate"] is True
    assert reported["pon_inclusion_housing"]["value"] == 531 and reported["pon_inclusion_housing"]["computed"] == 31


@pytest.mark.parametrize("measure", ["money", "projects", "people_reached", "needs", "organisations"])
def test_every_chart_measure_renders(client, world, measure):
    for query in ({"measure": measure}, {"measure": measure, "programme": PLUS}):
        response = client.get("/dashboard", query_string=query)
        assert response.status_code == 200
        assert "<svg" in response.get_data(as_text=True)


def test_the_query_count_does_not_grow_with_the_projects(client, world, count_queries, themes, programmes):
    def measure(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    urls = ["/dashboard", "/dashboard?city=torino&programme=" + PON, "/api/v1/figures", "/dashboard.csv"]
    few = [measure(u) for u in urls]
    torino, palermo = db.session.scalars(select(City).order_by(City.name)).all()[::-1]
    pon = programmes["pon"]
    for i in range(40):
        add_project([torino, palermo][i % 2], pon, pon.priorities[i % 2], None, themes[i % 2], f"{i}.01", "0", "0",
                    people=i, housing=i % 3)
    db.session.commit()
    many = [measure(u) for u in urls]
    assert many == few, (few, many)
    assert max(few) <= 20, few


def test_the_page_in_english(client, world):
    english(client)
    page = client.get("/dashboard").get_data(as_text=True)
    for text in ("Programme dashboard", "By city: compare the cities", "By axis or priority", "By specific objective",
                 "By theme", "What the programme reports", "People reached", "Housing units", "€ programmed",
                 "Download the figures (CSV)", "Organisations involved", "Services for social inclusion",
                 "Access to services", "Housing"):
        assert text in page, text
    assert "Cruscotto" not in page


def test_the_dashboard_without_data(client, app):
    english(client)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("No figure yet for this selection.") == 5
    body = client.get("/api/v1/figures").get_json()
    assert body["totals"]["projects"] == 0 and body["groups"]["city"] == []


def test_money_sums_are_exact_to_the_cent(client, torino, palermo):
    """Amounts that floating point cannot hold (0.10, 0.20, large ones) still add up to the cent."""
    amounts = ["0.10", "0.20", "0.30", "12345678.91", "99999999.99", "0.01"] * 50
    for i, amount in enumerate(amounts):
        add_project([torino, palermo][i % 2], funding=amount, committed=amount, paid="0.07")
    db.session.commit()
    body = client.get("/api/v1/figures").get_json()
    total = sum((Decimal(a) for a in amounts), Decimal("0"))
    assert body["totals"]["funding_total"] == body["totals"]["committed_total"] == f"{total:.2f}"
    assert body["totals"]["paid_total"] == f"{Decimal('0.07') * len(amounts):.2f}"
    by_city = {g["key"]: Decimal(g["funding_total"]) for g in body["groups"]["city"]}
    assert by_city["torino"] + by_city["palermo"] == total
    assert by_city["torino"] == sum((Decimal(a) for a in amounts[::2]), Decimal("0"))
