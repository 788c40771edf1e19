"""Text helpers shared by both search engines: the words of a query, the language of a text, and
snippets that are safe HTML whatever the text contained."""
from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape
from whoosh.lang import stopwords_for_language

QUERY_MAX = 200       # characters of a query that are read; the rest is ignored, never an error
QUERY_WORDS_MAX = 12  # words of a query that are searched
WORD = re.compile(r"\w+", re.UNICODE)
# Marks put around the matched words by the engines, then turned into <mark> after escaping the text
# (private-use characters, removed from every indexed text by `plain`).
START, STOP = "\ue000", "\ue001"

_EN = {"the", "and", "of", "to", "is", "in", "for", "with", "on", "that", "are", "we", "our", "this", "be",
       "at", "from", "by", "an", "it", "as", "or", "have", "people", "need", "needs", "will", "can"}
_IT = {"il", "lo", "la", "i", "gli", "le", "di", "da", "del", "della", "dei", "delle", "e", "è", "per", "con",
       "un", "una", "che", "non", "nel", "nella", "sono", "alla", "al", "ai", "degli", "anche", "più", "come",
       "su", "in", "a"}


def fold(text: str) -> str:
    """Lower case without accents: "Città" -> "citta"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(raw: str | None) -> list[str]:
    """The words of what a user typed, as plain words: operators, quotes, field names, emoji and
    punctuation are not syntax here, so nothing a user types can make a query fail. Words that carry
    no meaning in Italian or English ("con", "the") are left out, unless nothing else was typed: every
    word searched must match, and a text never holds its language's stop words."""
    text = (raw or "")[:QUERY_MAX]
    if len(raw or "") > QUERY_MAX and " " in text:
        text = text.rsplit(" ", 1)[0]  # not half a word
    words = []
    for word in WORD.findall(text):
        word = word.strip("_")
        if word and word.lower() not in {w.lower() for w in words}:
            words.append(word)
    meaningful = [w for w in words if fold(w) not in STOP_WORDS]
    return (meaningful or words)[:QUERY_WORDS_MAX]


def language_of(text: str) -> str:
    """"en" when the text reads as English, otherwise "it" (the platform's language)."""
    words = [w.lower() for w in WORD.findall(text[:2000])]
    english = sum(w in _EN for w in words)
    italian = sum(w in _IT for w in words)
    return "en" if english > max(2, italian * 2) else "it"


def plain(markdown: str) -> str:
    """Markdown as plain words for the index: markup characters and link targets dropped."""
    text = (markdown or "").replace(START, "").replace(STOP, "").replace("\x00", "")
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"[#*_`>\[\]|~]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def snippet_html(marked: str) -> Markup:
    """Escape a snippet whose matched words are between START and STOP, then mark them."""
    escaped = str(escape(marked))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704 - escaped above


def fallback_snippet(text: str, length: int = 200) -> Markup:
    text = text.strip()
    if len(text) > length:
        text = text[:length].rsplit(" ", 1)[0] + " …"
    return escape(text)


_FOLD_TABLE = {code: (fold(chr(code)) or chr(code))[:1] for code in range(0xC0, 0x250)}


def _fold_each(text: str) -> str:
    """`fold` character by character, keeping the length, so that positions match the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered.translate(_FOLD_TABLE)
    return "".join((fold(c) or c)[:1] for c in text)


def mark_stems(text: str, stems: list[str], length: int | None = None) -> str:
    """The text with the words that begin with one of the stems between START and STOP (the stems of a
    query: Italian and English stems are beginnings of the words they come from, accents folded).
    With a length, the part of the text around the first match, cut at word boundaries."""
    stems = sorted({fold(s) for s in stems if s}, key=len, reverse=True)
    if not stems or not text:
        return text[:length] if length else text
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*")
    folded = _fold_each(text)
    spans = [m.span() for m in pattern.finditer(folded)]
    begin, end = 0, len(text)
    if length and len(text) > length:
        first = spans[0][0] if spans else 0
        begin = max(0, first - length // 4)
        if begin:
            begin = text.find(" ", begin) + 1 or begin
        end = min(len(text), begin + length)
        if end < len(text):
            end = text.rfind(" ", begin, end) if text.rfind(" ", begin, end) > begin else end
    parts, at = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        parts += [text[at:start], START, text[start:stop], STOP]
        at = stop
    parts.append(text[at:end])
    marked = "".join(parts)
    return ("… " if begin else "") + marked + (" …" if end < len(text) else "")


# The stop words of both languages (the same lists as PostgreSQL's italian and english configurations).
STOP_WORDS = frozenset(fold(w) for lang in ("it", "en") for w in stopwords_for_language(lang))
