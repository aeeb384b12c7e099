"""The demo partnership from seeds/demo.yaml, loaded once into a new database.

It goes through the same set-up functions a facilitator uses, then records the workshop's
history (pre-work, rounds, ratings, agreements, pacing) so that every screen has something to
show on first start. An ``AppSetting`` row remembers that it was loaded: deleting the demo
workshop does not bring it back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from models import library, setup
from models.clock import utcnow
from models.schema import (
    Agreement,
    AgreementShare,
    AppSetting,
    CapacityCommitment,
    EarlyWin,
    ExpectedResult,
    FixedConstraint,
    LogEntry,
    Measure,
    Milestone,
    MissionDraft,
    Participant,
    Partner,
    PartnerMission,
    PreworkProgress,
    Proposal,
    Rating,
    RoundPosition,
    RuleCheck,
    Stance,
    StepState,
    Topic,
    TopicKind,
)

DEMO_FILE = Path(__file__).resolve().parent.parent / "seeds" / "demo.yaml"
DEMO_SETTING = "demo_loaded_at"
ACTOR = "seed:demo"


def load_demo_once(session: Session, path: Path = DEMO_FILE) -> int | None:
    """Load the demo unless it was loaded before; the new workshop's id, or None."""
    if session.get(AppSetting, DEMO_SETTING) is not None:
        return None
    session.add(AppSetting(key=DEMO_SETTING, value=utcnow().isoformat()))
    session.flush()  # claims the key first: a second process racing us fails here, not later
    return load_demo(session, yaml.safe_load(path.read_text(encoding="utf-8")))


def load_demo(session: Session, demo: dict[str, Any]) -> int:
    loader = _DemoLoader(session, demo)
    return loader.load()


class _DemoLoader:
    """Reads the demo's keys (partner keys, topic keys) and turns them into rows."""

    def __init__(self, session: Session, demo: dict[str, Any]) -> None:
        self.session = session
        self.demo = demo
        self.partners: dict[str, Partner] = {}
        self.people: dict[str, list[Participant]] = {}
        self.workshop_id = 0

    def load(self) -> int:
        self._workshop()
        self._prework()
        self._mission_drafts()
        self._measures()
        self._topics()
        self._pacing()
        return self.workshop_id

    def _workshop(self) -> None:
        spec = self.demo["workshop"]
        partner_specs = self.demo["partners"]
        workshop = setup.create_workshop(
            self.session, actor=ACTOR, is_demo=True,
            workshop={"name": spec["name"], "held_on": spec["held_on"]},
            partners=[{k: p[k] for k in ("name", "kind", "colour")} for p in partner_specs],
        )
        self.workshop_id = workshop.id
        rule = spec["decision_rule"]
        setup.set_decision_rule(self.session, workshop_id=workshop.id, data=rule,
                                expected_version=workshop.version, actor=ACTOR)
        workshop.prework_locked = spec.get("prework_locked", False)
        workshop.checkin_every_weeks = spec.get("checkin_every_weeks")
        rows = {p.name: p for p in setup._partners(self.session, workshop.id)}
        for partner_spec in partner_specs:
            partner = rows[partner_spec["name"]]
            self.partners[partner_spec["key"]] = partner
            self.people[partner_spec["key"]] = [
                setup.add_participant(self.session, partner_id=partner.id, data=person,
                                      actor=ACTOR)
                for person in partner_spec["people"]
            ]
        steps = {s.step: s for s in self._rows(StepState, workshop_id=workshop.id)}
        for step, status in spec["steps"].items():
            steps[step].status = status
            if step in spec.get("revealed", []):
                steps[step].revealed_at = utcnow()

    def _prework(self) -> None:
        for spec in self.demo["partners"]:
            partner = self.partners[spec["key"]]
            self.session.add(PartnerMission(partner_id=partner.id, **spec["mission"]))
            for result in spec.get("expected_results", []):
                self.session.add(ExpectedResult(partner_id=partner.id, **result))
            for month in spec.get("capacity", []):
                self.session.add(CapacityCommitment(partner_id=partner.id,
                                                    month=_month(month["month"]),
                                                    hours=month.get("hours", 0),
                                                    unavailable=month.get("unavailable", False),
                                                    note=month.get("note", "")))
            progress = self._rows(PreworkProgress, partner_id=partner.id)[0]
            progress.note_to_facilitator = spec.get("note_to_facilitator", "")
            progress.opened_at = progress.last_activity_at = utcnow()
            if spec.get("submitted"):
                progress.submitted_at = utcnow()

    def _mission_drafts(self) -> None:
        for number, spec in enumerate(self.demo.get("mission_drafts", []), start=1):
            draft = MissionDraft(workshop_id=self.workshop_id, number=number, text=spec["text"],
                                 adopted_at=utcnow() if spec.get("adopted") else None)
            self.session.add(draft)
            self.session.flush()
            self._ratings(spec.get("ratings", {}), mission_draft_id=draft.id)

    def _measures(self) -> None:
        for spec in self.demo.get("measures", []):
            entry = library.measures()[spec["library"]]
            fields = {k: v for k, v in spec.items() if k not in ("library", "owner", "serves")}
            measure = Measure(
                workshop_id=self.workshop_id, library_key=entry.key, name=entry.name,
                definition=entry.definition, data_source=entry.data_source, unit=entry.unit,
                direction=entry.direction, frequency=entry.frequency,
                plausible_min=entry.plausible_min, plausible_max=entry.plausible_max,
                owner_partner_id=self.partners[spec["owner"]].id if spec.get("owner") else None,
                **fields,
            )
            self.session.add(measure)
            self.session.flush()
            for partner_key, text in spec.get("serves", []):
                for result in self._rows(ExpectedResult,
                                         partner_id=self.partners[partner_key].id):
                    if result.text == text:
                        result.measure_id = measure.id

    def _topics(self) -> None:
        specs = self.demo.get("topics", [])
        setup.add_library_topics(self.session, workshop_id=self.workshop_id,
                                 keys=[spec["library"] for spec in specs], actor=ACTOR)
        topics = {t.library_key: t for t in self._rows(Topic, workshop_id=self.workshop_id)}
        for spec in specs:
            topic = topics[spec["library"]]
            for partner_key, stance in spec.get("stances", {}).items():
                self._stance(topic, self.partners[partner_key], stance)
            for round_no, round_spec in enumerate(spec.get("rounds", []), start=1):
                self._round(topic, round_no, round_spec)
            if "agreement" in spec:
                self._agreement(topic, spec["agreement"])

    def _stance(self, topic: Topic, partner: Partner, spec: dict[str, Any]) -> None:
        if "fixed" in spec:
            stance = Stance(topic_id=topic.id, partner_id=partner.id, kind="fixed",
                            weight=spec["fixed"].get("weight", 5))
            self.session.add(stance)
            self.session.flush()
            rule = spec["fixed"]
            entry = library.constraints()[rule["constraint"]]
            self.session.add(FixedConstraint(
                stance_id=stance.id, library_key=entry.key, rule_kind=entry.kind,
                title=entry.title, citation=entry.citation, explanation=entry.explanation,
                allowed_min=rule.get("allowed_min"), allowed_max=rule.get("allowed_max"),
                allowed_options=rule.get("allowed_options", []),
                allows_text=rule.get("allows", entry.allows)))
            return
        flex = spec["flex"]
        self.session.add(Stance(
            topic_id=topic.id, partner_id=partner.id, kind="flex", weight=flex["weight"],
            limit_private=flex.get("private", True), wants_in_return=flex.get("wants", ""),
            **_preferred(topic, flex["preferred"]), **_acceptable(topic, flex.get("accept"))))

    def _round(self, topic: Topic, round_no: int, spec: dict[str, Any]) -> None:
        proposal = Proposal(topic_id=topic.id, round_no=round_no, note=spec.get("note", ""),
                            **_value(topic, spec["proposal"]))
        self.session.add(proposal)
        self.session.flush()
        for partner_key, value in spec.get("positions", {}).items():
            self.session.add(RoundPosition(proposal_id=proposal.id,
                                           partner_id=self.partners[partner_key].id,
                                           **_value(topic, value)))
        self._ratings(spec.get("ratings", {}), proposal_id=proposal.id)
        if topic.kind == TopicKind.TEXT:
            self._confirm_rules(topic, proposal)

    def _confirm_rules(self, topic: Topic, proposal: Proposal) -> None:
        """The demo's text proposals honour every fixed rule on their topic, as confirmed."""
        statement = (select(FixedConstraint.id).join(Stance, Stance.id == FixedConstraint.stance_id)
                     .where(Stance.topic_id == topic.id))
        for constraint_id in self.session.exec(statement).all():
            self.session.add(RuleCheck(proposal_id=proposal.id, constraint_id=constraint_id))

    def _agreement(self, topic: Topic, spec: dict[str, Any]) -> None:
        value = _value(topic, spec["value"]) if "value" in spec else {}
        agreement = Agreement(topic_id=topic.id, outcome=spec["outcome"],
                              note=spec.get("note", ""), **value)
        self.session.add(agreement)
        self.session.flush()
        for partner_key, share in spec.get("shares", {}).items():
            self.session.add(AgreementShare(agreement_id=agreement.id,
                                            partner_id=self.partners[partner_key].id, **share))

    def _ratings(self, spec: dict[str, list], **subject: int) -> None:
        """Ratings per partner key, one per participant in order: a number or [number, reason]."""
        for partner_key, values in spec.items():
            for person, value in zip(self.people[partner_key], values, strict=False):
                number, reason = (value, "") if isinstance(value, int) else value
                self.session.add(Rating(partner_id=self.partners[partner_key].id,
                                        participant_id=person.id, value=number, reason=reason,
                                        **subject))

    def _pacing(self) -> None:
        for spec in self.demo.get("milestones", []):
            owner = spec.pop("owner", None)
            self.session.add(Milestone(workshop_id=self.workshop_id,
                                       owner_partner_id=self.partners[owner].id if owner else None,
                                       **spec))
        for spec in self.demo.get("early_wins", []):
            owner = spec.pop("partner", None)
            self.session.add(EarlyWin(workshop_id=self.workshop_id,
                                      partner_id=self.partners[owner].id if owner else None,
                                      **spec))
        for spec in self.demo.get("log", []):
            owner = spec.pop("partner", None)
            self.session.add(LogEntry(workshop_id=self.workshop_id,
                                      partner_id=self.partners[owner].id if owner else None,
                                      **spec))
        self.session.flush()

    def _rows(self, table: type, **where: Any) -> list:
        statement = table.__table__.select().filter_by(**where)
        ids = [row.id for row in self.session.execute(statement)]
        return [self.session.get(table, row_id) for row_id in ids]


def _month(value: str | date) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    year, month = str(value).split("-")[:2]
    return date(int(year), int(month), 1)


def _value(topic: Topic, value: Any) -> dict[str, Any]:
    """A proposal, counter-offer or agreement value in the column its topic's kind uses."""
    if topic.kind == TopicKind.NUMERIC:
        return {"value_number": float(value)}
    if topic.kind == TopicKind.OPTIONS:
        if value not in topic.options:
            raise ValueError(f"{value!r} is not an option of {topic.title!r}")
        return {"value_option": value}
    return {"value_text": str(value)}


def _preferred(topic: Topic, value: Any) -> dict[str, Any]:
    column = {"value_number": "preferred_value", "value_option": "preferred_option",
              "value_text": "preferred_text"}
    return {column[k]: v for k, v in _value(topic, value).items()}


def _acceptable(topic: Topic, accept: Any) -> dict[str, Any]:
    if accept is None:
        return {}
    if topic.kind == TopicKind.NUMERIC:
        low, high = accept
        return {"accept_min": float(low), "accept_max": float(high)}
    if topic.kind == TopicKind.OPTIONS:
        for option in accept:
            _value(topic, option)
        return {"acceptable_options": list(accept)}
    return {}
