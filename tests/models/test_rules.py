"""The rules of the room: the decision rule's verdict on a set of ratings, whether an offer fits
its topic, and which fixed rules it breaks. Pure functions, so plain model objects and no
database."""

from __future__ import annotations

import math

import pytest

from models.rules import (
    GRADIENTS,
    Offer,
    broken_rules,
    describe_rule,
    needs_reason,
    offer_problem,
    unconfirmed_rules,
    verdict,
)
from models.schema import FixedConstraint, RuleKind, Topic, TopicKind

MINUTES = Topic(title="Warm hand-off response time", category="clinical workflow",
                kind=TopicKind.NUMERIC, unit="minutes", lower_bound=0, upper_bound=60)
WEEKS = Topic(title="How often the steering group meets", category="governance",
              kind=TopicKind.NUMERIC, unit="", lower_bound=1, upper_bound=13)
BILLING = Topic(title="Who bills", category="billing and finance", kind=TopicKind.OPTIONS,
                options=["Partner bills", "Clinic bills", "Split by payer"])
DISPUTES = Topic(title="How we settle disagreements", category="governance",
                 kind=TopicKind.TEXT)


def _rule(rule_id: int = 1, **fields) -> FixedConstraint:
    return FixedConstraint(id=rule_id, stance_id=1, rule_kind=RuleKind.BOARD_POLICY,
                           title=f"Rule {rule_id}", citation=f"Policy {rule_id}", **fields)


# --- the decision rule ---------------------------------------------------------------------------


def test_no_ratings_is_not_met_and_says_so():
    result = verdict([], min_support=0.75, block_from=7)

    assert (result.count, result.support, result.blocks, result.met) == (0, 0, 0, False)
    assert result.support_share == 0.0
    assert result.sentence() == "No ratings yet."


VERDICTS = {
    # 3 of 4 support: 0.75 x 4 = 3 needed.
    "three of four at 75 %": ([1, 2, 3, 4], 0.75, 7, (4, 3, 0, True),
                              "4 ratings: 75 % support (1 to 3), no blocking ratings. "
                              "The decision rule is met."),
    "two of four at 75 %": ([1, 2, 4, 4], 0.75, 7, (4, 2, 0, False),
                            "4 ratings: 50 % support (1 to 3), no blocking ratings. "
                            "The decision rule is not met yet."),
    "one 7 blocks from 7": ([1, 1, 1, 7], 0.75, 7, (4, 3, 1, False),
                            "4 ratings: 75 % support (1 to 3), 1 rating of 7 or more. "
                            "The decision rule is not met yet."),
    "a 7 does not block from 8": ([1, 1, 1, 7], 0.75, 8, (4, 3, 0, True),
                                  "4 ratings: 75 % support (1 to 3), no blocking ratings. "
                                  "The decision rule is met."),
    "two blocks": ([1, 1, 8, 7], 0.5, 7, (4, 2, 2, False),
                   "4 ratings: 50 % support (1 to 3), 2 ratings of 7 or more. "
                   "The decision rule is not met yet."),
    # 0.8 x 5 = 4 needed, 4 given.
    "four of five at 80 %": ([1, 2, 3, 3, 5], 0.8, 7, (5, 4, 0, True),
                             "5 ratings: 80 % support (1 to 3), no blocking ratings. "
                             "The decision rule is met."),
    # 0.8 x 4 = 3.2, so 4 are needed and 3 are not enough.
    "three of four at 80 %": ([1, 2, 3, 4], 0.8, 7, (4, 3, 0, False),
                              "4 ratings: 75 % support (1 to 3), no blocking ratings. "
                              "The decision rule is not met yet."),
    # 0.56 x 25 is 14.000000000000002 in floating point; 14 of 25 must still meet 56 %.
    "fourteen of twenty-five at 56 %": ([1] * 14 + [4] * 11, 0.56, 7, (25, 14, 0, True),
                                        "25 ratings: 56 % support (1 to 3), no blocking "
                                        "ratings. The decision rule is met."),
    "thirteen of twenty-five at 56 %": ([1] * 13 + [4] * 12, 0.56, 7, (25, 13, 0, False),
                                        "25 ratings: 52 % support (1 to 3), no blocking "
                                        "ratings. The decision rule is not met yet."),
    "seven of ten at 70 %": ([1] * 7 + [4] * 3, 0.7, 7, (10, 7, 0, True),
                             "10 ratings: 70 % support (1 to 3), no blocking ratings. "
                             "The decision rule is met."),
    "six of ten at 70 %": ([1] * 6 + [4] * 4, 0.7, 7, (10, 6, 0, False),
                           "10 ratings: 60 % support (1 to 3), no blocking ratings. "
                           "The decision rule is not met yet."),
    "all support at 100 %": ([2, 2, 3], 1.0, 5, (3, 3, 0, True),
                             "3 ratings: 100 % support (1 to 3), no blocking ratings. "
                             "The decision rule is met."),
}


@pytest.mark.parametrize("case", VERDICTS.values(), ids=VERDICTS.keys())
def test_verdict_counts_support_and_blocks_and_says_so(case):
    values, min_support, block_from, expected, sentence = case

    result = verdict(values, min_support=min_support, block_from=block_from)

    assert (result.count, result.support, result.blocks, result.met) == expected
    assert result.sentence() == sentence


def test_the_float_trap_is_real_so_the_fourteen_of_twenty_five_case_tests_something():
    # A naive ceil(min_support x count) would ask for 15 of 25 at 56 %. (0.7 x 10 is exactly
    # 7.0 in IEEE doubles, so the 7-of-10 case is only an ordinary boundary.)
    assert 0.56 * 25 == 14.000000000000002
    assert math.ceil(0.56 * 25) == 15
    assert 0.7 * 10 == 7.0


def test_verdict_takes_any_iterable_of_ratings():
    result = verdict(iter([1, 2, 3]), min_support=0.75, block_from=7)

    assert (result.count, result.support, result.met) == (3, 3, True)


def test_a_single_rating_is_called_one_rating_not_one_ratings():
    # Bug: Verdict.sentence writes f"{self.count} ratings" whatever the count, while the
    # blocking part of the same sentence already says "1 rating" / "2 ratings".
    result = verdict([2], min_support=0.75, block_from=7)

    assert result.sentence() == ("1 rating: 100 % support (1 to 3), no blocking ratings. "
                                 "The decision rule is met.")


@pytest.mark.parametrize(("value", "asks"), [(1, False), (4, False), (5, True), (8, True)])
def test_ratings_from_five_ask_for_a_reason(value, asks):
    assert needs_reason(value) is asks


def test_the_gradients_run_from_endorsement_to_block():
    assert list(GRADIENTS) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert (GRADIENTS[1], GRADIENTS[4], GRADIENTS[8]) == ("Whole-hearted endorsement", "Abstain",
                                                          "Block")


# --- does an offer fit its topic ---------------------------------------------------------------


OFFER_PROBLEMS = {
    "no number": (MINUTES, Offer(), "Please give a number."),
    "NaN": (MINUTES, Offer(number=math.nan), "Please give a number."),
    "infinity": (MINUTES, Offer(number=math.inf), "Please give a number."),
    "below the range": (MINUTES, Offer(number=-0.5),
                        "Please give a number from 0 to 60 minutes."),
    "above the range": (MINUTES, Offer(number=60.5),
                        "Please give a number from 0 to 60 minutes."),
    "above a range without a unit": (WEEKS, Offer(number=14),
                                     "Please give a number from 1 to 13."),
    "an option not in the list": (BILLING, Offer(option="Grant pays"),
                                  "Please choose one of the options."),
    "an option in another case": (BILLING, Offer(option="partner bills"),
                                  "Please choose one of the options."),
    "no option": (BILLING, Offer(), "Please choose one of the options."),
    "blank text": (DISPUTES, Offer(text="  \n "), "Please write the proposal."),
}


@pytest.mark.parametrize("case", OFFER_PROBLEMS.values(), ids=OFFER_PROBLEMS.keys())
def test_offer_problem_says_what_does_not_fit(case):
    topic, offer, problem = case

    assert offer_problem(topic, offer) == problem


@pytest.mark.parametrize(("topic", "offer"), [
    (MINUTES, Offer(number=0)),
    (MINUTES, Offer(number=60)),
    (MINUTES, Offer(number=12.5)),
    (BILLING, Offer(option="Split by payer")),
    (DISPUTES, Offer(text="Managers meet within a week")),
], ids=["lower bound", "upper bound", "inside", "an option", "text"])
def test_offer_problem_accepts_what_fits_including_the_exact_bounds(topic, offer):
    assert offer_problem(topic, offer) is None


# --- fixed rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "broken"), [
    (9.5, True), (10, False), (20, False), (30, False), (30.5, True),
])
def test_a_numeric_rule_is_broken_only_outside_its_bounds(number, broken):
    rule = _rule(allowed_min=10, allowed_max=30)

    assert broken_rules(MINUTES, Offer(number=number), [rule]) == ([rule] if broken else [])


def test_a_rule_with_one_bound_only_limits_that_side():
    at_least = _rule(1, allowed_min=10)
    at_most = _rule(2, allowed_max=30)

    assert broken_rules(MINUTES, Offer(number=5), [at_least, at_most]) == [at_least]
    assert broken_rules(MINUTES, Offer(number=45), [at_least, at_most]) == [at_most]
    assert broken_rules(MINUTES, Offer(number=60), [_rule(allowed_min=10)]) == []


def test_only_the_broken_rules_are_returned_in_their_order():
    first, second, third = (_rule(1, allowed_max=20), _rule(2, allowed_min=10),
                            _rule(3, allowed_max=15))

    assert broken_rules(MINUTES, Offer(number=25), [first, second, third]) == [first, third]


def test_a_numeric_rule_does_not_judge_a_missing_number():
    assert broken_rules(MINUTES, Offer(), [_rule(allowed_min=10)]) == []


def test_an_options_rule_is_broken_by_an_option_it_does_not_allow():
    rule = _rule(allowed_options=["Partner bills", "Split by payer"])

    assert broken_rules(BILLING, Offer(option="Clinic bills"), [rule]) == [rule]
    assert broken_rules(BILLING, Offer(option="Split by payer"), [rule]) == []


def test_a_rule_without_allowed_options_breaks_nothing():
    rule = _rule(allows_text="Any billing the scope of project covers.")

    assert broken_rules(BILLING, Offer(option="Clinic bills"), [rule]) == []


def test_free_text_never_breaks_a_rule_by_itself():
    rule = _rule(allows_text="Changes go back to the county board.", allowed_min=1,
                 allowed_options=["Something"])

    assert broken_rules(DISPUTES, Offer(text="Anything at all"), [rule]) == []


def test_on_a_text_topic_the_rules_not_yet_confirmed_are_listed():
    first, second = _rule(1), _rule(2)

    assert unconfirmed_rules(DISPUTES, [first, second], []) == [first, second]
    assert unconfirmed_rules(DISPUTES, [first, second], [2]) == [first]
    assert unconfirmed_rules(DISPUTES, [first, second], iter([2, 1])) == []


@pytest.mark.parametrize("topic", [MINUTES, BILLING], ids=["numeric", "options"])
def test_rules_need_no_confirmation_where_the_app_checks_them(topic):
    assert unconfirmed_rules(topic, [_rule(1), _rule(2)], []) == []


DESCRIPTIONS = {
    "both bounds": (_rule(allowed_min=10, allowed_max=30), MINUTES, "allows 10 to 30 minutes"),
    "lower bound": (_rule(allowed_min=10), MINUTES, "allows at least 10 minutes"),
    "upper bound": (_rule(allowed_max=30), MINUTES, "allows at most 30 minutes"),
    "decimals and no unit": (_rule(allowed_min=2.5, allowed_max=6), WEEKS, "allows 2.5 to 6"),
    "options": (_rule(allowed_options=["Partner bills", "Split by payer"]), BILLING,
                "allows only: Partner bills; Split by payer"),
    "numeric without bounds": (_rule(allows_text="Fair market value only."), MINUTES,
                               "Fair market value only."),
    "options without a list": (_rule(allows_text="Any billing in scope."), BILLING,
                               "Any billing in scope."),
    "text": (_rule(allows_text="Changes go back to the board."), DISPUTES,
             "Changes go back to the board."),
    "nothing written": (_rule(), DISPUTES, "must be honoured as written"),
}


@pytest.mark.parametrize("case", DESCRIPTIONS.values(), ids=DESCRIPTIONS.keys())
def test_describe_rule_says_what_the_rule_allows(case):
    rule, topic, sentence = case

    assert describe_rule(rule, topic) == sentence
