"""How the room converges: quartiles and round figures per item, the share of items at consensus
per step and for the workshop, and the balance of wins. Expected values are worked out by hand
from the inputs (and, for the demo, from seeds/demo.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, event
from sqlmodel import select

from models import setup
from models.clock import utcnow
from models.convergence import (
    Movement,
    PartnerRoundStats,
    RoundInput,
    RoundStats,
    SettledStance,
    SettledTopic,
    StepConvergence,
    WorkshopConvergence,
    balance_of_wins,
    consensus_share_by_round,
    given_by_partner,
    position_spread,
    quartiles,
    round_stats,
    settled_topics,
    topic_rounds,
    topic_span,
    workshop_convergence,
)
from models.db import reading, writing
from models.demo import load_demo_once
from models.schema import (
    Agreement,
    ItemStatus,
    Measure,
    MissionDraft,
    Outcome,
    Partner,
    Proposal,
    Rating,
    RoundPosition,
    Stance,
    StanceKind,
    Step,
    Topic,
    TopicKind,
    Workshop,
)
from tests.conftest import is_stamp_read, migrated_database

RULE = {"min_support": 0.75, "block_from": 7}
PARTNERS = [
    {"name": "Riverbend CMHC", "kind": "behavioral_health", "colour": "#0072B2"},
    {"name": "Northside FHC", "kind": "primary_care", "colour": "#E69F00"},
    {"name": "Marlow County", "kind": "other", "colour": "#009E73"},
]
CMHC = "Riverbend Community Mental Health Center"
FQHC = "Northside Family Health Center"
COUNTY = "Marlow County Health Department"
HANDOFF = "Warm hand-off response time"
RECORD = "How the two teams share the record"
BILLING = "Who bills for behavioral health visits"
STEERING = "How often the steering group meets"


@pytest.fixture(scope="module")
def demo(backend, tmp_path_factory) -> Iterator[Engine]:
    """One demo database for the tests that only read it (loading it costs ~0.3 s)."""
    with migrated_database(backend, tmp_path_factory.mktemp("demo")) as engine:
        with writing(engine) as session:
            load_demo_once(session)
        yield engine


def _demo_ids(session) -> tuple[int, dict[str, int], dict[str, int]]:
    """The demo workshop's id, its partners' ids by name and its topics' ids by title."""
    workshop = session.exec(select(Workshop).where(Workshop.is_demo)).one()
    partners = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)).all()
    topics = session.exec(select(Topic).where(Topic.workshop_id == workshop.id)).all()
    return workshop.id, {p.name: p.id for p in partners}, {t.title: t.id for t in topics}


@contextmanager
def _selects(engine: Engine) -> Iterator[list[str]]:
    """Every SELECT the engine sends while the block runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not is_stamp_read(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- quartiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    # Odd, sorted [1, 2, 3, 4, 5]: the cut points fall on the 2nd, 3rd and 4th values.
    ([5, 1, 4, 2, 3], (2.0, 3.0, 4.0)),
    # Even, [1, 2, 3, 4]: q1 at position 3/4 between 1 and 2 -> 1 + 0.75 = 1.75; the median
    # halfway between 2 and 3 -> 2.5; q3 at 1/4 between 3 and 4 -> 3.25.
    ([1, 2, 3, 4], (1.75, 2.5, 3.25)),
    # Ties, [2, 2, 2, 7]: q1 and the median fall among the 2s; q3 = 2 + 0.25 x (7 - 2) = 3.25.
    ([2, 7, 2, 2], (2.0, 2.0, 3.25)),
    ([4, 4, 4], (4.0, 4.0, 4.0)),
    # Three values [1, 2, 4]: q1 halfway between 1 and 2, q3 halfway between 2 and 4.
    ([4, 1, 2], (1.5, 2.0, 3.0)),
    ([6], (6.0, 6.0, 6.0)),
    ([], None),
])
def test_quartiles_of_the_values_themselves(values, expected):
    assert quartiles(values) == expected


def test_quartiles_are_floats_even_for_whole_ratings():
    assert all(isinstance(value, float) for value in quartiles([3]) + quartiles([1, 3]))


# --- one item, round by round --------------------------------------------------------------------

# Rent on 0-6000 dollars: partners 1 and 2 send two people each, partner 3 one.
RENT_SPAN = (0.0, 6000.0)
RENT_ROUNDS = [
    RoundInput(round_no=1, ratings=((1, 2), (1, 3), (2, 7), (2, 6), (3, 3)),
               positions={1: 1200.0, 2: 2400.0, 3: 1800.0}),
    RoundInput(round_no=2, ratings=((1, 3), (2, 3), (1, 5), (2, 3), (3, 2)),
               positions={1: 1800.0, 2: 2100.0, 3: 1900.0}),
]


def test_round_stats_on_a_two_round_numeric_topic():
    first, second = round_stats(RENT_ROUNDS, **RULE, span=RENT_SPAN)

    # Round 1, sorted [2, 3, 3, 6, 7]: 3 of 5 support; quartiles on the 2nd, 3rd, 4th values;
    # the 7 blocks; positions 1200 to 2400 are 1200 / 6000 = 0.2 of the range apart.
    assert first == RoundStats(
        round_no=1, count=5, support_share=0.6, median=3.0, q1=3.0, q3=6.0, iqr=3.0, blocks=1,
        met=False, spread=0.2, change=None,
        per_partner=(PartnerRoundStats(partner_id=1, count=2, support_share=1.0, median=2.5),
                     PartnerRoundStats(partner_id=2, count=2, support_share=0.0, median=6.5),
                     PartnerRoundStats(partner_id=3, count=1, support_share=1.0, median=3.0)))
    # Round 2, sorted [2, 3, 3, 3, 5]: 4 of 5 support (0.75 x 5 = 3.75, so 4 are needed), no
    # block; positions 1800 to 2100 are 300 / 6000 = 0.05 apart; support rose 0.8 - 0.6 = 0.2.
    assert (second.round_no, second.count, second.support_share) == (2, 5, 0.8)
    assert (second.q1, second.median, second.q3, second.iqr) == (3.0, 3.0, 3.0, 0.0)
    assert (second.blocks, second.met) == (0, True)
    assert second.spread == pytest.approx(0.05)
    assert second.change == pytest.approx(0.2)
    assert second.per_partner == (
        PartnerRoundStats(partner_id=1, count=2, support_share=0.5, median=4.0),
        PartnerRoundStats(partner_id=2, count=2, support_share=1.0, median=3.0),
        PartnerRoundStats(partner_id=3, count=1, support_share=1.0, median=2.0))


def test_per_partner_follows_each_partners_first_rating():
    item = RoundInput(round_no=1, ratings=((3, 1), (1, 4), (3, 8), (2, 2)))

    stats = round_stats([item], **RULE)[0]

    assert [p.partner_id for p in stats.per_partner] == [3, 1, 2]
    # Partner 3 gave 1 and 8: one of two supports, median (1 + 8) / 2.
    assert stats.per_partner[0] == PartnerRoundStats(partner_id=3, count=2, support_share=0.5,
                                                     median=4.5)


def test_the_block_threshold_comes_from_the_rule():
    item = RoundInput(round_no=1, ratings=((1, 1), (2, 1), (3, 1), (4, 7)))

    from_seven = round_stats([item], min_support=0.75, block_from=7)[0]
    from_eight = round_stats([item], min_support=0.75, block_from=8)[0]

    assert (from_seven.blocks, from_seven.met) == (1, False)
    assert (from_eight.blocks, from_eight.met) == (0, True)


def test_empty_rounds_have_no_figures_but_still_count_their_change():
    rounds = [RoundInput(round_no=1, ratings=(), positions={}),
              RoundInput(round_no=2, ratings=())]

    first, second = round_stats(rounds, **RULE, span=(0.0, 60.0))

    assert first == RoundStats(round_no=1, count=0, support_share=0.0, median=None, q1=None,
                               q3=None, iqr=None, blocks=0, met=False, spread=None, change=None,
                               per_partner=())
    assert second.change == 0.0


def test_no_rounds_no_figures():
    assert round_stats([], **RULE, span=(0.0, 60.0)) == []


def test_a_single_partner():
    item = RoundInput(round_no=1, ratings=((7, 4), (7, 1), (7, 2)), positions={7: 30.0})

    strict = round_stats([item], **RULE, span=(0.0, 60.0))[0]
    lenient = round_stats([item], min_support=0.6, block_from=7, span=(0.0, 60.0))[0]

    # Sorted [1, 2, 4]: q1 = 1.5, median 2, q3 = 3, iqr 1.5. Two of three support: 0.75 x 3 =
    # 2.25 asks for 3, 0.6 x 3 = 1.8 for 2. One partner's position has nothing to spread against.
    assert (strict.count, strict.q1, strict.median, strict.q3, strict.iqr) == (3, 1.5, 2.0, 3.0,
                                                                               1.5)
    assert strict.support_share == pytest.approx(2 / 3)
    assert (strict.met, lenient.met) == (False, True)
    assert strict.spread is None
    assert strict.per_partner == (PartnerRoundStats(partner_id=7, count=3,
                                                    support_share=strict.support_share,
                                                    median=2.0),)


def test_an_all_fixed_topic_has_no_positions_so_no_spread():
    item = RoundInput(round_no=1, ratings=((1, 2), (2, 2)), positions={})

    stats = round_stats([item], **RULE, span=(0.0, 60.0))[0]

    assert stats.spread is None
    assert (stats.support_share, stats.met) == (1.0, True)


@pytest.mark.parametrize(("positions", "span", "expected"), [
    ([20.0, 5.0, 15.0], (0.0, 60.0), 0.25),  # (20 - 5) / 60
    ([4.0, 4.0], (1.0, 13.0), 0.0),  # the partners stand together
    ([0.0, 60.0], (0.0, 60.0), 1.0),  # the whole range apart
    ([10.0], (0.0, 60.0), None),  # one position has nothing to be apart from
    ([], (0.0, 60.0), None),
    ([10.0, 20.0], None, None),  # an options topic has no span
    ([10.0, 20.0], (5.0, 5.0), None),  # nor does an empty range
])
def test_position_spread(positions, span, expected):
    assert position_spread(positions, span) == expected


# --- a topic's rounds from the database ----------------------------------------------------------


def test_topic_rounds_of_the_demo_warm_hand_off(demo):
    with reading(demo) as session:
        _, partner, topic = _demo_ids(session)
        rounds = topic_rounds(session, topic[HANDOFF])
        row = session.get(Topic, topic[HANDOFF])
    cmhc, fqhc, county = partner[CMHC], partner[FQHC], partner[COUNTY]

    assert rounds == [
        RoundInput(round_no=1, ratings=((cmhc, 6), (cmhc, 5), (fqhc, 2), (fqhc, 3), (county, 3)),
                   positions={cmhc: 20.0, fqhc: 5.0, county: 15.0}),
        RoundInput(round_no=2, ratings=((cmhc, 2), (cmhc, 3), (fqhc, 3), (fqhc, 2), (county, 1)),
                   positions={cmhc: 15.0, fqhc: 10.0, county: 15.0}),
    ]
    first, second = round_stats(rounds, **RULE, span=topic_span(row))
    # 3 of 5 support then 5 of 5; positions 15 then 5 minutes apart on a 60-minute range.
    assert (first.support_share, first.met, first.spread) == (0.6, False, 0.25)
    assert (second.support_share, second.met) == (1.0, True)
    assert second.spread == pytest.approx(5 / 60)
    assert second.change == pytest.approx(0.4)
    assert [p.partner_id for p in first.per_partner] == [cmhc, fqhc, county]


def test_topic_rounds_of_an_options_topic_have_no_positions(demo):
    with reading(demo) as session:
        _, _, topic = _demo_ids(session)
        rounds = topic_rounds(session, topic[RECORD])
        span = topic_span(session.get(Topic, topic[RECORD]))

    assert [r.round_no for r in rounds] == [1, 2]
    assert [r.positions for r in rounds] == [{}, {}]
    assert [len(r.ratings) for r in rounds] == [5, 5]
    assert span is None


def test_a_topic_not_yet_discussed_has_no_rounds(demo):
    with reading(demo) as session:
        _, _, topic = _demo_ids(session)
        assert topic_rounds(session, topic["Behavioral health clinician hours on site"]) == []


def test_topic_rounds_takes_the_same_few_queries_for_two_rounds_as_for_none(demo):
    with reading(demo) as session:
        _, _, topic = _demo_ids(session)
        with _selects(demo) as none:
            topic_rounds(session, topic["Behavioral health clinician hours on site"])
        with _selects(demo) as two:
            topic_rounds(session, topic[HANDOFF])

    assert len(none) == len(two) == 2  # proposals with their ratings, and positions


# --- share of items at consensus -----------------------------------------------------------------


def test_consensus_share_carries_met_items_and_items_with_fewer_rounds():
    items = [[False, True], [True], [False, False, False], []]

    # Round 1: only the second item. Round 2: the first joins. Round 3: the first two carry on,
    # the third never met and the fourth had no round.
    assert consensus_share_by_round(items) == [0.25, 0.5, 0.5]


def test_an_item_that_has_met_stays_met():
    assert consensus_share_by_round([[True, False, False]]) == [1.0, 1.0, 1.0]


def test_items_that_meet_together_count_together():
    # Two items tie in round 2; a third never meets.
    assert consensus_share_by_round([[False, True], [False, True], [False, False]]) == [0.0, 2 / 3]


@pytest.mark.parametrize("items", [[], [[]], [[], []]])
def test_no_items_or_no_rounds_no_shares(items):
    assert consensus_share_by_round(items) == []


def test_workshop_convergence_of_the_demo(demo):
    with reading(demo) as session:
        workshop_id, _, _ = _demo_ids(session)
        result = workshop_convergence(session, workshop_id)

    # Rule: 75 % support, blocks from 7; five raters (two, two and one).
    # Mission: draft 1 rated 3, 5, 2, 2, 5 -> 3 of 5, not met; draft 2 rated 1, 2, 2, 1, 1 and
    # adopted -> met.
    # Expectations: 4 of the 5 measures are agreed (emergency visits is contested) -> 0.8.
    # Solutions, 8 topics in order:
    #   warm hand-off   R1 6 5 2 3 3 (3/5) no, R2 2 3 3 2 1 yes, agreed  -> met from round 2
    #   shared record   R1 2 2 5 3 3 (4/5) yes, R2 yes, agreed            -> from round 1
    #   rent            R1 2 3 7 6 3 (a block) no, R2 3 5 3 3 2 (4/5) yes -> from round 2
    #   billing         R1 3 2 2 3 1 yes, agreed                          -> from round 1
    #   clinician hours no rounds                                         -> never
    #   steering        R1 1 2 3 2 1 yes, agreed                          -> from round 1
    #   disputes        R1 2 3 3 5 3 (4/5) yes, parked                    -> from round 1
    #   same-day visits no rounds                                         -> never
    #   round 1: 4 of 8 = 0.5; round 2: 6 of 8 = 0.75.
    # Overall, 1 + 5 + 8 = 14 items: round 1, 0 + 4 + 4 = 8 -> 8/14; round 2, 1 + 4 + 6 = 11
    # -> 11/14, the measures carried from their single round.
    assert result == WorkshopConvergence(
        steps=(StepConvergence(step=Step.MISSION, items=1, shares=(0.0, 1.0)),
               StepConvergence(step=Step.EXPECTATIONS, items=5, shares=(0.8,)),
               StepConvergence(step=Step.SOLUTIONS, items=8, shares=(0.5, 0.75))),
        overall=(8 / 14, 11 / 14))


def test_workshop_convergence_of_an_empty_workshop(engine):
    with writing(engine) as session:
        workshop_id = _new_workshop(session)
    with reading(engine) as session:
        result = workshop_convergence(session, workshop_id)

    # The mission is always one item; with no draft it has no round yet.
    assert result == WorkshopConvergence(
        steps=(StepConvergence(step=Step.MISSION, items=1, shares=()),
               StepConvergence(step=Step.EXPECTATIONS, items=0, shares=()),
               StepConvergence(step=Step.SOLUTIONS, items=0, shares=())),
        overall=())


def test_a_workshop_that_does_not_exist_has_no_steps(engine):
    with reading(engine) as session:
        assert workshop_convergence(session, 999) == WorkshopConvergence(steps=(), overall=())


def test_workshop_convergence_follows_the_workshops_own_rule(engine):
    with writing(engine) as session:
        workshop_id = _new_workshop(session, min_support=0.5, block_from=8)
        a, b, c = _partner_ids(session, workshop_id)
        # Drafts: 1, 2, 8 is blocked; 1, 2, 7 meets (2 of 3 >= 50 %, and 7 does not block);
        # the third is neither rated nor adopted, yet the mission has met and stays met.
        _draft(session, workshop_id, 1, {a: 1, b: 2, c: 8})
        _draft(session, workshop_id, 2, {a: 1, b: 2, c: 7})
        _draft(session, workshop_id, 3, {})
        for status in (ItemStatus.OPEN, ItemStatus.AGREED, ItemStatus.DROPPED):
            session.add(Measure(workshop_id=workshop_id, name=f"Measure {status}",
                                status=status))
        minutes = _topic(session, workshop_id, "Minutes", TopicKind.NUMERIC)
        billing = _topic(session, workshop_id, "Billing", TopicKind.OPTIONS)
        disputes = _topic(session, workshop_id, "Disputes", TopicKind.TEXT)
        hours = _topic(session, workshop_id, "Hours", TopicKind.NUMERIC)
        # Minutes: blocked, 1 of 3, then 2 of 3 -> met in round 3.
        for ratings in ({a: 8, b: 1, c: 1}, {a: 4, b: 4, c: 1}, {a: 1, b: 2, c: 4}):
            _round(session, minutes, ratings)
        # Billing: agreed without a round -> met from a round of its own.
        session.add(Agreement(topic_id=billing, outcome=Outcome.AGREED, value_option="Split"))
        # Disputes: one round short of the rule, then parked -> never met.
        _round(session, disputes, {a: 5, b: 5, c: 5})
        session.add(Agreement(topic_id=disputes, outcome=Outcome.PARKED))
        # Hours: two rounds short of the rule, then agreed -> met from its last round.
        _round(session, hours, {a: 5, b: 5, c: 1})
        _round(session, hours, {a: 6, b: 6, c: 6})
        session.add(Agreement(topic_id=hours, outcome=Outcome.AGREED, value_number=20))
    with reading(engine) as session:
        result = workshop_convergence(session, workshop_id)

    # Solutions by round: billing; billing + hours; billing + hours + minutes -> of 4 topics.
    # Overall, 1 + 3 + 4 = 8 items: round 1, 0 + 1 + 1 = 2; round 2, 1 + 1 + 2 = 4; round 3,
    # 1 + 1 + 3 = 5.
    assert result == WorkshopConvergence(
        steps=(StepConvergence(step=Step.MISSION, items=1, shares=(0.0, 1.0, 1.0)),
               StepConvergence(step=Step.EXPECTATIONS, items=3, shares=(1 / 3,)),
               StepConvergence(step=Step.SOLUTIONS, items=4, shares=(0.25, 0.5, 0.75))),
        overall=(0.25, 0.5, 0.625))


def test_an_adopted_draft_counts_as_met_even_when_its_ratings_do_not(engine):
    with writing(engine) as session:
        workshop_id = _new_workshop(session)
        a, b, _ = _partner_ids(session, workshop_id)
        _draft(session, workshop_id, 1, {a: 5, b: 6}, adopted=True)
    with reading(engine) as session:
        mission = workshop_convergence(session, workshop_id).steps[0]

    assert mission == StepConvergence(step=Step.MISSION, items=1, shares=(1.0,))


def test_workshop_convergence_takes_the_same_few_queries_however_large(demo_engine):
    with writing(demo_engine) as session:
        empty = _new_workshop(session, name="Empty")
        large = _new_workshop(session, name="Large")
        _grow(session, large, topics=12, rounds=4, measures=10, drafts=4)
        demo_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
    counts = {}
    for name, workshop_id in (("empty", empty), ("demo", demo_id), ("large", large)):
        with reading(demo_engine) as session, _selects(demo_engine) as seen:
            result = workshop_convergence(session, workshop_id)
        counts[name] = len(seen)
        assert result.steps[2].items == {"empty": 0, "demo": 8, "large": 12}[name]

    assert counts["empty"] == counts["demo"] == counts["large"] <= 8


# --- balance of wins -----------------------------------------------------------------------------


def test_settled_topics_of_the_demo(demo):
    with reading(demo) as session:
        workshop_id, partner, topic = _demo_ids(session)
        settled = settled_topics(session, workshop_id)
    cmhc, fqhc, county = partner[CMHC], partner[FQHC], partner[COUNTY]
    secure = "Each keeps its own record; secure electronic exchange"
    split = "Split by payer: each bills where it is enrolled"

    # Rent has no agreement, disputes were parked (and are free text): neither is settled. The
    # record and billing topics leave out the partner a fixed rule binds there.
    assert settled == [
        SettledTopic(topic_id=topic[HANDOFF], title=HANDOFF, kind=TopicKind.NUMERIC, lower=0.0,
                     upper=60.0, agreed_number=15.0, agreed_option=None,
                     stances=(SettledStance(cmhc, 4, 20.0, None),
                              SettledStance(fqhc, 5, 5.0, None),
                              SettledStance(county, 2, 15.0, None))),
        SettledTopic(topic_id=topic[RECORD], title=RECORD, kind=TopicKind.OPTIONS, lower=None,
                     upper=None, agreed_number=None, agreed_option=secure,
                     stances=(SettledStance(fqhc, 4, None,
                                            "One shared record with access by role"),
                              SettledStance(county, 2, None, "Each keeps its own record; "
                                                             "summaries sent after each visit"))),
        SettledTopic(topic_id=topic[BILLING], title=BILLING, kind=TopicKind.OPTIONS, lower=None,
                     upper=None, agreed_number=None, agreed_option=split,
                     stances=(SettledStance(cmhc, 5, None, "Behavioral health partner bills "
                                                           "for its own visits"),
                              SettledStance(county, 2, None, split))),
        SettledTopic(topic_id=topic[STEERING], title=STEERING, kind=TopicKind.NUMERIC,
                     lower=1.0, upper=13.0, agreed_number=4.0, agreed_option=None,
                     stances=(SettledStance(cmhc, 2, 4.0, None),
                              SettledStance(fqhc, 2, 6.0, None),
                              SettledStance(county, 3, 4.0, None))),
    ]


def test_settled_topics_leave_out_free_text_and_what_was_not_agreed(engine):
    with writing(engine) as session:
        workshop_id = _new_workshop(session)
        a, b, _ = _partner_ids(session, workshop_id)
        billing = _topic(session, workshop_id, "Billing", TopicKind.OPTIONS)
        notes = _topic(session, workshop_id, "Notes", TopicKind.TEXT)
        minutes = _topic(session, workshop_id, "Minutes", TopicKind.NUMERIC)
        session.add(Stance(topic_id=billing, partner_id=b, kind=StanceKind.FLEX,
                           preferred_option="Other", weight=3))
        session.add(Stance(topic_id=billing, partner_id=a, kind=StanceKind.FIXED, weight=5))
        session.add(Stance(topic_id=minutes, partner_id=a, preferred_value=10.0, weight=2))
        session.add(Agreement(topic_id=billing, outcome=Outcome.AGREED, value_option="Split"))
        session.add(Agreement(topic_id=notes, outcome=Outcome.AGREED, value_text="Weekly"))
        session.add(Agreement(topic_id=minutes, outcome=Outcome.NO_AGREEMENT))
    with reading(engine) as session:
        settled = settled_topics(session, workshop_id)

    assert settled == [SettledTopic(topic_id=billing, title="Billing", kind=TopicKind.OPTIONS,
                                    lower=None, upper=None, agreed_number=None,
                                    agreed_option="Split",
                                    stances=(SettledStance(b, 3, None, "Other"),))]


def test_balance_of_wins_of_the_demo(demo):
    with reading(demo) as session:
        workshop_id, partner, topic = _demo_ids(session)
        wins = balance_of_wins(settled_topics(session, workshop_id))
    cmhc, fqhc, county = partner[CMHC], partner[FQHC], partner[COUNTY]

    def moves(partner_id: int) -> list[tuple[int, float, int, float]]:
        return [(m.topic_id, m.moved, m.weight, m.weighted) for m in wins[partner_id]]

    assert list(wins) == sorted([cmhc, fqhc, county])
    # Warm hand-off, agreed 15 on 0-60: Riverbend opened at 20 -> 5/60 = 0.0833, x 4/5 =
    # 0.0667; Northside at 5 -> 10/60 = 0.1667, x 5/5; the county at 15 did not move.
    # Steering, agreed every 4 weeks on 1-13: Northside opened at 6 -> 2/12 = 0.1667, x 2/5 =
    # 0.0667; the others opened at 4.
    # Options: the record went to secure exchange (Northside and the county each preferred
    # another: x 4/5 and x 2/5); billing went to split by payer (Riverbend preferred to bill its
    # own visits, x 5/5; the county preferred the split).
    assert moves(cmhc) == [(topic[HANDOFF], pytest.approx(5 / 60), 4, pytest.approx(1 / 15)),
                           (topic[BILLING], 1.0, 5, 1.0),
                           (topic[STEERING], 0.0, 2, 0.0)]
    assert moves(fqhc) == [(topic[HANDOFF], pytest.approx(10 / 60), 5, pytest.approx(1 / 6)),
                           (topic[RECORD], 1.0, 4, 0.8),
                           (topic[STEERING], pytest.approx(2 / 12), 2, pytest.approx(1 / 15))]
    assert moves(county) == [(topic[HANDOFF], 0.0, 2, 0.0), (topic[RECORD], 1.0, 2, 0.4),
                             (topic[BILLING], 0.0, 2, 0.0), (topic[STEERING], 0.0, 3, 0.0)]
    # What each gave in all: 1/15 + 1 = 1.0667; 1/6 + 0.8 + 1/15 = 1.0333; 0.4.
    assert given_by_partner(wins) == {cmhc: pytest.approx(16 / 15),
                                      fqhc: pytest.approx(31 / 30), county: 0.4}


ROOMS = SettledTopic(topic_id=1, title="Rooms", kind=TopicKind.NUMERIC, lower=10.0, upper=30.0,
                     agreed_number=25.0, agreed_option=None,
                     stances=(SettledStance(2, 3, 10.0, None), SettledStance(1, 5, 25.0, None),
                              SettledStance(4, 1, None, None)))
HANDLER = SettledTopic(topic_id=2, title="Who answers", kind=TopicKind.OPTIONS, lower=None,
                       upper=None, agreed_number=None, agreed_option="Nurse",
                       stances=(SettledStance(1, 2, None, "Clinician"),
                                SettledStance(2, 4, None, "Nurse"),
                                SettledStance(3, 1, None, None)))
NOTES = SettledTopic(topic_id=3, title="Notes", kind=TopicKind.TEXT, lower=None, upper=None,
                     agreed_number=None, agreed_option=None,
                     stances=(SettledStance(5, 5, None, None),))


def test_balance_of_wins_on_hand_made_topics():
    wins = balance_of_wins([ROOMS, HANDLER, NOTES])

    # Rooms, agreed 25 on 10-30: partner 2 opened at 10 -> 15/20 = 0.75, x 3/5 = 0.45;
    # partner 1 opened at 25 and kept it. Who answers went to the nurse: partner 1 preferred the
    # clinician (1.0 x 2/5 = 0.4), partner 2 the nurse. Partners 3 and 4 gave no opening, and
    # free text is not measured, so partners 3, 4 and 5 are absent.
    assert wins == {
        1: [Movement(1, 1, "Rooms", 0.0, 5, 0.0), Movement(1, 2, "Who answers", 1.0, 2, 0.4)],
        2: [Movement(2, 1, "Rooms", 0.75, 3, 0.45), Movement(2, 2, "Who answers", 0.0, 4, 0.0)],
    }


def test_nothing_settled_no_wins():
    assert balance_of_wins([]) == {}
    assert given_by_partner({}) == {}


def test_a_topic_without_a_range_measures_no_movement():
    flat = SettledTopic(topic_id=9, title="Flat", kind=TopicKind.NUMERIC, lower=5.0, upper=5.0,
                        agreed_number=5.0, agreed_option=None,
                        stances=(SettledStance(1, 3, 5.0, None),))

    assert balance_of_wins([flat]) == {}


# --- properties ----------------------------------------------------------------------------------


@st.composite
def _numeric_item(draw) -> tuple[list[RoundInput], tuple[float, float]]:
    lower = draw(st.floats(min_value=-1e6, max_value=1e6))
    upper = lower + draw(st.floats(min_value=1e-3, max_value=1e6))
    positions = st.dictionaries(st.integers(1, 5), st.floats(min_value=lower, max_value=upper),
                                max_size=5)
    ratings = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 8)), max_size=12)
    rounds = draw(st.lists(st.tuples(ratings, positions), max_size=4))
    return ([RoundInput(round_no=n, ratings=tuple(r), positions=p)
             for n, (r, p) in enumerate(rounds, start=1)], (lower, upper))


@given(_numeric_item(), st.floats(min_value=0.01, max_value=1.0), st.integers(5, 8))
def test_round_stats_stay_in_their_ranges(case, min_support, block_from):
    rounds, span = case

    stats = round_stats(rounds, min_support=min_support, block_from=block_from, span=span)

    assert [s.round_no for s in stats] == [r.round_no for r in rounds]
    for item, result in zip(rounds, stats, strict=True):
        assert 0.0 <= result.support_share <= 1.0
        assert result.count == len(item.ratings)
        assert 0 <= result.blocks <= result.count
        if result.count:
            assert result.q1 <= result.median <= result.q3
            assert result.iqr >= 0
        else:
            assert (result.median, result.iqr, result.met) == (None, None, False)
        if len(item.positions) >= 2:
            assert 0.0 <= result.spread <= 1.0
        else:
            assert result.spread is None
        assert all(0.0 <= p.support_share <= 1.0 for p in result.per_partner)
        assert sum(p.count for p in result.per_partner) == result.count
    for before, after in pairwise(stats):
        assert after.change == after.support_share - before.support_share


@st.composite
def _settled(draw) -> list[SettledTopic]:
    topics = []
    for topic_id in range(1, draw(st.integers(0, 4)) + 1):
        partners = draw(st.lists(st.integers(1, 6), unique=True, max_size=5))
        weights = st.integers(1, 5)
        if draw(st.booleans()):
            lower = draw(st.floats(min_value=-1e4, max_value=1e4))
            upper = lower + draw(st.floats(min_value=1.0, max_value=1e4))
            values = st.floats(min_value=lower, max_value=upper)
            stances = tuple(SettledStance(p, draw(weights), draw(values), None)
                            for p in partners)
            topics.append(SettledTopic(topic_id, f"T{topic_id}", TopicKind.NUMERIC, lower, upper,
                                       draw(values), None, stances))
        else:
            options = st.sampled_from(["A", "B", "C"])
            stances = tuple(SettledStance(p, draw(weights), None, draw(options))
                            for p in partners)
            topics.append(SettledTopic(topic_id, f"T{topic_id}", TopicKind.OPTIONS, None, None,
                                       None, draw(options), stances))
    return topics


@given(_settled(), st.randoms(use_true_random=False))
def test_balance_of_wins_does_not_depend_on_stance_order(topics, random):
    shuffled = []
    for topic in topics:
        stances = list(topic.stances)
        random.shuffle(stances)
        shuffled.append(replace(topic, stances=tuple(stances)))

    wins = balance_of_wins(topics)

    assert list(balance_of_wins(shuffled).items()) == list(wins.items())
    for movements in wins.values():
        assert [m.topic_id for m in movements] == sorted(m.topic_id for m in movements)
        assert all(0.0 <= m.moved <= 1.0 and 0.0 <= m.weighted <= 1.0 for m in movements)


# --- building workshops --------------------------------------------------------------------------


def _new_workshop(session, *, name: str = "Spring workshop", min_support: float = 0.75,
                  block_from: int = 7) -> int:
    workshop = setup.create_workshop(session, workshop={"name": name, "held_on": "2027-03-04"},
                                     partners=PARTNERS, actor="facilitator")
    workshop.rule_min_support, workshop.rule_block_from = min_support, block_from
    session.flush()
    return workshop.id


def _partner_ids(session, workshop_id: int) -> list[int]:
    return list(session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                             .order_by(Partner.position)).all())


def _draft(session, workshop_id: int, number: int, ratings: dict[int, int],
           adopted: bool = False) -> None:
    draft = MissionDraft(workshop_id=workshop_id, number=number, text=f"Draft {number}",
                         adopted_at=utcnow() if adopted else None)
    session.add(draft)
    session.flush()
    session.add_all(Rating(partner_id=p, mission_draft_id=draft.id, value=v,
                           reason="" if v < 5 else "Because")
                    for p, v in ratings.items())


def _topic(session, workshop_id: int, title: str, kind: TopicKind) -> int:
    numeric = kind == TopicKind.NUMERIC
    topic = Topic(workshop_id=workshop_id, title=title, category="test", kind=kind,
                  lower_bound=0.0 if numeric else None, upper_bound=60.0 if numeric else None,
                  options=["Split", "Other"] if kind == TopicKind.OPTIONS else [])
    session.add(topic)
    session.flush()
    return topic.id


def _round(session, topic_id: int, ratings: dict[int, int],
           positions: dict[int, float] | None = None) -> None:
    latest = len(session.exec(select(Proposal.id).where(Proposal.topic_id == topic_id)).all())
    proposal = Proposal(topic_id=topic_id, round_no=latest + 1)
    session.add(proposal)
    session.flush()
    session.add_all(Rating(partner_id=p, proposal_id=proposal.id, value=v,
                           reason="" if v < 5 else "Because")
                    for p, v in ratings.items())
    session.add_all(RoundPosition(proposal_id=proposal.id, partner_id=p, value_number=n)
                    for p, n in (positions or {}).items())


def _grow(session, workshop_id: int, *, topics: int, rounds: int, measures: int,
          drafts: int) -> None:
    """A workshop far larger than the demo: many topics, rounds, ratings and measures."""
    a, b, c = _partner_ids(session, workshop_id)
    for number in range(1, drafts + 1):
        _draft(session, workshop_id, number, {a: number % 8 + 1, b: 2, c: 3})
    for index in range(measures):
        session.add(Measure(workshop_id=workshop_id, name=f"Measure {index}",
                            status=ItemStatus.AGREED if index % 2 else ItemStatus.OPEN))
    for index in range(topics):
        topic_id = _topic(session, workshop_id, f"Topic {index}", TopicKind.NUMERIC)
        for round_no in range(rounds):
            _round(session, topic_id, {a: (index + round_no) % 8 + 1, b: 2, c: 3},
                   {a: 10.0 + round_no, b: 20.0, c: 30.0})
        if index % 3 == 0:
            session.add(Agreement(topic_id=topic_id, outcome=Outcome.AGREED, value_number=20))
