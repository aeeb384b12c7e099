"""The libraries in seeds/: enough topics, rules and measures to start a real workshop, each
entry complete, and guidance for every step in the order the room takes them."""

from __future__ import annotations

from collections import Counter

from models import library
from models.schema import RuleKind


def test_topic_library_has_at_least_twenty_topics():
    assert len(library.topics()) >= 20


def test_topic_library_covers_every_category_at_least_twice():
    per_category = Counter(topic.category for topic in library.topics().values())

    assert set(per_category) == set(library.CATEGORIES)
    assert len(library.CATEGORIES) == 7
    assert min(per_category.values()) >= 2


def test_every_usual_constraint_of_a_topic_is_in_the_constraint_library():
    named = {(topic.key, key) for topic in library.topics().values()
             for key in topic.usual_constraints}
    missing = sorted((topic, key) for topic, key in named if key not in library.constraints())

    assert named
    assert missing == []


def test_every_library_topic_is_keyed_by_its_own_key():
    assert all(key == topic.key for key, topic in library.topics().items())


def test_constraint_library_has_at_least_ten_rules():
    assert len(library.constraints()) >= 10


def test_constraint_library_covers_every_kind_of_rule():
    kinds = {rule.kind for rule in library.constraints().values()}

    assert kinds == {RuleKind.FEDERAL_REGULATION, RuleKind.STATE_LICENSURE,
                     RuleKind.ACCREDITATION, RuleKind.PAYER_CONTRACT, RuleKind.BOARD_POLICY}


def test_constraint_library_cites_part_2_consent_and_the_hipaa_sharing_rules():
    citations = [rule.citation for rule in library.constraints().values()]

    assert "42 CFR § 2.31" in citations
    assert "45 CFR § 164.506" in citations
    assert any(citation.startswith("45 CFR § 164.508") for citation in citations)


def test_every_rule_explains_itself_and_cites_a_source():
    incomplete = [rule.key for rule in library.constraints().values()
                  if not rule.title.strip() or not rule.citation.strip()
                  or not rule.explanation.strip()]

    assert incomplete == []


def test_measure_library_has_at_least_fifteen_measures():
    assert len(library.measures()) >= 15


def test_measure_library_has_the_usual_integrated_care_measures():
    expected = {"phq9-response", "phq9-remission", "gad7-response", "hba1c-poor-control",
                "controlling-blood-pressure", "ed-visits", "warm-handoff-rate", "no-show-rate"}

    assert expected - set(library.measures()) == set()


def test_every_measure_has_a_definition_and_a_data_source():
    incomplete = [m.key for m in library.measures().values()
                  if not m.definition.strip() or not m.data_source.strip()]

    assert incomplete == []


def test_every_measure_has_a_plausible_range_lowest_first():
    out_of_order = [m.key for m in library.measures().values()
                    if m.plausible_min is None or m.plausible_max is None
                    or not m.plausible_min < m.plausible_max]

    assert out_of_order == []


def test_percent_measures_lie_between_0_and_100():
    percent = [m for m in library.measures().values() if m.unit == "percent"]

    assert percent
    assert [m.key for m in percent if m.plausible_min < 0 or m.plausible_max > 100] == []


def test_guidance_covers_the_steps_in_the_order_the_room_takes_them():
    assert list(library.guidance()) == ["setup", "mission", "expectations", "solutions",
                                        "pacing", "summary"]


def test_every_step_of_the_guidance_asks_at_least_five_questions():
    short = {key: len(step.questions) for key, step in library.guidance().items()
             if len(step.questions) < 5}

    assert short == {}
