"""Themes the partners share: words two or more partners use about themselves, found with a
crude stem, and the text cut into pieces so the shared words can be highlighted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.themes import mark_shared, shared_stems, stem


@pytest.mark.parametrize(("plural", "singular"), [
    ("clients", "client"),
    ("communities", "community"),
    ("families", "family"),
    ("clinics", "clinic"),
    ("Clients", "client"),
    ("'clients'", "client"),
])
def test_plurals_share_a_stem_with_their_singular(plural, singular):
    assert stem(plural) == stem(singular)


@pytest.mark.parametrize(("word", "stemmed"), [
    ("clients", "client"),
    ("communities", "community"),
    ("Community", "community"),
    ("trust", "trust"),
])
def test_stem_lowers_and_cuts_a_plural_ending(word, stemmed):
    assert stem(word) == stemmed


@pytest.mark.parametrize(("word", "stemmed"), [("uses", "use"), ("using", "using")])
def test_stem_leaves_at_least_three_letters(word, stemmed):
    # "using" minus "ing" would leave "us"; "uses" minus "es" would leave "us", so "s" goes.
    assert stem(word) == stemmed


@pytest.mark.parametrize(("variant", "word"), [("caring", "care"), ("services", "service")],
                         ids=["caring-care as the docstring promises", "services-service"])
def test_forms_of_a_word_ending_in_e_share_its_stem(variant, word):
    # Bug: stem() cuts "ing" / "es" without giving back the "e" the word ends in, so
    # "caring" -> "car" but "care" -> "care", and "services" -> "servic" but "service" stays.
    assert stem(variant) == stem(word)


def test_shared_stems_are_words_at_least_two_partners_use():
    texts = {1: "Care for our clients in the community.",
             2: "Every client deserves community care.",
             3: "Prevention first."}

    # "clients"/"client", "community" and "Care"/"care" are in both 1 and 2; "deserves",
    # "Prevention" and "first" in one text only; "for", "our", "the", "Every" are stop words.
    assert shared_stems(texts) == {"client", "community", "car"}  # "care" stems to "car"


def test_one_partner_repeating_a_word_does_not_make_it_shared():
    assert shared_stems({1: "Clinic, clinic, clinics.", 2: "Hospital"}) == set()


def test_stop_words_are_never_shared():
    assert shared_stems({1: "They would help people", 2: "THEY WOULD HELP PEOPLE"}) == set()


def test_words_under_four_letters_are_never_shared():
    assert shared_stems({1: "art and ink for kids", 2: "Art, ink, kids!"}) == {"kid"}


def test_no_texts_share_nothing():
    assert shared_stems({}) == set()
    assert shared_stems({1: "Trusted data"}) == set()


def test_mark_shared_flags_the_shared_words_and_keeps_everything_between():
    pieces = mark_shared("Our clients, in their community.", {"client", "community"})

    assert pieces == [("Our ", False), ("clients", True), (", in their ", False),
                      ("community", True), (".", False)]


def test_mark_shared_with_nothing_shared_is_the_whole_text():
    assert mark_shared("Data we can trust", {"client"}) == [("Data we can trust", False)]
    assert mark_shared("", {"client"}) == []


def test_mark_shared_does_not_flag_a_stop_word_or_a_short_word_whose_stem_is_shared():
    # "them" is a stop word and "car" is too short, even if their stems were in the set.
    assert mark_shared("them car", {"them", "car"}) == [("them car", False)]


@given(st.text(), st.sets(st.sampled_from(["client", "community", "care", "data", "visit"])))
def test_joining_the_pieces_gives_back_the_text(text, stems):
    pieces = mark_shared(text, stems)

    assert "".join(piece for piece, _ in pieces) == text
    assert all(stem(piece) in stems for piece, shared in pieces if shared)


@given(st.lists(st.sampled_from(["Our", "clients", "and", "community", "care", "data", "x"]),
                max_size=12), st.sampled_from([" ", ", ", "\n", "; "]))
def test_joining_the_pieces_of_word_salad_gives_back_the_text(words, separator):
    text = separator.join(words)

    assert "".join(piece for piece, _ in mark_shared(text, {"client", "care"})) == text
