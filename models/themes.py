"""Themes the partners share: words that two or more partners use about themselves.

Deliberately simple and explainable: a word counts when it carries meaning (not "the", "our")
and appears, in any form close enough ("client", "clients"), in at least two partners' texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_STOP = frozenset("""
a about after all also an and any are as at be because been before being both but by can
could do does each every for from get give has have help how if in into is it its just
like make many may more most much must need needs no not of on one or other our ours out
over own people same so some such than that the their them then there these they this those
through to up us very was way we well were what when where which while who whom why will with
within without would you your
""".split())
_MIN_LENGTH = 4


def stem(word: str) -> str:
    """A crude stem, enough to match "clients" with "client" and "caring" with "care".

    A final "e" goes too (from stems longer than three letters), so "care", "cares" and
    "caring" all become "car", and "service" meets "services".
    """
    word = word.lower().strip("'-")
    for suffix in ("ies", "ing", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_LENGTH - 1:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text)
            if w.lower() not in _STOP and len(w) >= _MIN_LENGTH}


def shared_stems(texts_by_partner: Mapping[int, str]) -> set[str]:
    """Stems that appear in the texts of at least two different partners."""
    seen: dict[str, set[int]] = {}
    for partner_id, text in texts_by_partner.items():
        for word_stem in _stems(text):
            seen.setdefault(word_stem, set()).add(partner_id)
    return {word_stem for word_stem, partners in seen.items() if len(partners) >= 2}


def mark_shared(text: str, stems: set[str]) -> list[tuple[str, bool]]:
    """The text cut into pieces, each flagged True where it is a shared word."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) >= _MIN_LENGTH and word.lower() not in _STOP and stem(word) in stems:
            if match.start() > position:
                pieces.append((text[position:match.start()], False))
            pieces.append((word, True))
            position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
