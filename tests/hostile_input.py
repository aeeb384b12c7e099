"""Hostile input for property tests (what a careless paste, a curious partner or a broken client
might send to a form) and what must become of it: kept exactly, or refused in plain words.
Shared by the fuzz tests of the validators and of the writes."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from hypothesis import strategies as st

from models.validation import EARLIEST, LATEST, Invalid

HTML = "<script>alert(1)</script>"
SQL = "'); DROP TABLE workshop;--"

# Text a person could really send: Concord keeps every character of it exactly as typed.
ODD_TEXTS = [
    HTML, SQL, "' OR 1=1 --", "Robert\"); DELETE FROM partner; --", "<b>bold</b> &amp; &lt;",
    "{{7*7}} ${7*7} %s %(name)s {0}", "\\N \\x00 \\u0000", "NULL", "None", "undefined",
    "مركز الصحة النفسية", "שלום עולם", "\u202egnirts desrever\u202c", "🙂🏳️‍🌈👩🏽‍⚕️",
    "Zalgo: Z̷̢̛a̴͖̓l̶̰͝g̵̣̿o̶̘͊", "e\u0301 and \u00e9", "zero\u200bwidth\ufeffbom", "ﷺ ﷽",
    "Tab\there, bell\x07, escape\x1b[31m, del\x7f", "line one\r\nline two\nline three",
    "\x1c\x1d\x1e\x1f separators", "\u2028line\u2029paragraph", "\ufffe\uffff",
    "\U0010ffff top of Unicode", "ÅÄÖ ß Ç İı ǅ", "1e999", "NaN", "-0", "2027-02-30",
]

# Text no form should store: a NUL ends strings in C, and a lone surrogate is no character.
UNSTORABLE_TEXTS = ["nul\x00inside", "\x00", "lone \ud800 surrogate", "\udfff"]

WHITESPACE = ["", " ", "   ", "\t", "\n\r\n", "\u00a0", "\u3000", " \u2003 \t"]


def huge_texts() -> st.SearchStrategy[str]:
    """10 000 to 100 000 characters: pasted by mistake, or sent on purpose."""
    return st.builds(lambda n, char: char * n, st.integers(10_000, 100_000),
                     st.sampled_from(["x", "é", "🙂", " ", "<", "\x07"]))


def storable_texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any text that may be stored: every Unicode character except NUL and lone surrogates."""
    characters = st.characters(codec="utf-8", exclude_characters="\x00")
    return st.text(characters, max_size=max_size) | st.sampled_from(ODD_TEXTS)


def hostile_texts() -> st.SearchStrategy[str]:
    return (storable_texts() | st.sampled_from(WHITESPACE + UNSTORABLE_TEXTS) | huge_texts()
            | st.text(st.characters(max_codepoint=0x1F), max_size=10)
            | st.text(st.characters(categories=["Cc", "Cf", "Cs", "Mn", "Zs"]), max_size=10))


HOSTILE_NUMBERS = [
    0, -0.0, -1, -1.5, 1e-320, 2**63, -(2**63) - 1, 2**70, 10**400, 1e308, -1e308,
    float("nan"), float("inf"), float("-inf"),
    "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1", "0", " 12 ", "1_000", "1,5", "½",
    "٣", "0x10", "9" * 5000, "",
]


def hostile_numbers() -> st.SearchStrategy[object]:
    return (st.sampled_from(HOSTILE_NUMBERS)
            | st.integers(min_value=-(2**80), max_value=2**80)
            | st.floats(allow_nan=True, allow_infinity=True))


HOSTILE_DATES = [
    date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31), date(2101, 1, 1),
    datetime(2026, 11, 17, 9, 30), "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01",
    "2027-02-30", "2027-13-01", "2027-02-01T09:30:00Z", "2027-02-01T00:00:00", "17/11/2026",
    "tomorrow", "", 0, -1, 10**12, 1.5, "1e999",
]


def hostile_dates() -> st.SearchStrategy[object]:
    return st.sampled_from(HOSTILE_DATES) | st.dates() | st.dates().map(date.isoformat)


WRONG_TYPES: list[object] = [None, True, False, [], ["a", "b"], [None], {}, {"a": 1}, (1, 2),
                             set(), object(), b"bytes", b"\xff", timedelta(days=1)]


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Three draws in four from ``good``: a form with several fields is then often whole."""
    return st.integers(0, 3).flatmap(lambda n: bad if n == 0 else good)


def hostile_values() -> st.SearchStrategy[object]:
    """Any of the above, whatever the field expects."""
    return (hostile_texts() | hostile_numbers() | hostile_dates() | st.sampled_from(WRONG_TYPES)
            | st.lists(hostile_texts(), max_size=4))


# --- what must become of it ----------------------------------------------------------------------

SQLITE_INTEGERS = range(-(2**63), 2**63)
JARGON = ("Input should", "Traceback", "Value error", "pydantic", "[type=", "validation error",
          "<class", "NoneType", "Field required", "Assertion failed", "input_value", "ctx")


def assert_refused_plainly(refusal: Invalid, fields: set[str]) -> None:
    """Each message is a short plain sentence, keyed by one of ``fields`` or by the form."""
    assert refusal.errors, "a refusal must say what is wrong"
    for field, message in refusal.errors.items():
        assert field.split(".")[0] in {*fields, "form"}, field
        assert isinstance(message, str) and message.strip(), field
        assert message[0].isupper() and message.rstrip()[-1] in ".?!", message
        assert len(message) < 300, message
        assert not any(word in message for word in JARGON), message


def assert_kept_exactly(typed: object, kept: object) -> None:
    """Text is kept as typed, only trimmed at the ends; nothing inside changes."""
    if isinstance(typed, str) and isinstance(kept, str):
        assert kept in typed and kept.strip() == typed.strip(), (typed[:80], kept[:80])
    elif isinstance(typed, list) and isinstance(kept, list):
        assert len(kept) == len(typed)
        for one_typed, one_kept in zip(typed, kept, strict=True):
            assert_kept_exactly(one_typed, one_kept)


def assert_storable(value: object) -> None:
    """Kept exactly by SQLite and taken back by the JSON import: no NUL, no lone surrogate, no
    integer beyond 64 bits, no NaN or infinity, no date outside 2000-2100."""
    if isinstance(value, str):
        assert "\x00" not in value
        value.encode("utf-8")  # a lone surrogate raises here, as it would in SQLite
    elif isinstance(value, int) and not isinstance(value, bool):
        assert value in SQLITE_INTEGERS
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, date):
        assert EARLIEST <= value <= LATEST
    elif isinstance(value, list | tuple):
        for item in value:
            assert_storable(item)
