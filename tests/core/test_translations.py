"""Italian first, English complete: every user-facing text is in the catalogue and translated."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "civic" / "translations" / "it" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _ids(messages) -> set[tuple[str | None, str]]:
    """(context, msgid) of each message: the same words in another context are another message."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages if m.id}


def test_every_message_of_the_code_is_in_the_italian_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        in_code = _ids(read_po(handle))
    with CATALOGUE.open("rb") as handle:
        in_catalogue = _ids(read_po(handle))
    missing = sorted(in_code - in_catalogue)
    assert not missing, f"run `make translations-update` and translate: {missing}"


def test_every_italian_message_is_translated_with_the_same_placeholders():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="it")
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        # Plural entries hold tuples: every form must be there, with the placeholders of the msgid.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        expected = set(PLACEHOLDER.findall(ids[-1]))
        if any(set(PLACEHOLDER.findall(text)) != expected for text in strings):
            problems.append(f"placeholders differ: {ids[0]!r}")
    assert not problems, "\n".join(problems)
