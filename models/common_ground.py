"""Where the partners' acceptable ranges meet, without ever revealing a private limit.

For a numeric topic the common ground is the intersection of every flex partner's acceptable
range and every fixed rule's bounds; the fair point is the partners' preferred values averaged by
how much the topic matters to each (its weight), then moved inside the common ground. For an
options topic it is the options every partner can accept and every rule allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from models.schema import FixedConstraint, Stance, StanceKind, Topic, TopicKind


@dataclass(frozen=True)
class CommonGround:
    """``exists`` is None when too little is known (fewer than two partners have a stance)."""

    exists: bool | None
    fair_point: float | None = None
    fair_option: str | None = None
    # The bounds of the overlap, given only when no partner's limit is private.
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()


def common_ground(topic: Topic, stances: Sequence[Stance],
                  rules: Sequence[FixedConstraint]) -> CommonGround:
    if len(stances) < 2:
        return CommonGround(exists=None)
    if topic.kind == TopicKind.NUMERIC:
        return _numeric(topic, stances, rules)
    if topic.kind == TopicKind.OPTIONS:
        return _options(topic, stances, rules)
    return CommonGround(exists=None)


def _numeric(topic: Topic, stances: Sequence[Stance],
             rules: Sequence[FixedConstraint]) -> CommonGround:
    low, high = topic.lower_bound, topic.upper_bound
    flex = [s for s in stances if s.kind == StanceKind.FLEX]
    for stance in flex:
        low = max(low, stance.accept_min if stance.accept_min is not None else low)
        high = min(high, stance.accept_max if stance.accept_max is not None else high)
    for rule in rules:
        low = max(low, rule.allowed_min if rule.allowed_min is not None else low)
        high = min(high, rule.allowed_max if rule.allowed_max is not None else high)
    if low > high:
        return CommonGround(exists=False)
    preferred = [(s.preferred_value, s.weight) for s in flex if s.preferred_value is not None]
    total = sum(weight for _, weight in preferred)
    centre = (math.fsum(value * weight for value, weight in preferred) / total if total
              else (low + high) / 2)
    private = any(s.limit_private for s in flex)
    if low <= centre <= high:
        fair: float | None = centre
    elif not private:
        fair = min(max(centre, low), high)
    else:
        # Clamping would put the point on an edge of the overlap, which may be someone's
        # private limit; the middle of the overlap pins down no single limit.
        fair = (low + high) / 2 if low < high else None
    return CommonGround(exists=True, fair_point=fair, low=None if private else low,
                        high=None if private else high)


def _options(topic: Topic, stances: Sequence[Stance],
             rules: Sequence[FixedConstraint]) -> CommonGround:
    allowed = set(topic.options)
    flex = [s for s in stances if s.kind == StanceKind.FLEX]
    for stance in flex:
        if stance.acceptable_options:
            allowed &= set(stance.acceptable_options)
    for rule in rules:
        if rule.allowed_options:
            allowed &= set(rule.allowed_options)
    if not allowed:
        return CommonGround(exists=False)
    in_order = tuple(option for option in topic.options if option in allowed)
    weights = {option: sum(s.weight for s in flex if s.preferred_option == option)
               for option in in_order}
    fair = max(in_order, key=lambda option: (weights[option], -in_order.index(option)))
    private = any(s.limit_private for s in flex)
    return CommonGround(exists=True, fair_option=fair, options=() if private else in_order)
