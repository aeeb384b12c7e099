"""Many people saving the same row at the same moment: every save either lands or is refused,
none is lost silently, and the row ends as the last landed save left it.

Sixteen threads race on one database (a SQLite file, and PostgreSQL when the suite has one),
each saving with the version it last read, as a form does. A refused save re-reads the row, as
the user would after the conflict message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models import mission, pacing, setup
from models.db import reading, writing
from models.schema import AuditEvent, Milestone, Partner, PartnerMission, Workshop
from models.validation import Conflict

THREADS = 16
ATTEMPTS = 25
HELD_ON = date(2027, 3, 1)


@dataclass(frozen=True)
class Target:
    """One row that everybody edits: how to read its version and text, and how to save it."""

    table: type
    row_id: int
    text_field: str
    save: Callable[[Session, str, int], int]  # (session, token, expected version) → new version

    def read(self) -> Callable[[Session], tuple[int, str]]:
        def read(session: Session) -> tuple[int, str]:
            row = session.get(self.table, self.row_id)
            return row.version, getattr(row, self.text_field)
        return read


@dataclass
class Race:
    landed: list[tuple[int, str]] = field(default_factory=list)
    stale: list[tuple[int, int]] = field(default_factory=list)  # (version read, version written)
    refused: int = 0
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def race(engine: Engine, target: Target) -> Race:
    outcome = Race()
    start = threading.Barrier(THREADS)
    read = target.read()

    def version_now() -> int:
        with reading(engine) as session:
            return read(session)[0]

    def editor(number: int) -> None:
        try:
            known = version_now()
            start.wait(timeout=10)
            for attempt in range(ATTEMPTS):
                token = f"token-{number}-{attempt}"
                try:
                    with writing(engine) as session:
                        version = target.save(session, token, known)
                except Conflict:
                    with outcome.lock:
                        outcome.refused += 1
                    known = version_now()
                    continue
                # The commit returned: this save is acknowledged.
                with outcome.lock:
                    outcome.landed.append((version, token))
                    if version != known + 1:
                        outcome.stale.append((known, version))
                known = version
        except BaseException as error:  # anything else, "database is locked" included, fails
            with outcome.lock:
                outcome.errors.append(error)

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an editor never finished"
    return outcome


def assert_nothing_lost(engine: Engine, target: Target, outcome: Race) -> None:
    assert not outcome.errors, [repr(e) for e in outcome.errors]
    assert len(outcome.landed) + outcome.refused == THREADS * ATTEMPTS
    # A save lands only on the version it read: it never overwrites a save it did not see.
    assert not outcome.stale
    versions = sorted(version for version, _ in outcome.landed)
    assert versions == list(range(2, len(outcome.landed) + 2))
    with reading(engine) as session:
        final_version, final_text = target.read()(session)
        audited = session.exec(select(AuditEvent).where(
            AuditEvent.entity == target.table.__tablename__,
            AuditEvent.entity_id == target.row_id, AuditEvent.action == "update")).all()
    last_version, last_token = max(outcome.landed)
    assert final_version == last_version == len(outcome.landed) + 1
    assert final_text == last_token
    # Each landed save, and nothing else, is in the audit trail with what it wrote.
    landed_tokens = sorted(token for _, token in outcome.landed)
    assert sorted(e.after[target.text_field] for e in audited
                  if e.after[target.text_field].startswith("token-")) == landed_tokens


@pytest.fixture
def workshop(engine: Engine) -> tuple[int, int]:
    """A workshop and its first partner, with nothing else."""
    with writing(engine) as session:
        row = setup.create_workshop(
            session, actor="test", workshop={"name": "Race Partnership", "held_on": HELD_ON},
            partners=[{"name": "Race BH", "kind": "behavioral_health", "colour": "#0072B2"},
                      {"name": "Race PC", "kind": "primary_care", "colour": "#E69F00"}])
        partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == row.id)
                                  .order_by(Partner.position)).first()
        return row.id, partner_id


def test_partner_mission_saved_by_many_at_once(engine, workshop):
    _, partner_id = workshop
    with writing(engine) as session:
        row = mission.save_partner_mission(session, partner_id=partner_id,
                                           data={"mission": "first"}, expected_version=None,
                                           actor="test")
    assert row.version == 1

    def save(session: Session, token: str, version: int) -> int:
        return mission.save_partner_mission(session, partner_id=partner_id,
                                            data={"mission": token}, expected_version=version,
                                            actor="test").version

    target = Target(PartnerMission, row.id, "mission", save)
    assert_nothing_lost(engine, target, race(engine, target))


def test_milestone_saved_by_many_at_once(engine, workshop):
    workshop_id, _ = workshop
    with writing(engine) as session:
        row = pacing.add_milestone(session, workshop_id=workshop_id,
                                   data={"title": "first", "due_on": HELD_ON}, actor="test")
    assert row.version == 1

    def save(session: Session, token: str, version: int) -> int:
        return pacing.update_milestone(session, milestone_id=row.id,
                                       data={"title": token, "due_on": HELD_ON},
                                       expected_version=version, actor="test").version

    target = Target(Milestone, row.id, "title", save)
    assert_nothing_lost(engine, target, race(engine, target))


def test_workshop_name_saved_by_many_at_once(engine, workshop):
    workshop_id, _ = workshop

    def save(session: Session, token: str, version: int) -> int:
        return setup.update_workshop(session, workshop_id=workshop_id,
                                     data={"name": token, "held_on": HELD_ON},
                                     expected_version=version, actor="test").version

    target = Target(Workshop, workshop_id, "name", save)
    assert_nothing_lost(engine, target, race(engine, target))
