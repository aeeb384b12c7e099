"""The rules of the room: the decision rule's verdict on a set of ratings, and whether a proposal
honours every partner's fixed rule. Pure functions over plain values, so they are easy to test
and to reuse in charts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from models.schema import FixedConstraint, Topic, TopicKind

SUPPORT_MAX = 3  # ratings 1-3 are support on the Gradients of Agreement
REASON_FROM = 5  # ratings 5-8 ask for a reason

GRADIENTS: dict[int, str] = {
    1: "Whole-hearted endorsement",
    2: "Agreement with a minor point of contention",
    3: "Support with reservations",
    4: "Abstain",
    5: "More discussion needed",
    6: "Don't like it, but will support it",
    7: "Serious disagreement",
    8: "Block",
}


@dataclass(frozen=True)
class Verdict:
    """What the decision rule says about one set of ratings."""

    count: int
    support: int
    blocks: int
    min_support: float
    block_from: int

    @property
    def support_share(self) -> float:
        return self.support / self.count if self.count else 0.0

    @property
    def met(self) -> bool:
        # Compared in whole ratings, so 3 of 4 meets 75 % without floating-point doubt.
        needed = math.ceil(round(self.min_support * self.count, 9))
        return self.count > 0 and self.blocks == 0 and self.support >= needed

    def sentence(self) -> str:
        if self.count == 0:
            return "No ratings yet."
        share = f"{math.floor(self.support_share * 100 + 0.5)} % support (1 to 3)"
        blocks = ("no blocking ratings" if self.blocks == 0 else
                  f"{self.blocks} rating{'s' if self.blocks != 1 else ''} of "
                  f"{self.block_from} or more")
        outcome = "The decision rule is met." if self.met else "The decision rule is not met yet."
        ratings = "1 rating" if self.count == 1 else f"{self.count} ratings"
        return f"{ratings}: {share}, {blocks}. {outcome}"


def verdict(values: Iterable[int], *, min_support: float, block_from: int) -> Verdict:
    ratings = list(values)
    return Verdict(count=len(ratings), support=sum(1 for v in ratings if v <= SUPPORT_MAX),
                   blocks=sum(1 for v in ratings if v >= block_from), min_support=min_support,
                   block_from=block_from)


def needs_reason(value: int) -> bool:
    return value >= REASON_FROM


@dataclass(frozen=True)
class Offer:
    """A value put on a topic: a proposal, a counter-offer or an agreement."""

    number: float | None = None
    option: str | None = None
    text: str = ""


def offer_problem(topic: Topic, offer: Offer) -> str | None:
    """Why an offer does not fit its topic at all (outside the topic's range, not an option)."""
    if topic.kind == TopicKind.NUMERIC:
        if offer.number is None or not math.isfinite(offer.number):
            return "Please give a number."
        if not topic.lower_bound <= offer.number <= topic.upper_bound:
            return (f"Please give a number from {topic.lower_bound:g} to "
                    f"{topic.upper_bound:g} {topic.unit}".rstrip() + ".")
        return None
    if topic.kind == TopicKind.OPTIONS:
        return None if offer.option in topic.options else "Please choose one of the options."
    return None if offer.text.strip() else "Please write the proposal."


def broken_rules(topic: Topic, offer: Offer,
                 constraints: Sequence[FixedConstraint]) -> list[FixedConstraint]:
    """The fixed rules an offer breaks. Free text cannot be checked by the app: the facilitator
    confirms those rule by rule (see ``unconfirmed_rules``)."""
    return [rule for rule in constraints if _breaks(topic, offer, rule)]


def _breaks(topic: Topic, offer: Offer, rule: FixedConstraint) -> bool:
    if topic.kind == TopicKind.NUMERIC and offer.number is not None:
        below = rule.allowed_min is not None and offer.number < rule.allowed_min
        above = rule.allowed_max is not None and offer.number > rule.allowed_max
        return below or above
    if topic.kind == TopicKind.OPTIONS and rule.allowed_options:
        return offer.option not in rule.allowed_options
    return False


def unconfirmed_rules(topic: Topic, constraints: Sequence[FixedConstraint],
                      confirmed_ids: Iterable[int]) -> list[FixedConstraint]:
    """On a free-text topic, the rules the facilitator has not yet confirmed a proposal honours."""
    if topic.kind != TopicKind.TEXT:
        return []
    confirmed = set(confirmed_ids)
    return [rule for rule in constraints if rule.id not in confirmed]


def describe_rule(rule: FixedConstraint, topic: Topic) -> str:
    """What a fixed rule allows on its topic, in a sentence for the wall."""
    if topic.kind == TopicKind.NUMERIC and (rule.allowed_min is not None
                                            or rule.allowed_max is not None):
        unit = f" {topic.unit}" if topic.unit else ""
        if rule.allowed_min is not None and rule.allowed_max is not None:
            return f"allows {rule.allowed_min:g} to {rule.allowed_max:g}{unit}"
        if rule.allowed_min is not None:
            return f"allows at least {rule.allowed_min:g}{unit}"
        return f"allows at most {rule.allowed_max:g}{unit}"
    if topic.kind == TopicKind.OPTIONS and rule.allowed_options:
        return "allows only: " + "; ".join(rule.allowed_options)
    return rule.allows_text or "must be honoured as written"
