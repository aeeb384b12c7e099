"""Compromises the room can be offered: for one open topic a value every partner can accept and
every fixed rule allows, and for several open topics package deals in which each partner gives
where the topic matters least to it and gains where it matters most.

A partner's satisfaction with a value runs from 0 (the far end of what it can accept) to 1 (what
it prefers). Private limits are used here to judge values but never written into a sentence; no
suggested value sits exactly on a private limit that nobody has made public, nor at a point the
room could work such a limit back from (a middle, a known share of the way). Note for pages:
on one numeric topic a partner's exact satisfaction, its preferred value and the value together
give away its limit, so show satisfaction coarsely (a bar, a word), not as a precise figure.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import count

from sqlmodel import Session, col, select

from models import steps
from models.common_ground import common_ground
from models.kept import kept
from models.rows import topic_outcomes
from models.rules import Offer, broken_rules, offer_problem
from models.schema import (
    Agreement,
    FixedConstraint,
    Outcome,
    Partner,
    Stance,
    StanceKind,
    Step,
    Topic,
    TopicKind,
)

TOLERANCE = 1e-9
BALANCED = "Balanced"

Value = tuple[float | None, str | None]  # (number, option), as a package holds it per topic


@dataclass(frozen=True)
class Suggestion:
    topic_id: int
    number: float | None
    option: str | None
    why: str  # one plain sentence for the wall; never holds a limit
    satisfaction: Mapping[int, float]  # partner id -> 0..1, for every partner with a stance


@dataclass(frozen=True)
class TopicInput:
    """An open topic with everything needed to judge a value for it."""

    topic: Topic
    stances: tuple[Stance, ...]
    rules: tuple[FixedConstraint, ...]


@dataclass(frozen=True)
class Package:
    label: str
    values: Mapping[int, Value]  # topic id -> (number, option)
    satisfaction: Mapping[int, float]  # partner id -> mean over the topics, weighted by its weights
    worst: float  # the least content partner's satisfaction


# --- how content a partner is with a value ------------------------------------------------------


def satisfaction(topic: Topic, stance: Stance, rules_of_partner: Sequence[FixedConstraint], *,
                 number: float | None = None, option: str | None = None) -> float | None:
    """How content a partner is with a value, from 0 to 1; None when it cannot accept it."""
    if topic.kind == TopicKind.TEXT:
        return None  # free text cannot be judged by the app
    offer = Offer(number=number, option=option)
    if offer_problem(topic, offer) or broken_rules(topic, offer, rules_of_partner):
        return None
    if stance.kind == StanceKind.FIXED:
        return 1.0
    if topic.kind == TopicKind.NUMERIC:
        return _number_satisfaction(topic, stance, number)
    return _option_satisfaction(stance, option)


def _number_satisfaction(topic: Topic, stance: Stance, number: float) -> float | None:
    low, high = _acceptable_range(topic, stance)
    if not low <= number <= high:
        return None
    if stance.preferred_value is None:
        return 1.0
    preferred = min(max(stance.preferred_value, low), high)
    if number < preferred:
        return (number - low) / (preferred - low)
    if number > preferred:
        return (high - number) / (high - preferred)
    return 1.0


def _option_satisfaction(stance: Stance, option: str) -> float | None:
    if stance.acceptable_options and option not in stance.acceptable_options:
        return None
    return 1.0 if option == stance.preferred_option else 0.5


def _acceptable_range(topic: Topic, stance: Stance) -> tuple[float, float]:
    low = stance.accept_min if stance.accept_min is not None else topic.lower_bound
    high = stance.accept_max if stance.accept_max is not None else topic.upper_bound
    return low, high


def _satisfactions(topic: Topic, stances: Sequence[Stance], rules: Sequence[FixedConstraint],
                   value: Value) -> dict[int, float] | None:
    """Every partner's satisfaction with a value, or None when one cannot accept it or any
    fixed rule on the topic forbids it."""
    number, option = value
    if broken_rules(topic, Offer(number=number, option=option), rules):
        return None
    scores = {}
    for stance in stances:
        own_rules = [rule for rule in rules if rule.stance_id == stance.id]
        score = satisfaction(topic, stance, own_rules, number=number, option=option)
        if score is None:
            return None
        scores[stance.partner_id] = score
    return scores


def _weighted_mean(pairs: Iterable[tuple[int, float]]) -> float:
    """The mean of (weight, satisfaction) pairs; fsum keeps it independent of their order."""
    pairs = list(pairs)
    return math.fsum(weight * score for weight, score in pairs) / sum(w for w, _ in pairs)


# --- one topic -----------------------------------------------------------------------------------


def suggest(topic: Topic, stances: Sequence[Stance],
            rules: Sequence[FixedConstraint]) -> Suggestion | None:
    """A compromise for one topic inside every partner's acceptable range and every fixed rule;
    None when there is none, or too little to go on (free text, fewer than two partners)."""
    if len({stance.partner_id for stance in stances}) < 2:
        return None
    if topic.kind == TopicKind.NUMERIC:
        return _suggest_number(topic, stances, rules)
    if topic.kind == TopicKind.OPTIONS:
        return _suggest_option(topic, stances, rules)
    return None


def _suggest_number(topic: Topic, stances: Sequence[Stance],
                    rules: Sequence[FixedConstraint]) -> Suggestion | None:
    # In partner order, so the common ground cannot depend on the order stances arrive in.
    ground = common_ground(topic, sorted(stances, key=lambda s: s.partner_id), rules)
    overlap = _overlap(topic, stances, rules)
    if not ground.exists or ground.fair_point is None or overlap is None:
        return None
    low, high = overlap
    point = ground.fair_point
    if low < high and point in _hidden_limits(topic, stances, rules):
        # The weighted point fell exactly on an edge nobody has made public: it is treated as
        # if it lay outside, with a point the room cannot work back to either end.
        point = low + _unknowable_fraction(topic, stances, "suggestion") * (high - low)
    number = _rounded(topic, point, overlap)
    scores = _satisfactions(topic, stances, rules, (number, None))
    if scores is None:
        return None
    why = "Every partner can accept this value and it breaks no fixed rule"
    if point == _weighted_preference(stances):
        why += "; it weighs each partner's preference by how much the topic matters to it"
    return Suggestion(topic_id=topic.id, number=number, option=None, why=why + ".",
                      satisfaction=scores)


def _suggest_option(topic: Topic, stances: Sequence[Stance],
                    rules: Sequence[FixedConstraint]) -> Suggestion | None:
    ranked = _ranked_options(topic, stances, rules)
    if not ranked:
        return None
    option, scores = ranked[0]
    flex = [stance.partner_id for stance in stances if stance.kind == StanceKind.FLEX]
    if flex and all(scores[partner_id] == 1.0 for partner_id in flex):
        why = "Every partner that can choose prefers this option, and it breaks no fixed rule."
    else:
        why = ("Every partner can accept this option and it breaks no fixed rule; no other such "
               "option leaves the least content partner better off.")
    return Suggestion(topic_id=topic.id, number=None, option=option, why=why,
                      satisfaction=scores)


def _ranked_options(topic: Topic, stances: Sequence[Stance],
                    rules: Sequence[FixedConstraint]) -> list[tuple[str, dict[int, float]]]:
    """The options every partner accepts and every rule allows, best first: the best worst-case
    satisfaction, then the best mean weighted by how much the topic matters, then topic order."""
    weights = {stance.partner_id: stance.weight for stance in stances}
    scored = [(option, scores) for option in topic.options
              if (scores := _satisfactions(topic, stances, rules, (None, option))) is not None]
    return sorted(scored, key=lambda pair: (
        -min(pair[1].values()),
        -_weighted_mean((weights[partner_id], score) for partner_id, score in pair[1].items())))


def _overlap(topic: Topic, stances: Sequence[Stance],
             rules: Sequence[FixedConstraint]) -> tuple[float, float] | None:
    """Where every flex range and every rule's bounds meet (the same ground as common_ground)."""
    low, high = topic.lower_bound, topic.upper_bound
    for stance in stances:
        if stance.kind == StanceKind.FLEX:
            stance_low, stance_high = _acceptable_range(topic, stance)
            low, high = max(low, stance_low), min(high, stance_high)
    for rule in rules:
        low = max(low, rule.allowed_min) if rule.allowed_min is not None else low
        high = min(high, rule.allowed_max) if rule.allowed_max is not None else high
    return (low, high) if low <= high else None


def _hidden_limits(topic: Topic, stances: Sequence[Stance],
                   rules: Sequence[FixedConstraint]) -> set[float]:
    """Private limits that no public value (a topic bound, a rule's bound, a public limit)
    happens to share: a value sitting exactly there would give the limit away."""
    public = {topic.lower_bound, topic.upper_bound}
    public |= {bound for rule in rules for bound in (rule.allowed_min, rule.allowed_max)}
    private: set[float | None] = set()
    for stance in stances:
        if stance.kind == StanceKind.FLEX:
            (private if stance.limit_private else public).update(
                (stance.accept_min, stance.accept_max))
    return {limit for limit in private - public if limit is not None}


def _weighted_preference(stances: Sequence[Stance]) -> float | None:
    pairs = [(stance.weight, stance.preferred_value) for stance in stances
             if stance.kind == StanceKind.FLEX and stance.preferred_value is not None]
    return _weighted_mean(pairs) if pairs else None


def _unknowable_fraction(topic: Topic, stances: Sequence[Stance], purpose: str) -> float:
    """A fraction from 1/4 to 3/4 drawn from a hash of the topic and the positions' versions
    (as the common ground draws its interior point): stable while nobody changes a position,
    and not known to the room, so a point placed with it gives away neither end of a range."""
    versions = ",".join(f"{s.id}.{s.version}" for s in sorted(stances, key=lambda s: s.partner_id))
    digest = hashlib.sha256(f"{purpose}:{topic.id}:{versions}".encode()).hexdigest()
    return 0.25 + 0.5 * int(digest[:8], 16) / 0xFFFFFFFF


def _digits(topic: Topic) -> int:
    """Tenths on a short scale (up to 20 units), whole numbers on a longer one."""
    return 1 if topic.upper_bound - topic.lower_bound <= 20 else 0


def _rounded(topic: Topic, point: float, overlap: tuple[float, float]) -> float:
    """The point rounded half up for the wall, unless rounding would leave the inside of the
    overlap (an edge may be somebody's private limit)."""
    step = Decimal(1).scaleb(-_digits(topic))
    rounded = float(Decimal(str(point)).quantize(step, rounding=ROUND_HALF_UP))
    low, high = overlap
    return rounded if low < rounded < high else point


# --- several topics ------------------------------------------------------------------------------


def package_deals(topics: Sequence[TopicInput], *, limit: int = 3,
                  suggestions: Mapping[int, Suggestion | None] | None = None) -> list[Package]:
    """Up to ``limit`` packages over the open topics that have a suggestion, best worst-case
    first, none of them worse for everyone than another one. ``suggestions`` by topic id, if
    the caller has them already (``suggest`` of each topic)."""
    if suggestions is None:
        suggestions = {item.topic.id: suggest(item.topic, item.stances, item.rules)
                       for item in topics}
    settled = [(item, suggestion) for item in topics
               if (suggestion := suggestions[item.topic.id]) is not None]
    totals: dict[int, int] = {}
    for item, _ in settled:
        for stance in item.stances:
            totals[stance.partner_id] = totals.get(stance.partner_id, 0) + stance.weight
    balanced = {item.topic.id: (s.number, s.option) for item, s in settled}
    traded = {item.topic.id: _traded(item, s, totals) for item, s in settled}
    halfway = {item.topic.id: _halfway(item, balanced[item.topic.id], traded[item.topic.id])
               for item, _ in settled}
    packages: list[Package] = []
    for label, values in ((BALANCED, balanced), ("Trade", traded), ("Trade", halfway)):
        package = evaluate_package(topics, values, label)
        if package is not None and all(package.values != p.values for p in packages):
            packages.append(package)
    kept = [p for p in packages if not any(better_for_everyone(q, p) for q in packages)]
    kept.sort(key=lambda p: (-p.worst, -math.fsum(p.satisfaction.values())))
    return _numbered(kept[:max(limit, 0)])


def _traded(item: TopicInput, suggestion: Suggestion, totals: Mapping[int, int]) -> Value:
    """The topic moved toward the partner for whom it matters most, relative to its other
    topics: to its preferred value or option if every partner can accept it, else as far as the
    common ground allows (part of the way to an edge that is a private limit). Unmoved when two
    partners tie for most, or when the one who cares most is bound by a rule (it prefers
    nothing)."""
    balanced = (suggestion.number, suggestion.option)
    leader = _leader(item.stances, totals)
    if leader is None:
        return balanced
    if item.topic.kind == TopicKind.NUMERIC:
        if leader.preferred_value is None:
            return balanced
        return _toward(item, suggestion.number, leader.preferred_value), None
    ranked = _ranked_options(item.topic, item.stances, item.rules)
    best = max(ranked, key=lambda pair: pair[1][leader.partner_id])  # first of equals wins
    return None, best[0]


def _leader(stances: Sequence[Stance], totals: Mapping[int, int]) -> Stance | None:
    share = {stance.partner_id: Fraction(stance.weight, totals[stance.partner_id])
             for stance in stances}
    top = max(share.values())
    leaders = [stance for stance in stances if share[stance.partner_id] == top]
    return leaders[0] if len(leaders) == 1 else None


def _toward(item: TopicInput, balanced: float, preferred: float) -> float:
    overlap = _overlap(item.topic, item.stances, item.rules)
    target = min(max(preferred, overlap[0]), overlap[1])
    if target not in _hidden_limits(item.topic, item.stances, item.rules):
        return target
    # Stopping at an edge nobody has made public, just short of it, or at a known share of the
    # way there would let the room work the limit out; an unknowable share of the way does not.
    share = _unknowable_fraction(item.topic, item.stances, "trade")
    return _rounded(item.topic, balanced + share * (target - balanced), overlap)


def _halfway(item: TopicInput, balanced: Value, traded: Value) -> Value:
    """Numbers half-way from the balanced value to the traded one; options cannot be halved,
    so an options topic keeps its traded option."""
    if item.topic.kind != TopicKind.NUMERIC or balanced == traded:
        return traded
    overlap = _overlap(item.topic, item.stances, item.rules)
    return _rounded(item.topic, (balanced[0] + traded[0]) / 2, overlap), None


def _numbered(packages: list[Package]) -> list[Package]:
    numbers = count(1)
    return [p if p.label == BALANCED else replace(p, label=f"Trade {next(numbers)}")
            for p in packages]


def evaluate_package(topics: Sequence[TopicInput], values: Mapping[int, Value],
                     label: str = "Proposed") -> Package | None:
    """Each partner's satisfaction with a set of values (topic id -> (number, option)), over the
    numeric and options topics among ``topics`` that the values name. None when any value is
    unacceptable to any partner or breaks a fixed rule, or when no topic could be judged."""
    judged: dict[int, Value] = {}
    per_partner: dict[int, list[tuple[int, float]]] = {}
    for item in topics:
        if item.topic.id not in values or item.topic.kind == TopicKind.TEXT:
            continue
        scores = _satisfactions(item.topic, item.stances, item.rules, values[item.topic.id])
        if scores is None:
            return None
        judged[item.topic.id] = values[item.topic.id]
        for stance in item.stances:
            per_partner.setdefault(stance.partner_id, []).append(
                (stance.weight, scores[stance.partner_id]))
    if not per_partner:
        return None
    means = {partner_id: _weighted_mean(pairs) for partner_id, pairs in per_partner.items()}
    return Package(label=label, values=judged, satisfaction=means, worst=min(means.values()))


def better_for_everyone(proposed: Package, baseline: Package) -> bool:
    """Nobody is worse off with the proposal and at least one partner is better off."""
    if set(proposed.satisfaction) != set(baseline.satisfaction):
        return False
    gains = [proposed.satisfaction[p] - baseline.satisfaction[p] for p in baseline.satisfaction]
    return all(gain >= -TOLERANCE for gain in gains) and any(gain > TOLERANCE for gain in gains)


# --- reading the open topics ---------------------------------------------------------------------


@kept
def open_topic_inputs(session: Session, workshop_id: int,
                      topic_id: int | None = None) -> list[TopicInput]:
    """Every topic of the workshop not yet agreed, or only the one given if it is open, with its
    stances (in partner order) and the rules of its fixed stances; two queries however many
    topics there are, besides the workshop's shared rows."""
    agreed = select(Agreement.topic_id).where(Agreement.outcome == Outcome.AGREED)
    is_open = (Topic.workshop_id == workshop_id, col(Topic.id).not_in(agreed),
               *(() if topic_id is None else (Topic.id == topic_id,)))
    topics = [item.topic for item in topic_outcomes(session, workshop_id)
              if not item.agreed and topic_id in (None, item.topic.id)]
    if not topics:
        return []
    # Stances and rules as plain rows, not objects the session tracks: a large workshop has
    # thousands, and they are only read.
    stances = session.execute(select(Stance.__table__)
                              .join(Partner, Partner.id == Stance.partner_id)
                              .join(Topic, Topic.id == Stance.topic_id).where(*is_open)
                              .order_by(Partner.position, Partner.id)).all()
    rules = session.execute(select(FixedConstraint.__table__)
                            .join(Stance, Stance.id == FixedConstraint.stance_id)
                            .join(Topic, Topic.id == Stance.topic_id)
                            .where(*is_open, Stance.kind == StanceKind.FIXED)
                            .order_by(FixedConstraint.id)).all()
    topic_of_stance = {stance.id: stance.topic_id for stance in stances}
    stances_of: dict[int, list[Stance]] = {}
    for stance in stances:
        stances_of.setdefault(stance.topic_id, []).append(stance)
    rules_of: dict[int, list[FixedConstraint]] = {}
    for rule in rules:
        rules_of.setdefault(topic_of_stance[rule.stance_id], []).append(rule)
    return [TopicInput(topic=topic, stances=tuple(stances_of.get(topic.id, ())),
                       rules=tuple(rules_of.get(topic.id, ())))
            for topic in topics]


# --- what the room may see ---------------------------------------------------------------------

SATISFACTION_WORDS = ((0.75, "very content"), (0.5, "content"), (0.25, "lukewarm"),
                      (0.0, "reluctant"))


def satisfaction_words(value: float) -> str:
    """Satisfaction as the room hears it: a word, never the exact figure, which together with a
    preferred value could be worked back to a private limit."""
    return next(word for floor, word in SATISFACTION_WORDS if value >= floor)


@kept
def topic_suggestion(session: Session, workshop_id: int, topic_id: int) -> Suggestion | None:
    """The compromise to show next to one of the workshop's open topics, once the partners'
    positions are revealed."""
    if not steps.is_revealed(session, workshop_id, Step.SOLUTIONS):
        return None
    items = open_topic_inputs(session, workshop_id, topic_id)
    return suggest(items[0].topic, items[0].stances, items[0].rules) if items else None


@dataclass(frozen=True)
class PackageOffer:
    """Package deals over the open topics, with a balanced package to compare them against."""

    topics: tuple[Topic, ...]
    packages: tuple[Package, ...]
    balanced: Package | None


@kept
def workshop_packages(session: Session, workshop_id: int, *, limit: int = 3) -> PackageOffer:
    if not steps.is_revealed(session, workshop_id, Step.SOLUTIONS):
        return PackageOffer(topics=(), packages=(), balanced=None)
    items = open_topic_inputs(session, workshop_id)
    suggestions = {i.topic.id: suggest(i.topic, i.stances, i.rules) for i in items}
    balanced = evaluate_package(items, {tid: (s.number, s.option)
                                        for tid, s in suggestions.items() if s is not None},
                                label=BALANCED)
    return PackageOffer(topics=tuple(i.topic for i in items if suggestions[i.topic.id]),
                        packages=tuple(package_deals(items, limit=limit,
                                                     suggestions=suggestions)),
                        balanced=balanced)
