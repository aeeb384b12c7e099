"""Where the partners' acceptable ranges meet: the overlap, the fair point weighted by how much
the topic matters to each partner, and never a private limit. Pure, so no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.common_ground import CommonGround, common_ground
from models.schema import FixedConstraint, RuleKind, Stance, StanceKind, Topic, TopicKind

MINUTES = Topic(title="Warm hand-off response time", category="clinical workflow",
                kind=TopicKind.NUMERIC, unit="minutes", lower_bound=0, upper_bound=60)
RECORD_OPTIONS = ["One shared record", "Secure exchange", "Read-only view", "Summaries"]
RECORDS = Topic(title="How the two teams share the record", category="record sharing",
                kind=TopicKind.OPTIONS, options=RECORD_OPTIONS)
DISPUTES = Topic(title="How we settle disagreements", category="governance",
                 kind=TopicKind.TEXT)


def _number(partner_id: int, preferred: float | None, accept: tuple = (None, None),
            weight: int = 3, private: bool = True) -> Stance:
    return Stance(partner_id=partner_id, topic_id=1, kind=StanceKind.FLEX,
                  preferred_value=preferred, accept_min=accept[0], accept_max=accept[1],
                  weight=weight, limit_private=private)


def _option(partner_id: int, preferred: str | None, accept: list[str] | None = None,
            weight: int = 3, private: bool = True) -> Stance:
    return Stance(partner_id=partner_id, topic_id=1, kind=StanceKind.FLEX,
                  preferred_option=preferred, acceptable_options=accept or [], weight=weight,
                  limit_private=private)


def _fixed(partner_id: int) -> Stance:
    # A fixed stance keeps the table's default limit_private=True; it has no limit of its own.
    return Stance(partner_id=partner_id, topic_id=1, kind=StanceKind.FIXED, weight=5)


def _rule(**fields) -> FixedConstraint:
    return FixedConstraint(id=1, stance_id=9, rule_kind=RuleKind.BOARD_POLICY, title="Rule",
                           citation="Policy", **fields)


def _warm_handoff(*, public: bool = False) -> list[Stance]:
    """The demo's warm hand-off stances; only Northside's limit is public in the demo."""
    return [_number(1, 20, (10, 30), weight=4, private=not public),
            _number(2, 5, (0, 15), weight=5, private=False),
            _number(3, 15, (5, 30), weight=2, private=not public)]


# --- numbers -------------------------------------------------------------------------------------


def test_the_warm_hand_off_ranges_meet_and_the_fair_point_hides_the_private_limits():
    ground = common_ground(MINUTES, _warm_handoff(), [])

    # (20 x 4 + 5 x 5 + 15 x 2) / (4 + 5 + 2) = 135 / 11, inside the overlap 10 to 15.
    assert ground == CommonGround(exists=True, fair_point=135 / 11, low=None, high=None)
    assert ground.fair_point == pytest.approx(12.2727, abs=1e-4)


def test_with_every_limit_public_the_overlap_is_shown():
    ground = common_ground(MINUTES, _warm_handoff(public=True), [])

    # max(10, 0, 5) = 10 and min(30, 15, 30) = 15.
    assert ground == CommonGround(exists=True, fair_point=135 / 11, low=10, high=15)


def test_ranges_that_do_not_meet_have_no_common_ground():
    stances = [_number(1, 5, (0, 15), private=False), _number(2, 25, (20, 30), private=False)]

    assert common_ground(MINUTES, stances, []) == CommonGround(exists=False)


def test_ranges_that_touch_meet_in_one_point():
    stances = [_number(1, 5, (0, 15), private=False), _number(2, 25, (15, 30), private=False)]

    assert common_ground(MINUTES, stances, []) == CommonGround(exists=True, fair_point=15,
                                                              low=15, high=15)


def test_a_fixed_rule_narrows_the_overlap():
    ground = common_ground(MINUTES, _warm_handoff(public=True), [_rule(allowed_min=12)])

    # The overlap 10-15 becomes 12-15; 135 / 11 = 12.27 is still inside.
    assert ground == CommonGround(exists=True, fair_point=135 / 11, low=12, high=15)


def test_a_fixed_rule_can_push_the_fair_point_to_its_bound():
    ground = common_ground(MINUTES, _warm_handoff(public=True), [_rule(allowed_max=12)])

    # The overlap becomes 10-12, so 12.27 moves down to 12.
    assert ground == CommonGround(exists=True, fair_point=12, low=10, high=12)


def test_a_fixed_rule_outside_the_overlap_leaves_no_common_ground():
    ground = common_ground(MINUTES, _warm_handoff(public=True),
                           [_rule(allowed_min=20, allowed_max=40)])

    assert ground == CommonGround(exists=False)


def test_a_fixed_stance_counts_as_a_stance_and_its_rule_bounds_the_flex_one():
    stances = [_number(1, 20, (10, 30), weight=4, private=False), _fixed(2)]

    ground = common_ground(MINUTES, stances, [_rule(allowed_max=15)])

    # Only the flex partner prefers: 20, moved into the overlap 10-15. The fixed stance's own
    # limit_private flag does not hide the overlap: it has no limit to hide.
    assert ground == CommonGround(exists=True, fair_point=15, low=10, high=15)


@pytest.mark.parametrize(("stances", "fair"), [
    # Overlap 30-32; (40 x 5 + 20 x 1) / 6 = 36.67, above it.
    ([_number(1, 40, (30, 50), weight=5, private=False),
      _number(2, 20, (0, 32), weight=1, private=False)], 32),
    # Overlap 15-20; (5 x 5 + 30 x 1) / 6 = 9.17, below it.
    ([_number(1, 5, (0, 20), weight=5, private=False),
      _number(2, 30, (15, 40), weight=1, private=False)], 15),
], ids=["above the overlap", "below the overlap"])
def test_the_fair_point_is_moved_into_the_overlap(stances, fair):
    ground = common_ground(MINUTES, stances, [])

    assert ground.exists is True
    assert ground.fair_point == fair


def test_without_preferred_values_the_fair_point_is_the_middle_of_the_overlap():
    stances = [_number(1, None, (10, 30), private=False), _number(2, None, (0, 15), private=False)]

    assert common_ground(MINUTES, stances, []) == CommonGround(exists=True, fair_point=12.5,
                                                              low=10, high=15)


def test_a_missing_limit_is_the_topic_bound():
    stances = [_number(1, 40, (20, None), weight=1, private=False),
               _number(2, 10, (None, None), weight=1, private=False)]

    # Overlap 20-60; (40 + 10) / 2 = 25.
    assert common_ground(MINUTES, stances, []) == CommonGround(exists=True, fair_point=25,
                                                              low=20, high=60)


@pytest.mark.parametrize("stances", [[], [_number(1, 20, (10, 30))]], ids=["none", "one"])
def test_fewer_than_two_stances_say_nothing(stances):
    assert common_ground(MINUTES, stances, []) == CommonGround(exists=None)


def test_a_text_topic_has_no_common_ground_to_compute():
    stances = [Stance(partner_id=1, topic_id=1, preferred_text="Managers first"),
               Stance(partner_id=2, topic_id=1, preferred_text="A mediator")]

    assert common_ground(DISPUTES, stances, []) == CommonGround(exists=None)


# --- options -------------------------------------------------------------------------------------


def test_the_options_every_partner_accepts_and_the_one_they_lean_to():
    stances = [_option(1, "One shared record", RECORD_OPTIONS[:3], weight=2, private=False),
               _option(2, "Read-only view", RECORD_OPTIONS[1:], weight=4, private=False)]

    ground = common_ground(RECORDS, stances, [])

    # Both accept "Secure exchange" and "Read-only view"; only partner 2's preference is there.
    assert ground == CommonGround(exists=True, fair_option="Read-only view",
                                  options=("Secure exchange", "Read-only view"))


def test_private_acceptable_options_are_not_listed():
    stances = [_option(1, "One shared record", RECORD_OPTIONS[:3], weight=2),
               _option(2, "Read-only view", RECORD_OPTIONS[1:], weight=4, private=False)]

    assert common_ground(RECORDS, stances, []) == CommonGround(exists=True,
                                                              fair_option="Read-only view")


def test_a_fixed_rule_limits_the_options():
    stances = [_option(1, "One shared record", RECORD_OPTIONS[:3], weight=2, private=False),
               _option(2, "Read-only view", RECORD_OPTIONS[1:], weight=4, private=False)]

    ground = common_ground(RECORDS, stances,
                           [_rule(allowed_options=["Secure exchange", "Summaries"])])

    assert ground == CommonGround(exists=True, fair_option="Secure exchange",
                                  options=("Secure exchange",))


def test_the_demo_shared_record_case_settles_on_secure_exchange():
    # Riverbend is fixed by its consent rule; Northside and Marlow flex.
    stances = [_fixed(1),
               _option(2, "One shared record", RECORD_OPTIONS[:3], weight=4),
               _option(3, "Summaries", ["Secure exchange", "Summaries"], weight=2)]
    consent = _rule(allowed_options=["Secure exchange", "Read-only view", "Summaries"])

    assert common_ground(RECORDS, stances, [consent]) == CommonGround(
        exists=True, fair_option="Secure exchange")


def test_a_partner_without_a_list_accepts_any_option():
    stances = [_option(1, "Summaries", [], weight=1, private=False),
               _option(2, "Read-only view", ["Read-only view", "Summaries"], weight=3,
                       private=False)]

    assert common_ground(RECORDS, stances, []) == CommonGround(
        exists=True, fair_option="Read-only view", options=("Read-only view", "Summaries"))


@pytest.mark.parametrize(("order", "fair"), [
    (RECORD_OPTIONS, "Secure exchange"),
    (list(reversed(RECORD_OPTIONS)), "Read-only view"),
], ids=["topic order", "reversed topic order"])
def test_a_tie_goes_to_the_option_first_in_the_topics_order(order, fair):
    topic = Topic(title="Records", category="record sharing", kind=TopicKind.OPTIONS,
                  options=order)
    both = ["Secure exchange", "Read-only view"]
    stances = [_option(1, "Read-only view", both, weight=3),
               _option(2, "Secure exchange", both, weight=3)]

    assert common_ground(topic, stances, []).fair_option == fair


def test_with_no_preference_inside_the_common_options_the_first_one_is_fair():
    stances = [_option(1, "One shared record", RECORD_OPTIONS[:3], weight=5),
               _option(2, "Summaries", RECORD_OPTIONS[2:], weight=5)]

    # Only "Read-only view" is common, and nobody prefers it: it still wins, with weight 0.
    assert common_ground(RECORDS, stances, []).fair_option == "Read-only view"


def test_options_nobody_shares_leave_no_common_ground():
    stances = [_option(1, "One shared record", RECORD_OPTIONS[:2]),
               _option(2, "Summaries", RECORD_OPTIONS[2:])]

    assert common_ground(RECORDS, stances, []) == CommonGround(exists=False)


# --- the order of the stances does not matter ----------------------------------------------------

# Quarter steps keep every sum exact, so equality is exact whatever the order of addition.
_quarters = st.integers(min_value=0, max_value=240).map(lambda q: q / 4)


@st.composite
def _numeric_stance(draw, partner_id: int) -> Stance:
    low, preferred, high = sorted(draw(st.lists(_quarters, min_size=3, max_size=3)))
    return _number(partner_id, draw(st.none() | st.just(preferred)),
                   (draw(st.none() | st.just(low)), draw(st.none() | st.just(high))),
                   weight=draw(st.integers(1, 5)), private=draw(st.booleans()))


@st.composite
def _numeric_case(draw) -> tuple[list[Stance], list[Stance], list[FixedConstraint]]:
    count = draw(st.integers(min_value=2, max_value=8))
    stances = [draw(_numeric_stance(partner_id)) for partner_id in range(1, count + 1)]
    rules = draw(st.lists(st.builds(lambda low, high: _rule(allowed_min=low, allowed_max=high),
                                    st.none() | _quarters, st.none() | _quarters), max_size=2))
    return stances, draw(st.permutations(stances)), rules


@given(_numeric_case())
def test_the_numeric_common_ground_does_not_depend_on_the_order_of_stances(case):
    stances, shuffled, rules = case

    assert common_ground(MINUTES, shuffled, rules) == common_ground(MINUTES, stances, rules)


@st.composite
def _options_case(draw) -> tuple[list[Stance], list[Stance]]:
    count = draw(st.integers(min_value=2, max_value=8))
    stances = [_option(partner_id, draw(st.none() | st.sampled_from(RECORD_OPTIONS)),
                       draw(st.lists(st.sampled_from(RECORD_OPTIONS), unique=True)),
                       weight=draw(st.integers(1, 5)), private=draw(st.booleans()))
               for partner_id in range(1, count + 1)]
    return stances, draw(st.permutations(stances))


@given(_options_case())
def test_the_options_common_ground_does_not_depend_on_the_order_of_stances(case):
    stances, shuffled = case

    assert common_ground(RECORDS, shuffled, []) == common_ground(RECORDS, stances, [])
