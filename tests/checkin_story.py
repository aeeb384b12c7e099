"""Three check-ins on the demo partnership, recorded through the model functions a facilitator's
clicks call: readings, milestone states, hours given, the log and recalibrations. Tests, and the
screenshots of the check-ins page, start from it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from models import checkins, pacing
from models.schema import (
    CapacityCommitment,
    EarlyWin,
    Measure,
    Milestone,
    Partner,
    Workshop,
)

ACTOR = "facilitator:story"
CMHC, FQHC, COUNTY = ("Riverbend Community Mental Health Center",
                      "Northside Family Health Center", "Marlow County Health Department")
PHQ9, WAIT, HANDOFF, A1C = ("phq9-response", "wait-time-first-bh-visit", "warm-handoff-rate",
                            "hba1c-poor-control")
SOURCES = {PHQ9: "Collaborative care registry", WAIT: "Referral log and BH schedule",
           HANDOFF: "Embedded clinician's hand-off log", A1C: "EHR lab results"}
REGISTRY = "Shared registry live for pilot patients"
ROOM = "Therapist's room ready and scheduled"

# Per check-in: readings (measure key -> value), milestone states, hours given per partner and
# month, and the log; the recalibrations follow in ``record_story``.
STORY = [
    {"held_on": date(2027, 3, 1), "note": "First check-in of the pilot, at Northside.",
     "readings": {PHQ9: 31, WAIT: 16, HANDOFF: 38, A1C: 30.6},
     "milestones": {
         "Consent workflow training for front desk": ("done", None, ""),
         "Warm hand-off baseline count complete": ("done", None, ""),
         "Pilot starts at the Northside main site": ("done", None, ""),
         ROOM: ("slipped", 6, "The furniture was delivered a week late."),
         "First monthly check-in": ("done", None, ""),
         REGISTRY: ("on_track", None, "")},
     "given": {(CMHC, date(2027, 1, 1)): 58, (FQHC, date(2027, 1, 1)): 50,
               (COUNTY, date(2027, 1, 1)): 20, (CMHC, date(2027, 2, 1)): 72,
               (FQHC, date(2027, 2, 1)): 55, (COUNTY, date(2027, 2, 1)): 18},
     "log": [("success", date(2027, 2, 9), "The first joint huddle of front desk and therapist.",
              ""),
             ("disappointment", date(2027, 2, 20),
              "Two referrals waited three weeks while the intake line was unstaffed.",
              "Cover the intake line during staff leave, and say who covers it.")]},
    {"held_on": date(2027, 3, 29), "note": "",
     "readings": {PHQ9: 34, WAIT: 12, HANDOFF: 47, A1C: 29.8},
     "milestones": {
         ROOM: ("done", None, ""),
         REGISTRY: ("slipped", 18, "The vendor's link to the health record failed testing."),
         "Mid-pilot review of measures": ("on_track", None, "")},
     "given": {(CMHC, date(2027, 3, 1)): 80, (FQHC, date(2027, 3, 1)): 42,
               (COUNTY, date(2027, 3, 1)): 20},
     "log": [("success", date(2027, 3, 12),
              "Ten shared patients have a care plan both teams can see.", ""),
             ("disappointment", date(2027, 3, 15), "The shared registry missed its date.",
              "Test the vendor's link a month ahead, not a week.")]},
    {"held_on": date(2027, 4, 26), "note": "Mid-way through the pilot.",
     "readings": {PHQ9: 38, WAIT: 9, HANDOFF: 52, A1C: 29.0},
     "milestones": {
         REGISTRY: ("done", None, ""),
         "Mid-pilot review of measures": ("at_risk", None,
                                          "The county analyst leaves in April."),
         "Pilot ends": ("on_track", None, "")},
     "given": {(CMHC, date(2027, 4, 1)): 78, (FQHC, date(2027, 4, 1)): 36,
               (COUNTY, date(2027, 4, 1)): 22},
     "log": [("success", date(2027, 4, 20),
              "Wait for a first therapy visit under ten days for the first time.", "")]},
]


def demo_workshop_id(session: Session) -> int:
    return session.exec(select(Workshop.id).where(Workshop.is_demo)).one()


def record_story(session: Session, workshop_id: int) -> list[int]:
    """The three check-ins, in order; their ids."""
    measures = {m.library_key: m for m in session.exec(
        select(Measure).where(Measure.workshop_id == workshop_id)).all()}
    milestones = {m.title: m for m in session.exec(
        select(Milestone).where(Milestone.workshop_id == workshop_id)).all()}
    partners = {p.name: p for p in session.exec(
        select(Partner).where(Partner.workshop_id == workshop_id)).all()}
    ids = []
    for chapter in STORY:
        checkin = checkins.open_checkin(session, workshop_id=workshop_id, actor=ACTOR, data={
            "held_on": chapter["held_on"], "note": chapter["note"]})
        for key, value in chapter["readings"].items():
            checkins.record_reading(session, checkin_id=checkin.id,
                                    measure_id=measures[key].id, expected_version=None,
                                    actor=ACTOR, data={
                                        "value": value,
                                        "measured_on": checkin.held_on - timedelta(days=3),
                                        "source": SOURCES[key]})
        for title, (state, slip, reason) in chapter["milestones"].items():
            checkins.report_milestone(session, checkin_id=checkin.id,
                                      milestone_id=milestones[title].id, expected_version=None,
                                      actor=ACTOR, data={"state": state, "slip_days": slip,
                                                         "reason": reason})
        for (name, month), hours in chapter["given"].items():
            checkins.record_capacity_given(session, checkin_id=checkin.id,
                                           partner_id=partners[name].id, expected_version=None,
                                           actor=ACTOR, data={"month": month, "hours": hours})
        for kind, happened_on, text, lesson in chapter["log"]:
            checkins.add_log_entry(session, checkin_id=checkin.id, actor=ACTOR, data={
                "kind": kind, "happened_on": happened_on, "text": text, "lesson": lesson})
        ids.append(checkin.id)
    _recalibrate(session, ids, measures, milestones, partners)
    _first_early_win_reached(session, workshop_id)
    return ids


def _recalibrate(session: Session, ids: list[int], measures: dict[str, Measure],
                 milestones: dict[str, Milestone], partners: dict[str, Partner]) -> None:
    registry = milestones[REGISTRY]
    checkins.recalibrate_date(session, checkin_id=ids[1], milestone_id=registry.id,
                              expected_version=registry.version, actor=ACTOR, data={
                                  "due_on": date(2027, 4, 2),
                                  "reason": "The vendor needs two more weeks to fix the link."})
    a1c = measures[A1C]
    checkins.recalibrate_target(session, checkin_id=ids[2], measure_id=a1c.id,
                                expected_version=a1c.version, actor=ACTOR, data={
                                    "target_value": 27,
                                    "reason": "A1c moves slowly: five points in six months "
                                              "was more than the pilot can show."})
    july = session.exec(select(CapacityCommitment).where(
        CapacityCommitment.partner_id == partners[FQHC].id,
        CapacityCommitment.month == date(2027, 7, 1))).one()
    checkins.recalibrate_capacity(session, checkin_id=ids[2], partner_id=partners[FQHC].id,
                                  expected_version=july.version, actor=ACTOR, data={
                                      "month": date(2027, 7, 1), "hours": 45,
                                      "reason": "Summer leave for two of the four nurses."})


def _first_early_win_reached(session: Session, workshop_id: int) -> None:
    win = session.exec(select(EarlyWin).where(EarlyWin.workshop_id == workshop_id)
                       .order_by(EarlyWin.target_date)).first()
    pacing.update_early_win(session, early_win_id=win.id, expected_version=win.version,
                            actor=ACTOR, data={"title": win.title, "target_date": win.target_date,
                                               "partner_id": win.partner_id,
                                               "achieved_on": date(2027, 2, 5)})
