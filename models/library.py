"""The libraries that ship in seeds/: topics, fixed rules, measures and step guidance.

Each file is validated on load, so a mistake in a seed file fails loudly in the tests, not in
front of a room.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from models.schema import Direction, RuleKind, TopicKind

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

CATEGORIES = (
    "clinical workflow",
    "record sharing and consent",
    "billing and finance",
    "staffing and supervision",
    "space and scheduling",
    "governance",
    "quality and reporting",
)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LibraryTopic(_Entry):
    key: str
    title: str
    category: str
    description: str
    kind: TopicKind
    unit: str = ""
    lower_bound: float | None = None
    upper_bound: float | None = None
    options: list[str] = []
    typical_flex: str = ""
    usual_constraints: list[str] = []

    @model_validator(mode="after")
    def _shape(self) -> LibraryTopic:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.key}: unknown category {self.category!r}")
        if self.kind == TopicKind.NUMERIC and not (
            self.lower_bound is not None and self.upper_bound is not None
            and self.lower_bound < self.upper_bound
        ):
            raise ValueError(f"{self.key}: a numeric topic needs lower_bound < upper_bound")
        if self.kind == TopicKind.OPTIONS and len(set(self.options)) < 2:
            raise ValueError(f"{self.key}: an options topic needs at least two options")
        return self


class LibraryConstraint(_Entry):
    key: str
    title: str
    kind: RuleKind
    citation: str
    explanation: str
    allows: str = ""


class LibraryMeasure(_Entry):
    key: str
    name: str
    kind: str
    definition: str
    data_source: str
    unit: str
    direction: Direction
    frequency: str
    plausible_min: float | None = None
    plausible_max: float | None = None
    nqf_or_steward: str = ""


class StepGuidance(_Entry):
    key: str
    title: str
    purpose: str
    questions: list[str]


def _load(name: str, section: str) -> list[dict]:
    return yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))[section]


def _unique(entries: list) -> dict:
    by_key = {entry.key: entry for entry in entries}
    if len(by_key) != len(entries):
        raise ValueError("duplicate keys in a seed library")
    return by_key


@cache
def topics() -> dict[str, LibraryTopic]:
    return _unique([LibraryTopic(**item) for item in _load("topics.yaml", "topics")])


@cache
def constraints() -> dict[str, LibraryConstraint]:
    return _unique([LibraryConstraint(**item) for item in _load("constraints.yaml", "constraints")])


@cache
def measures() -> dict[str, LibraryMeasure]:
    return _unique([LibraryMeasure(**item) for item in _load("measures.yaml", "measures")])


@cache
def guidance() -> dict[str, StepGuidance]:
    return _unique([StepGuidance(**item) for item in _load("guidance.yaml", "steps")])
