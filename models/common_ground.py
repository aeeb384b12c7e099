"""Where the partners' acceptable ranges meet, without ever revealing a private limit.

For a numeric topic the common ground is the intersection of every flex partner's acceptable
range and every fixed rule's bounds; the fair point is the partners' preferred values averaged by
how much the topic matters to each (its weight), then moved inside the common ground. For an
options topic it is the options every partner can accept and every rule allows.
"""

from __future__ import annotations

import hashlib
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
    private = any(s.limit_private for s in flex)
    centre = math.fsum(value * weight for value, weight in preferred) / total if total else None
    if private and low == high:
        fair: float | None = None  # the single meeting point is two partners' limits
    elif centre is not None and low <= centre <= high:
        fair = centre  # a function of preferences and weights only: no limit in it
    elif not private:
        fair = min(max(centre, low), high) if centre is not None else (low + high) / 2
    else:
        fair = _interior_point(topic, flex, low, high)
    return CommonGround(exists=True, fair_point=fair, low=None if private else low,
                        high=None if private else high)


def _interior_point(topic: Topic, flex: Sequence[Stance], low: float,
                    high: float) -> float | None:
    """A point inside the overlap that gives away no private limit.

    Any point computed from the overlap's ends (its middle, an edge) can be worked back to a
    limit once one end is public. So the point sits at a fraction of the overlap that the room
    cannot know: drawn from a hash of the topic and the stances' versions, stable while nobody
    changes a position. It tells the room only what any proposal inside the ranges tells it.
    A one-point overlap gives no point at all, since that point would be two partners' limits.
    """
    if low >= high:
        return None
    seed = f"{topic.id}:" + ",".join(f"{s.id}.{s.version}"
                                     for s in sorted(flex, key=lambda s: s.id or 0))
    fraction = 0.25 + 0.5 * int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return low + fraction * (high - low)


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
