"""How the room converges: per item per round, per step and for the workshop, and who gave what.

The metrics (``quartiles``, ``round_stats``, ``consensus_share_by_round``, ``balance_of_wins``)
are pure functions over plain values, so charts and tests use them without a database. The
readers (``topic_rounds``, ``workshop_convergence``, ``settled_topics``) gather their inputs in a
fixed number of queries, however large the workshop. Nothing here is rounded: rounding belongs to
whoever shows the number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.kept import kept
from models.rows import (
    RoundTally,
    topic_outcomes,
    topic_positions,
    topic_proposals,
    workshop_drafts,
    workshop_measures,
    workshop_rounds,
    workshop_row,
)
from models.rules import SUPPORT_MAX, Verdict, verdict
from models.schema import (
    ItemStatus,
    Partner,
    Stance,
    StanceKind,
    Step,
    Topic,
    TopicKind,
    Workshop,
)

MAX_WEIGHT = 5  # a stance's weight runs 1-5; a weight of 5 counts a movement in full


# --- one item, round by round --------------------------------------------------------------------


@dataclass(frozen=True)
class RoundInput:
    """One round of one item: each rating as (partner id, 1-8), one per rater, and each
    partner's numeric counter-offer that round (empty for options and free-text topics)."""

    round_no: int
    ratings: tuple[tuple[int, int], ...]
    positions: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerRoundStats:
    partner_id: int
    count: int
    support_share: float  # share of this partner's ratings that are 1-3
    median: float | None


@dataclass(frozen=True)
class RoundStats:
    round_no: int
    count: int
    support_share: float  # ratings 1-3 over all ratings; 0.0 when nobody rated
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None  # q3 - q1
    blocks: int  # ratings at or above the rule's block_from
    met: bool  # the decision rule's verdict on this round's ratings
    # Numeric topics: how far apart the partners' positions are, as a share of the topic's range.
    spread: float | None
    change: float | None  # support_share minus the previous round's; None for the first round
    per_partner: tuple[PartnerRoundStats, ...]  # in order of each partner's first rating


def quartiles(values: Sequence[float]) -> tuple[float, float, float] | None:
    """(q1, median, q3) of the values themselves ("inclusive" method, as a spreadsheet's
    QUARTILE does); one value is its own quartiles; no values, None."""
    if not values:
        return None
    if len(values) == 1:
        only = float(values[0])
        return only, only, only
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return float(q1), float(median), float(q3)


def position_spread(positions: Iterable[float],
                    span: tuple[float, float] | None) -> float | None:
    """How far apart the positions lie, as a share of the span; None when fewer than two
    partners gave one, or when there is no span to measure against."""
    values = list(positions)
    if span is None or len(values) < 2:
        return None
    lower, upper = span
    if not upper > lower:
        return None
    return (max(values) - min(values)) / (upper - lower)


def round_stats(rounds: Sequence[RoundInput], *, min_support: float, block_from: int,
                span: tuple[float, float] | None = None) -> list[RoundStats]:
    """The convergence figures of each round, in the order given; ``span`` is a numeric topic's
    (lower, upper) range, so the spread of positions can be measured against it."""
    result: list[RoundStats] = []
    previous: float | None = None
    for item in rounds:
        stats = _one_round(item, min_support=min_support, block_from=block_from, span=span,
                           previous=previous)
        result.append(stats)
        previous = stats.support_share
    return result


def _one_round(item: RoundInput, *, min_support: float, block_from: int,
               span: tuple[float, float] | None, previous: float | None) -> RoundStats:
    values = [value for _, value in item.ratings]
    rule = verdict(values, min_support=min_support, block_from=block_from)
    cuts = quartiles(values)
    q1, median, q3 = cuts if cuts is not None else (None, None, None)
    return RoundStats(
        round_no=item.round_no, count=rule.count, support_share=rule.support_share,
        median=median, q1=q1, q3=q3, iqr=q3 - q1 if cuts is not None else None,
        blocks=rule.blocks, met=rule.met, spread=position_spread(item.positions.values(), span),
        change=None if previous is None else rule.support_share - previous,
        per_partner=_per_partner(item.ratings))


def _per_partner(ratings: Sequence[tuple[int, int]]) -> tuple[PartnerRoundStats, ...]:
    by_partner: dict[int, list[int]] = {}
    for partner_id, value in ratings:
        by_partner.setdefault(partner_id, []).append(value)
    return tuple(
        PartnerRoundStats(partner_id=partner_id, count=len(values),
                          support_share=_support(values) / len(values),
                          median=float(statistics.median(values)))
        for partner_id, values in by_partner.items())


def _support(values: Iterable[int]) -> int:
    return sum(1 for value in values if value <= SUPPORT_MAX)


def topic_span(topic: Topic) -> tuple[float, float] | None:
    """A numeric topic's range, as ``round_stats`` takes it; None for other kinds."""
    if topic.kind != TopicKind.NUMERIC or topic.lower_bound is None or topic.upper_bound is None:
        return None
    return topic.lower_bound, topic.upper_bound


@kept
def topic_rounds(session: Session, topic_id: int) -> list[RoundInput]:
    """A topic's rounds as ``round_stats`` takes them, in round order, from the rows the topic's
    view reads too (``models.rows``).

    Ratings and positions come in the partners' order on the screen, so ``per_partner`` does too.
    """
    positions = [p for p in topic_positions(session, topic_id) if p.value_number is not None]
    return [RoundInput(
        round_no=proposal.round_no,
        ratings=tuple((rating.partner_id, rating.value) for rating in ratings),
        positions={p.partner_id: p.value_number for p in positions
                   if p.proposal_id == proposal.id})
        for proposal, ratings in topic_proposals(session, topic_id)]


# --- steps and the workshop ----------------------------------------------------------------------


def consensus_share_by_round(items: Sequence[Sequence[bool]]) -> list[float]:
    """Share of all items at consensus after round 1, 2, ...: ``items[i][r]`` says whether item i
    met the rule in its round r + 1. An item that has met stays met, an item with fewer rounds
    keeps its last state, and an item with no rounds has not met."""
    rounds = max((len(item) for item in items), default=0)
    if rounds == 0:
        return []
    first_met = [next((r for r, met in enumerate(item) if met), None) for item in items]
    return [sum(1 for first in first_met if first is not None and first <= r) / len(items)
            for r in range(rounds)]


@dataclass(frozen=True)
class StepConvergence:
    step: Step
    items: int
    shares: tuple[float, ...]  # share of the step's items at consensus after round 1, 2, ...


@dataclass(frozen=True)
class WorkshopConvergence:
    steps: tuple[StepConvergence, ...]  # mission, expectations, solutions; pacing has no ratings
    overall: tuple[float, ...]  # every item of those steps; a step with fewer rounds carries on


@kept
def workshop_convergence(session: Session, workshop_id: int) -> WorkshopConvergence:
    """How much of each step is at consensus, round by round, from the rows the workshop's views
    share (``models.rows``).

    Mission: one item whose rounds are the drafts (met when the rule is met or the draft was
    adopted). Expectations: one item per measure, with a single round (met when agreed).
    Solutions: one item per topic whose rounds are its proposals; an agreed topic counts as met
    from its last round on (from a round of its own when it was agreed without one).
    A workshop that does not exist has no steps.
    """
    workshop = workshop_row(session, workshop_id)
    if workshop is None:
        return WorkshopConvergence(steps=(), overall=())
    series = {Step.MISSION: _mission_series(session, workshop),
              Step.EXPECTATIONS: _measure_series(session, workshop_id),
              Step.SOLUTIONS: _topic_series(session, workshop)}
    steps = tuple(StepConvergence(step=step, items=len(items),
                                  shares=tuple(consensus_share_by_round(items)))
                  for step, items in series.items())
    every_item = [item for items in series.values() for item in items]
    return WorkshopConvergence(steps=steps, overall=tuple(consensus_share_by_round(every_item)))


def _met(workshop: Workshop, values: list[int]) -> bool:
    return verdict(values, min_support=workshop.rule_min_support,
                   block_from=workshop.rule_block_from).met


def _mission_series(session: Session, workshop: Workshop) -> list[list[bool]]:
    return [[draft.adopted_at is not None or _met(workshop, [r.value for r in ratings])
             for draft, ratings in workshop_drafts(session, workshop.id)]]


def _measure_series(session: Session, workshop_id: int) -> list[list[bool]]:
    return [[measure.status == ItemStatus.AGREED]
            for measure in workshop_measures(session, workshop_id)]


def _topic_series(session: Session, workshop: Workshop) -> list[list[bool]]:
    outcomes = topic_outcomes(session, workshop.id)
    rounds: dict[int, list[bool]] = {outcome.topic.id: [] for outcome in outcomes}
    for tally in workshop_rounds(session, workshop.id):
        rounds[tally.topic_id].append(_tally_met(workshop, tally))
    for outcome in outcomes:
        if outcome.agreed:
            rounds[outcome.topic.id][-1:] = [True]
    return list(rounds.values())


def _tally_met(workshop: Workshop, tally: RoundTally) -> bool:
    """The decision rule on a round counted by the database, without a value per rating."""
    return Verdict(count=tally.ratings, support=tally.support, blocks=tally.blocks,
                   min_support=workshop.rule_min_support,
                   block_from=workshop.rule_block_from).met


# --- balance of wins -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SettledStance:
    partner_id: int
    weight: int  # 1-5
    opening_number: float | None
    opening_option: str | None


@dataclass(frozen=True)
class SettledTopic:
    topic_id: int
    title: str
    kind: TopicKind
    lower: float | None
    upper: float | None
    agreed_number: float | None
    agreed_option: str | None
    stances: tuple[SettledStance, ...]  # flex stances only: a fixed partner did not move


@dataclass(frozen=True)
class Movement:
    partner_id: int
    topic_id: int
    title: str
    moved: float  # numeric: share of the topic's range; options: 0.0 kept, 1.0 gave way
    weight: int
    weighted: float  # moved * weight / 5


@kept
def settled_topics(session: Session, workshop_id: int) -> list[SettledTopic]:
    """Agreed numeric and options topics, with each flex partner's preferred value as where it
    opened: one query of its own besides the workshop's shared rows."""
    agreed = [item for item in topic_outcomes(session, workshop_id)
              if item.agreed and item.topic.kind in (TopicKind.NUMERIC, TopicKind.OPTIONS)]
    stances = session.exec(  # columns, not rows to track: thousands at a large workshop
        select(Stance.topic_id, Stance.partner_id, Stance.weight, Stance.preferred_value,
               Stance.preferred_option).join(Partner, Partner.id == Stance.partner_id)
        .where(col(Stance.topic_id).in_([item.topic.id for item in agreed]),
               Stance.kind == StanceKind.FLEX)
        .order_by(Partner.position, Partner.id)).all()
    opened: dict[int, list[SettledStance]] = {}
    for topic_id, partner_id, weight, number, option in stances:
        opened.setdefault(topic_id, []).append(SettledStance(
            partner_id=partner_id, weight=weight, opening_number=number,
            opening_option=option))
    return [SettledTopic(
        topic_id=item.topic.id, title=item.topic.title, kind=item.topic.kind,
        lower=item.topic.lower_bound, upper=item.topic.upper_bound,
        agreed_number=item.agreement.value_number, agreed_option=item.agreement.value_option,
        stances=tuple(opened.get(item.topic.id, ()))) for item in agreed]


def balance_of_wins(topics: Sequence[SettledTopic]) -> dict[int, list[Movement]]:
    """How far each partner moved from where it opened, topic by topic, weighted by how much
    the topic matters to it. Keyed by partner id in ascending order, so the order the stances
    come in does not matter; a stance whose movement cannot be measured is left out."""
    wins: dict[int, list[Movement]] = {}
    for topic in topics:
        for stance in topic.stances:
            moved = _moved(topic, stance)
            if moved is None:
                continue
            wins.setdefault(stance.partner_id, []).append(Movement(
                partner_id=stance.partner_id, topic_id=topic.topic_id, title=topic.title,
                moved=moved, weight=stance.weight, weighted=moved * stance.weight / MAX_WEIGHT))
    return dict(sorted(wins.items()))


def given_by_partner(wins: Mapping[int, Sequence[Movement]]) -> dict[int, float]:
    """Each partner's weighted movements added up: how much it gave over the whole workshop."""
    return {partner_id: math.fsum(m.weighted for m in movements)
            for partner_id, movements in wins.items()}


def _moved(topic: SettledTopic, stance: SettledStance) -> float | None:
    if topic.kind == TopicKind.NUMERIC:
        if (topic.agreed_number is None or stance.opening_number is None
                or topic.lower is None or topic.upper is None or not topic.upper > topic.lower):
            return None
        return abs(topic.agreed_number - stance.opening_number) / (topic.upper - topic.lower)
    if topic.kind == TopicKind.OPTIONS:
        if topic.agreed_option is None or stance.opening_option is None:
            return None
        return 0.0 if stance.opening_option == topic.agreed_option else 1.0
    return None
