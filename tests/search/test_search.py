"""Search over the platform, the same tests on both engines: Whoosh (with SQLite) and PostgreSQL
full-text search (with PostgreSQL)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation import services as moderation
from civic.posts.models import Post
from civic.search.query import SearchRequest
from tests.conftest import table_counts
from tests.search.conftest import MODERATOR
from tests.search.helpers import english, results, total


def moderator():
    from civic.accounts.models import User

    return db.session.query(User).filter_by(email=MODERATOR).one()


@pytest.fixture
def housing(people, anna, torino, palermo, new_need, new_idea):
    """A few needs and ideas about housing, in Torino and Palermo."""
    made = {
        "alloggi": new_need(anna, torino, title="Alloggi vuoti nel quartiere Aurora",
                            body="Molti alloggi popolari sono sfitti da anni.", neighbourhood=torino.neighbourhoods[0]),
        "citta": new_need(anna, torino, title="Una città senza panchine",
                          body="Nel centro della città non ci si può sedere."),
        "palermo": new_need(anna, palermo, title="Alloggio temporaneo per chi perde la casa",
                            body="Servono alloggi ponte per le famiglie sfrattate."),
        "idea": new_idea(anna, torino, title="Agenzia sociale per la casa",
                         body="Un servizio che accompagna chi cerca un alloggio in affitto.",
                         summary="Mettere in contatto proprietari e famiglie"),
        "english": new_need(anna, torino, title="Housing for homeless people in the city",
                            body="We need more houses and shelters for the people who sleep outside."),
    }
    return made


def test_italian_stemming_and_accents(client, housing):
    status, titles, _html = results(client, q="alloggio")
    assert status == 200
    assert {"Alloggi vuoti nel quartiere Aurora", "Alloggio temporaneo per chi perde la casa",
            "Agenzia sociale per la casa"} <= set(titles)
    # Accents folded both ways.
    assert "Una città senza panchine" in results(client, q="citta")[1]
    assert "Una città senza panchine" in results(client, q="CITTÀ")[1]


def test_english_text_is_found_with_english_words(client, housing):
    assert results(client, q="house")[1] == ["Housing for homeless people in the city"]
    assert results(client, q="shelter")[1] == ["Housing for homeless people in the city"]


def test_every_word_must_match_and_title_matches_rank_first(client, housing):
    titles = results(client, q="alloggi aurora")[1]
    assert titles == ["Alloggi vuoti nel quartiere Aurora"]
    titles = results(client, q="casa")[1]
    # "casa" in the title of both; the idea's body does not say it, the need's does.
    assert set(titles[:2]) == {"Agenzia sociale per la casa", "Alloggio temporaneo per chi perde la casa"}


def test_stop_words_typed_do_not_empty_the_results(client, housing):
    # "per" and "la" are in no index (stop words); "the" neither: the other words are searched.
    assert results(client, q="agenzia per la casa")[1] == ["Agenzia sociale per la casa"]
    assert results(client, q="the shelters")[1] == ["Housing for homeless people in the city"]


def test_recent_items_are_boosted(client, anna, torino, new_need, people):
    old = new_need(anna, torino, title="Fontanella rotta in piazza", body="La fontanella non funziona.")
    new = new_need(anna, torino, title="Fontanella rotta in piazza", body="La fontanella non funziona.")
    db.session.execute(update(Post).where(Post.id == old.id).values(created_at=utcnow() - timedelta(days=900)))
    db.session.commit()
    from civic.search.documents import all_documents
    from civic.search.engine import engine

    engine().rebuild(all_documents())
    db.session.commit()
    html = results(client, q="fontanella")[2]
    ids = re.findall(r'href="/needs/(\d+)-', html)
    assert ids[:2] == [str(new.id), str(old.id)]


def test_snippets_are_highlighted_and_inert(client, anna, torino, new_need, people):
    new_need(anna, torino, title="Panchine rotte al parco",
             body="Le panchine <script>alert(1)</script> del parco Dora sono rotte &amp; pericolose.")
    _status, titles, html = results(client, q="panchine")
    assert titles == ["Panchine rotte al parco"]
    assert "<mark>Panchine</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "<mark>panchine</mark>" in html


def test_facets_filters_and_pagination(client, housing, torino):
    _status, titles, html = results(client, q="alloggi")
    assert total(html) == 3
    assert re.search(r"Torino \(2\)", html) and re.search(r"Palermo \(1\)", html)
    _status, titles, html = results(client, q="alloggi", city="torino", type="need")
    assert titles == ["Alloggi vuoti nel quartiere Aurora"]
    # The status facet appears once a type is chosen.
    assert 'id="facet-status"' in html
    assert 'id="facet-status"' not in results(client, q="alloggi")[2]
    neighbourhood = torino.neighbourhoods[0]
    assert results(client, q="alloggi", neighbourhood=str(neighbourhood.id))[1] == ["Alloggi vuoti nel quartiere Aurora"]
    assert results(client, q="alloggi", theme="lavoro")[1] == []


def test_very_common_words_get_estimated_counts_on_postgresql(app, client, people, engine_name, monkeypatch):
    """Counting tens of thousands of matches one by one is too slow for a search: when the planner
    expects more than EXACT_COUNT_MAX, PostgreSQL counts a sample of the table's pages and the page says
    the numbers are estimates. (Whoosh counts its bitsets exactly, always.)"""
    if engine_name != "postgresql":
        pytest.skip("PostgreSQL only: Whoosh always counts exactly")
    from civic.search import postgres_engine
    from civic.search.documents import Document

    # 3,000 documents straight into the index (about 400 pages of the table): 1,000 say "cortile".
    created = utcnow()
    postgres_engine.PostgresEngine().apply([
        Document(kind="need", id=100_000 + n, city_id=1 + n % 2, title=f"Segnalazione numero {n}",
                 body=("Il cortile è chiuso. " if n % 3 == 0 else "La strada è buia. ") + "parola " * 60,
                 status="published", created_at=created, neighbourhood_ids=(), theme_ids=(), language="it")
        for n in range(3000)], [])
    db.session.execute(text("ANALYZE search_document"))  # the planner's statistics of the lexemes
    monkeypatch.setattr(postgres_engine, "EXACT_COUNT_MAX", 200)
    monkeypatch.setattr(postgres_engine, "SAMPLE_MATCHES", 300)
    search = postgres_engine.PostgresEngine().search
    found = search(SearchRequest(words=["cortile"]))
    assert found.estimated and 600 <= found.total <= 1400  # a third of the pages: about 1,000
    assert sum(found.facets["city"].values()) == found.total and len(found.hits) == 20
    assert not search(SearchRequest(words=["cortile", "numero", "30"])).estimated  # one: counted
    exact = search(SearchRequest(words=["cortile"], per_page=1))
    monkeypatch.setattr(postgres_engine, "EXACT_COUNT_MAX", 10_000)
    assert search(SearchRequest(words=["cortile"])).total == 1000 and exact.estimated
    # The page says so (the hits themselves are not posts, so none is listed).
    monkeypatch.setattr(postgres_engine, "EXACT_COUNT_MAX", 200)
    _status, _titles, html = results(client, q="cortile")
    assert re.search(r'id="results-heading"[^>]*>Circa [0-9.]+ risultati', html)
    assert "i numeri sono stime" in html
    english(client)
    _status, _titles, html = results(client, q="cortile")
    assert re.search(r'id="results-heading"[^>]*>About [0-9,]+ results', html)
    assert "the numbers are estimates" in html


def test_pagination(client, anna, torino, new_need, people, app):
    for n in range(23):
        new_need(anna, torino, title=f"Lampione spento numero {n}", body="Il lampione è spento da settimane.")
    _status, first, html = results(client, q="lampione")
    assert total(html) == 23 and len(first) == 20
    _status, second, _html = results(client, q="lampione", page="2")
    assert len(second) == 3 and not set(first) & set(second)
    # Beyond the last page the search can reach, or not a page number: refused with the reason.
    english(client)
    for page, reason in (("99999999", "The parameter page can be at most 500."),
                         ("abc", "The parameter page must be a whole number from 1 up."),
                         ("²", "The parameter page must be a whole number from 1 up.")):
        status, _titles, html = results(client, q="lampione", page=page)
        assert status == 400 and reason in html


def test_did_you_mean(client, housing):
    _status, titles, html = results(client, q="alogi vuoti")
    assert titles == []
    suggestion = re.search(r'search-suggestion">.*?<a[^>]*>([^<]*)<', html, re.S)
    assert suggestion and suggestion.group(1) == "alloggi vuoti"


@pytest.mark.parametrize("query", ["*", '"', "AND OR NOT", "title:", "title:casa", "casa AND", "(casa", "🏠🏠",
                                   "שלום עולם", "x" * 1000, "casa " * 300, "%_\\", "'; DROP TABLE post; --",
                                   "-casa", "casa~2", "ca*", "a b c d e f g h i j k l m n o p q r s t u v w"])
def test_any_query_is_safe(client, housing, query):
    status, _titles, html = results(client, q=query)
    assert status == 200
    assert "Traceback" not in html


def test_a_nul_character_is_refused_like_everywhere(client, housing):
    status, _titles, html = results(client, q="\x00casa")
    assert status == 400 and "Traceback" not in html


def test_bad_filters_are_refused(client, housing):
    for args in ({"type": "secret"}, {"city": "atlantide"}, {"theme": "nessuno"}, {"neighbourhood": "abc"},
                 {"status": "idea"}, {"neighbourhood": "9" * 30}):
        status, _titles, html = results(client, q="casa", **args)
        assert status == 400, args


def test_hidden_content_never_shows(client, housing):
    mod = moderator()
    hidden = housing["alloggi"]
    moderation.hide(mod, hidden, "Contenuto duplicato")
    db.session.commit()
    _status, titles, html = results(client, q="alloggi")
    assert "Alloggi vuoti nel quartiere Aurora" not in titles and total(html) == 2
    assert "Aurora (" not in html  # no facet counts it
    # Nor as a suggestion: its only word "sfitti" leads nowhere.
    _status, _titles, html = results(client, q="sfiti")
    assert "search-suggestion" not in html
    assert results(client, q="sfitti")[1] == []


def test_content_hidden_behind_the_index_back_is_checked_before_showing(client, housing, engine_name):
    # A change that the index never heard of (written without the application): the page still
    # leaves the item out, because every result is read again from the database.
    target = housing["citta"]
    assert results(client, q="panchine")[1] == ["Una città senza panchine"]
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(update(Post).where(Post.id == target.id).values(hidden_at=utcnow()))
    assert results(client, q="panchine")[1] == []


def test_draft_calls_never_appear(client, people, new_call):
    new_call(publish=False, title="Avviso bozza sulle biciclette")
    published = new_call(title="Avviso pubblico sulle biciclette")
    assert results(client, q="biciclette")[1] == [published.title]


def test_merged_ideas_and_what_grew_from_a_hidden_idea(client, people, anna, torino, new_idea):
    from civic.codesign import services as codesign
    from civic.posts import merging
    from civic.projects import services as projects

    mod = moderator()
    kept = new_idea(anna, torino, title="Orti condivisi nel cortile della scuola", body="Un orto per tutti.")
    copy = new_idea(anna, torino, title="Orti condivisi accanto alla scuola", body="Lo stesso orto.")
    merging.merge_idea(mod, copy, kept.id, "È la stessa proposta: votate quella.")
    db.session.commit()
    assert results(client, q="orti condivisi")[1] == [kept.title]

    hidden = new_idea(anna, torino, title="Biblioteca diffusa nei portoni", body="Libri nei portoni.")
    process = codesign.open_for_idea(mod, hidden)
    project = projects.create_for_idea(mod, hidden)
    db.session.commit()
    titles = results(client, q="biblioteca portoni")[1]
    assert hidden.title in titles and process.title in titles
    moderation.hide(mod, hidden, "Contenuto copiato da un altro sito")
    db.session.commit()
    _status, titles, html = results(client, q="biblioteca portoni")
    assert titles == [] and "Biblioteca" not in html  # neither the idea, its process, nor its project's title
    # The project stays public, under its neutral title, which search does not offer for those words.
    db.session.refresh(project)
    assert "Biblioteca" not in str(project.display_title)
    assert client.get(f"/projects/{project.id}").status_code in (200, 301)


def test_similar_items_while_writing(client, housing, palermo):
    response = client.get("/search/similar", query_string={"city": "torino", "text": "alloggi sfitti in affitto"})
    assert response.status_code == 200
    titles = [item["title"] for item in response.get_json()]
    assert "Alloggi vuoti nel quartiere Aurora" in titles
    assert "Alloggio temporaneo per chi perde la casa" not in titles  # another city
    assert client.get("/search/similar", query_string={"city": "nowhere", "text": "x"}).status_code == 404


def test_reindex_command(app, runner, housing):
    before = table_counts()
    outcome = runner.invoke(args=["search", "reindex"])
    assert outcome.exit_code == 0, outcome.output
    assert "documents indexed" in outcome.output
    assert table_counts()["post"] == before["post"]


def test_queries_do_not_grow_with_the_results(client, anna, torino, new_need, people, count_queries):
    for n in range(3):
        new_need(anna, torino, title=f"Buca in strada numero {n}", body="Una buca pericolosa.")
    results(client, q="buca")
    with count_queries() as few:
        results(client, q="buca")
    for n in range(3, 20):
        new_need(anna, torino, title=f"Buca in strada numero {n}", body="Una buca pericolosa.")
    with count_queries() as many:
        assert len(results(client, q="buca")[1]) == 20
    assert many.count == few.count
