"""The text helpers of search: the words of a query, the language of a text, marked snippets."""
from __future__ import annotations

from civic.search.text import START, STOP, language_of, mark_stems, query_words, snippet_html


def test_query_words_are_plain_words():
    assert query_words('title:casa AND "alloggi" OR -sfitti*') == ["title", "casa", "alloggi", "sfitti"]
    assert query_words("🏠 ") == [] and query_words(None) == []
    assert len(query_words("parola " * 100)) == 1
    assert len(query_words(" ".join(f"p{n}" for n in range(50)))) == 12


def test_stop_words_are_left_out_unless_nothing_else_was_typed():
    # Every searched word must match: "con" would find nothing, as no Italian text keeps it.
    assert query_words("persone con disabilità") == ["persone", "disabilità"]
    assert query_words("The park") == ["park"]
    assert query_words("Più case") == ["case"]
    assert query_words("con") == ["con"]


def test_language_of():
    assert language_of("We need more houses and shelters for the people who sleep outside") == "en"
    assert language_of("Servono più alloggi per le famiglie che dormono in strada") == "it"
    assert language_of("") == "it"


def test_marked_snippets_fold_accents_and_stay_inert():
    marked = mark_stems("La città è piena di <b>case</b> vuote", ["citt", "cas"])
    assert marked == f"La {START}città{STOP} è piena di <b>{START}case{STOP}</b> vuote"
    html = str(snippet_html(marked))
    assert html == "La <mark>città</mark> è piena di &lt;b&gt;<mark>case</mark>&lt;/b&gt; vuote"


def test_a_long_text_is_cut_around_the_first_match():
    text = "parola " * 100 + "alloggi sfitti " + "altro " * 100
    marked = mark_stems(text, ["allogg"], length=120)
    assert marked.startswith("… ") and marked.endswith(" …")
    assert f"{START}alloggi{STOP}" in marked and len(marked) < 140


def test_counts_scaled_from_a_sample_add_up_to_the_same_total_in_every_facet():
    """Rounded one by one, 3 × 1.5 + 3 × 1.5 is 4 + 4 (or 5 + 5) against a total of 9: each facet in which a
    document has one value is rounded by largest remainders to the one total."""
    from civic.search.postgres_engine import _BY_CITY, _BY_KIND, _BY_STATUS, _facets

    groups = [(_BY_KIND, "need", None, None, None, None, 6),
              (_BY_CITY, None, 1, None, None, None, 3), (_BY_CITY, None, 2, None, None, None, 3),
              (_BY_STATUS, None, None, "need.published", None, None, 5),
              (_BY_STATUS, None, None, "need.merged", None, None, 1)]
    facets = _facets(groups, 1.5)
    assert sum(facets["kind"].values()) == sum(facets["city"].values()) == sum(facets["status"].values()) == 9
    assert sorted(facets["city"].values()) == [4, 5]
