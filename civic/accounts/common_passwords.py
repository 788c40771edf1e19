"""Passwords too easy to guess, whatever their length: the most common ones, runs and repeats, and the
account's own name or address. No composition rule ("a digit, a capital…"): length and this list are
what makes a password hard to guess (NIST SP 800-63B, 5.1.1.2).

The list (common_passwords.txt, shipped with the code) is compared without case, spaces or
punctuation, and also with the digits and signs people add at the end taken off ("basketball2024!").
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_LIST = Path(__file__).with_name("common_passwords.txt")
# Keys next to each other on an Italian or English keyboard, and the usual walks down its columns.
_KEYBOARD_WALKS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "1q2w3e4r5t6y7u8i9o0p",
                   "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "zaq12wsxcde34rfv")
_SITE_NAMES = ("cittainclusive", "civic", "ponmetro", "pnmetro", "pnmetroplus")


def _plain(text: str) -> str:
    """Lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.casefold())


@cache
def _common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(_plain(line) for line in lines if line and not line.startswith("#"))


def _run_or_repeat(plain: str) -> bool:
    """One character or one short piece repeated ("aaaa…", "abcabc…"), a run ("abcdef…", "98765…"),
    or a piece of a keyboard walk ("qwertyuiop", "1q2w3e4r…")."""
    for size in range(1, len(plain) // 2 + 1):
        if len(plain) % size == 0 and plain == plain[:size] * (len(plain) // size):
            return True
    steps = {ord(b) - ord(a) for a, b in zip(plain, plain[1:], strict=False)}
    if steps in ({1}, {-1}):
        return True
    return any(plain in walk * 2 or plain in walk[::-1] * 2 for walk in _KEYBOARD_WALKS)


def too_easy(password: str, personal: tuple[str, ...] = ()) -> bool:
    """True for a common password, a run or repeat, the site's name, or the account's own name or
    address (`personal`: the email and the display name), each possibly followed by digits or signs."""
    plain = _plain(password)
    if not plain:
        return False
    stem = re.sub(r"[\d\W_]+$", "", password.casefold())
    stem = _plain(stem) if len(_plain(stem)) >= 4 else plain
    own = {_plain(part) for value in personal if value for part in (value, value.split("@")[0])} | set(_SITE_NAMES)
    own.discard("")
    return (plain in _common() or stem in _common() or _run_or_repeat(plain)
            or plain in own or stem in own)
