"""Large workshops for the benchmark, built through the app's own model functions (validation,
version checks and audit events included), as a facilitator and partners would build them.

The reference size is a state-wide program: 8 partners, 150 topics with 12 rounds of ratings
each, 60 measures, 80 milestones and 24 months of capacity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from models import expectations, mission, pacing, setup, solutions, steps
from models.db import make_engine, writing
from models.palette import PARTNER_COLOURS
from models.schema import Outcome, Partner, PartnerKind, Step
from models.startup import prepare

ACTOR = "benchmark"
PASSWORD = "a long benchmark password"
KINDS = (PartnerKind.BEHAVIORAL_HEALTH, PartnerKind.PRIMARY_CARE, PartnerKind.OTHER)


@dataclass(frozen=True)
class Size:
    partners: int = 8
    topics: int = 150
    rounds: int = 12
    measures: int = 60
    milestones: int = 80
    months: int = 24

    @property
    def label(self) -> str:
        return (f"{self.partners} partners, {self.topics} topics × {self.rounds} rounds, "
                f"{self.measures} measures, {self.milestones} milestones, "
                f"{self.months} months")


REFERENCE = Size()


@dataclass(frozen=True)
class Built:
    workshop_id: int
    partner_ids: list[int]


def build(engine: Engine, size: Size = REFERENCE, seed: int = 7) -> Built:
    """One workshop of ``size`` in a migrated database, every step revealed and in progress."""
    rng = random.Random(seed)
    with writing(engine) as session:
        workshop = setup.create_workshop(
            session, actor=ACTOR,
            workshop={"name": f"State program, {size.topics} topics", "held_on": date(2027, 1, 12)},
            partners=[{"name": f"Partner {i + 1} of the program", "kind": KINDS[i % len(KINDS)],
                       "colour": list(PARTNER_COLOURS.values())[i % len(PARTNER_COLOURS)]}
                      for i in range(size.partners)])
        workshop_id = workshop.id
        partner_ids = list(session.exec(select(Partner.id).where(
            Partner.workshop_id == workshop_id).order_by(Partner.position)).all())
        setup.set_decision_rule(session, workshop_id=workshop_id, actor=ACTOR,
                                expected_version=workshop.version,
                                data={"min_support_percent": 75, "block_from": 7,
                                      "ratings_by": "partner"})
    with writing(engine) as session:
        _missions(session, workshop_id, partner_ids)
        _expectations(session, workshop_id, partner_ids, size, rng)
        _pacing(session, workshop_id, partner_ids, size, rng)
    for first in range(0, size.topics, 10):
        with writing(engine) as session:
            for number in range(first, min(first + 10, size.topics)):
                _topic(session, workshop_id, partner_ids, number, size, rng)
    with writing(engine) as session:
        for step in Step:
            steps.reveal(session, workshop_id=workshop_id, step=step, actor=ACTOR)
    return Built(workshop_id, partner_ids)


def database(folder: Path, size: Size = REFERENCE) -> tuple[Engine, Built]:
    """A new SQLite file in ``folder`` holding one workshop of ``size``."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{folder / f'bench-{size.topics}.db'}")
    prepare(engine, facilitator_password=PASSWORD)  # as the app's first start: demo, account
    return engine, build(engine, size)


def _missions(session, workshop_id: int, partner_ids: list[int]) -> None:
    for number, partner_id in enumerate(partner_ids, start=1):
        mission.save_partner_mission(session, partner_id=partner_id, expected_version=None,
                                     actor=ACTOR, data={
                                         "mission": f"Partner {number} serves its county with "
                                                    "whole-person care close to home.",
                                         "values": "Access, dignity, stewardship.",
                                         "brings": "Staff, rooms and data.",
                                         "needs": "Referrals that arrive with context."})
    for text in ("Together we give every person in the state care for body and mind.",
                 "Together we give every person care for body and mind, close to home."):
        draft = mission.add_draft(session, workshop_id=workshop_id, actor=ACTOR,
                                  data={"text": text})
        mission.record_draft_ratings(session, workshop_id=workshop_id, draft_id=draft.id,
                                     actor=ACTOR, ratings=[
                                         {"partner_id": pid, "value": 1 + i % 3}
                                         for i, pid in enumerate(partner_ids)])


def _expectations(session, workshop_id: int, partner_ids: list[int], size: Size,
                  rng: random.Random) -> None:
    measure_ids = []
    for number in range(size.measures):
        baseline = rng.randint(10, 60)
        measure = expectations.add_measure(session, workshop_id=workshop_id, actor=ACTOR, data={
            "name": f"Measure {number + 1}: share of shared patients reached",
            "definition": "Patients reached within the period, of all shared patients.",
            "data_source": "Monthly report from the shared registry", "unit": "%",
            "direction": "higher_is_better", "baseline_value": baseline,
            "baseline_date": date(2026, 10, 1), "target_value": baseline + 20,
            "frequency": "monthly", "owner_partner_id": partner_ids[number % len(partner_ids)],
            "pilot_start": date(2027, 3, 1), "pilot_end": date(2027, 8, 31),
            "reevaluation_date": date(2027, 9, 15), "plausible_min": 0, "plausible_max": 100})
        measure_ids.append(measure.id)
    for partner_id in partner_ids:
        for number in range(5):
            result = expectations.add_expected_result(session, partner_id=partner_id,
                                                      actor=ACTOR, data={
                                                          "text": f"Expected result {number + 1}",
                                                          "importance": 1 + number % 5,
                                                          "theme": f"Theme {number + 1}"})
            expectations.link_measure(session, workshop_id=workshop_id, result_id=result.id,
                                      measure_id=rng.choice(measure_ids), was=None, actor=ACTOR)


def _pacing(session, workshop_id: int, partner_ids: list[int], size: Size,
            rng: random.Random) -> None:
    start = date(2027, 1, 1)
    for number in range(size.milestones):
        pacing.add_milestone(session, workshop_id=workshop_id, actor=ACTOR, data={
            "title": f"Milestone {number + 1}", "kind": "other",
            "due_on": start + timedelta(days=9 * number), "slack_days": rng.randint(0, 30),
            "owner_partner_id": partner_ids[number % len(partner_ids)],
            "demand_hours": rng.randint(0, 40)})
    for partner_id in partner_ids:
        for month in pacing.months_from(start, size.months):
            pacing.save_capacity(session, partner_id=partner_id, month=month,
                                 hours=rng.randint(20, 120), unavailable=False, note="",
                                 expected_version=None, actor=ACTOR)
    for number in range(10):
        pacing.add_early_win(session, workshop_id=workshop_id, actor=ACTOR,
                             data={"title": f"Early win {number + 1}",
                                   "target_date": start + timedelta(days=20 * number)})


def _rating(partner_id: int, value: int) -> dict:
    reason = "Not at this staffing level." if value >= 5 else ""
    return {"partner_id": partner_id, "value": value, "reason": reason}


def _topic(session, workshop_id: int, partner_ids: list[int], number: int,
           size: Size, rng: random.Random) -> None:
    topic = setup.add_topic(session, workshop_id=workshop_id, actor=ACTOR, data={
        "title": f"Topic {number + 1}: minutes to a warm hand-off",
        "category": "clinical workflow", "kind": "numeric", "unit": "minutes",
        "lower_bound": 0, "upper_bound": 120,
        "description": "How quickly a behavioral health clinician joins a primary care visit."})
    for partner_id in partner_ids:
        preferred = rng.randint(10, 90)
        solutions.save_flex_stance(session, topic_id=topic.id, partner_id=partner_id,
                                   expected_version=None, actor=ACTOR, data={
                                       "preferred_value": preferred,
                                       "accept_min": max(0, preferred - 20),
                                       "accept_max": min(120, preferred + 20),
                                       "weight": rng.randint(1, 5), "limit_private": True})
    value = 60
    for _ in range(size.rounds):
        proposal = solutions.record_proposal(session, topic_id=topic.id, actor=ACTOR,
                                             data={"number": value})
        solutions.record_round_ratings(session, proposal_id=proposal.id, actor=ACTOR, ratings=[
            _rating(pid, rng.randint(1, 6)) for pid in partner_ids])
        solutions.record_counter_offers(session, proposal_id=proposal.id, actor=ACTOR,
                                        expected_versions={}, offers={
                                            pid: {"number": rng.randint(10, 90)}
                                            for pid in partner_ids})
        value = max(10, value - rng.randint(0, 5))
    if number % 3 == 0:
        solutions.record_outcome(session, topic_id=topic.id, outcome=Outcome.AGREED, actor=ACTOR,
                                 data={"number": value}, shares={
                                     pid: {"gave": "Some hours", "gained": "Faster hand-offs"}
                                     for pid in partner_ids})
