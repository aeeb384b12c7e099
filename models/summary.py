"""The agreed summary: what the workshop settled, what is still open, and the version that a
leader's sign-off belongs to.

Everything here is what the room agreed and saw: no private limit, no pre-work that was never
revealed. The version is derived from the content, so any change makes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.convergence import WorkshopConvergence


@dataclass(frozen=True)
class PartnerLine:
    id: int
    name: str
    kind: str          # behavioral_health | primary_care | other
    colour: str
    people: tuple[str, ...]          # "Name, role"


@dataclass(frozen=True)
class MeasureLine:
    name: str
    definition: str
    data_source: str
    unit: str
    direction: str                   # higher_is_better | lower_is_better
    baseline: str                    # "28 % on 30 Sep 2026" or "Plan: … by 22 Jan 2027"
    target: str                      # "45 %"
    frequency: str
    owner: str                       # partner name and/or person
    pilot: str                       # "scope, 1 Feb 2027 to 31 Jul 2027" or ""
    reevaluation: date | None


@dataclass(frozen=True)
class ShareLine:
    partner: str
    gave: str
    gained: str


@dataclass(frozen=True)
class SolutionLine:
    topic: str
    category: str
    outcome: str                     # agreed | parked | escalated | no_agreement | open
    value: str                       # the agreed value in words, or ""
    note: str
    rules_honoured: tuple[str, ...]  # "Partner: Rule title (citation)"
    shares: tuple[ShareLine, ...]


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    kind: str
    due_on: date
    slack_days: int
    owner: str
    demand_hours: float


@dataclass(frozen=True)
class CapacityLine:
    partner: str
    month: date
    hours: float
    unavailable: bool
    note: str


@dataclass(frozen=True)
class OpenItem:
    step: str                        # "Shared mission" | "Expectations" | "Shared solutions"
    item: str
    state: str                       # e.g. "parked", "escalated", "no agreement", "not agreed"
    note: str


@dataclass(frozen=True)
class Summary:
    workshop_id: int
    name: str
    held_on: date
    partners: tuple[PartnerLine, ...]
    decision_rule: str               # the rule in one sentence
    mission: str                     # the adopted joint mission, or ""
    mission_override: str            # the reason, when adopted without meeting the rule
    measures: tuple[MeasureLine, ...]        # status agreed
    solutions: tuple[SolutionLine, ...]      # outcome agreed
    milestones: tuple[MilestoneLine, ...]
    capacity: tuple[CapacityLine, ...]       # revealed only
    checkin_every_weeks: int | None
    early_wins: tuple[str, ...]
    open_items: tuple[OpenItem, ...]
    convergence: WorkshopConvergence
    version: str                     # content-derived, 12 hex characters
    made_at: datetime
