"""Sign-in throttling with an injected clock, how long a sign-in lasts, and account changes
that are audited without any password or hash.

scrypt costs about 50 ms a hash, so the tests hash only as often as they must.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from models import auth
from models.db import reading, writing
from models.schema import AppSetting, AuditEvent, FacilitatorAccount
from models.validation import Invalid

PASSWORD = "riverbend-2027"
WRONG = "riverbend-2026"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def account_id(engine) -> int:
    with writing(engine) as session:
        return auth.create_facilitator(session, data={"username": "Ana", "password": PASSWORD,
                                                      "repeat": PASSWORD}).id


def _try(engine, password: str, *, at: datetime, username: str = "Ana") -> int | None:
    with writing(engine) as session:
        return auth.sign_in(session, username=username, password=password, now=at)


def _fail(engine, times: int, *, start: datetime = T0, username: str = "Ana") -> None:
    for i in range(times):
        assert _try(engine, WRONG, at=start + timedelta(minutes=i), username=username) is None


def _stored(engine, username: str = "Ana") -> dict | None:
    with reading(engine) as session:
        row = session.get(AppSetting, auth.throttle_key(username))
    return json.loads(row.value) if row else None


# --- throttling ----------------------------------------------------------------------------------


def test_five_failures_lock_the_name_even_against_the_right_password(engine, account_id):
    _fail(engine, 5)  # at 9:00 … 9:04

    with pytest.raises(auth.TooManyTries) as caught:
        _try(engine, PASSWORD, at=T0 + timedelta(minutes=5))

    assert str(caught.value) == ("Too many tries. Please wait 15 minutes, or ask another "
                                 "facilitator.")
    assert _stored(engine) == {"failures": 5, "first": "2027-03-01T09:00:00+00:00",
                               "locked_until": "2027-03-01T09:19:00+00:00"}


def test_four_failures_do_not_lock(engine, account_id):
    _fail(engine, 4)

    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=4)) == account_id


def test_the_lock_holds_for_15_minutes_from_the_fifth_failure_then_lifts(engine, account_id):
    _fail(engine, 5)  # the fifth at 9:04, so locked until 9:19

    with pytest.raises(auth.TooManyTries):
        _try(engine, PASSWORD, at=T0 + timedelta(minutes=18, seconds=59))

    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=19)) == account_id


def test_a_refused_attempt_while_locked_does_not_extend_the_lock(engine, account_id):
    _fail(engine, 5)
    with pytest.raises(auth.TooManyTries):
        _try(engine, WRONG, at=T0 + timedelta(minutes=10))

    assert _stored(engine)["locked_until"] == "2027-03-01T09:19:00+00:00"


def test_after_the_lock_lifts_the_count_starts_again(engine, account_id):
    _fail(engine, 5)
    assert _try(engine, WRONG, at=T0 + timedelta(minutes=20)) is None

    assert _stored(engine) == {"failures": 1, "first": "2027-03-01T09:20:00+00:00",
                               "locked_until": None}


def test_a_success_clears_the_count(engine, account_id):
    _fail(engine, 4)
    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=4)) == account_id
    assert _stored(engine) is None

    _fail(engine, 4, start=T0 + timedelta(minutes=5))  # four more are allowed again
    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=9)) == account_id


def test_failures_older_than_15_minutes_no_longer_count(engine, account_id):
    _fail(engine, 4)  # 9:00 … 9:03
    assert _try(engine, WRONG, at=T0 + timedelta(minutes=15)) is None  # a new window from 9:15

    assert _stored(engine)["failures"] == 1
    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=16)) == account_id


def test_an_unknown_name_is_throttled_the_same_way(engine, account_id):
    _fail(engine, 5, username="nobody-here")

    with pytest.raises(auth.TooManyTries):
        _try(engine, WRONG, at=T0 + timedelta(minutes=5), username="nobody-here")
    assert _stored(engine, "nobody-here")["failures"] == 5


def test_the_name_is_counted_as_typed_ignoring_case_and_spaces(engine, account_id):
    for i, typed in enumerate(["Ana", "ana", " ANA ", "aNa", "ana"]):
        assert _try(engine, WRONG, at=T0 + timedelta(minutes=i), username=typed) is None

    with pytest.raises(auth.TooManyTries):
        _try(engine, PASSWORD, at=T0 + timedelta(minutes=5))


def test_a_locked_name_does_not_lock_another(engine, account_id):
    _fail(engine, 5, username="mallory")

    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=5)) == account_id


def test_a_very_long_typed_name_is_counted_under_a_key_that_fits(engine, account_id):
    long_name = "x" * 500
    key = auth.throttle_key(long_name)
    _fail(engine, 5, username=long_name)

    assert len(key) <= 80
    with pytest.raises(auth.TooManyTries):
        _try(engine, WRONG, at=T0 + timedelta(minutes=5), username=long_name)


def test_a_damaged_throttle_row_counts_as_no_failures(engine, account_id):
    with writing(engine) as session:
        session.add(AppSetting(key=auth.throttle_key("Ana"), value="not json"))

    assert _try(engine, PASSWORD, at=T0) == account_id


def _throttled_names(engine) -> set[str]:
    with reading(engine) as session:
        return {row.key for row in session.exec(select(AppSetting)).all()
                if row.key.startswith("signin:")}


def test_counts_that_no_longer_matter_are_forgotten_and_running_locks_are_kept(engine,
                                                                                account_id):
    """Names typed once and never again do not pile up: a count whose window is over goes at
    the next sign-in attempt, while a running lock and a recent count stay."""
    _fail(engine, 1, username="typo-once")
    _fail(engine, 5, start=T0, username="sprayed")  # locked until T0 + 4 min + 15 min
    _fail(engine, 1, start=T0 + timedelta(minutes=10), username="recent")
    assert _throttled_names(engine) == {"signin:typo-once", "signin:sprayed", "signin:recent"}

    _try(engine, WRONG, at=T0 + timedelta(minutes=16), username="someone")
    assert _throttled_names(engine) == {"signin:sprayed", "signin:recent", "signin:someone"}

    assert _try(engine, PASSWORD, at=T0 + timedelta(minutes=40)) == account_id
    assert _throttled_names(engine) == set()


# --- how long a sign-in lasts --------------------------------------------------------------------

HOUR = 3600.0


@pytest.mark.parametrize(("signed_in_at", "seen_at", "now", "expired"), [
    (0, 0, 0, False),
    (0, 0, 59 * 60, False),
    (0, 0, 60 * 60, True),
    (0, 0, 61 * 60, True),
    (0, 7 * HOUR, 7 * HOUR + 59 * 60, False),
    (0, 7.5 * HOUR, 8 * HOUR - 1, False),
    (0, 7.5 * HOUR, 8 * HOUR, True),
    (0, 8 * HOUR, 8 * HOUR + 1, True),
], ids=["just signed in", "idle 59 minutes", "idle 60 minutes", "idle 61 minutes",
        "busy for 7 hours", "a second short of 8 hours", "8 hours exactly", "past 8 hours"])
def test_session_expired(signed_in_at, seen_at, now, expired):
    assert auth.session_expired(signed_in_at, seen_at, now) is expired


# --- accounts ------------------------------------------------------------------------------------


def _events(engine) -> list[AuditEvent]:
    with reading(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def _no_secret_in(events: list[AuditEvent], *secrets: str) -> None:
    for event in events:
        recorded = json.dumps([event.before, event.after])
        for secret in secrets:
            assert secret not in recorded
        assert "scrypt$" not in recorded


def test_a_facilitator_adds_a_colleague_and_it_is_audited_without_the_password(engine,
                                                                               account_id):
    colleague = "a colleague's password"
    with writing(engine) as session:
        created = auth.create_facilitator(
            session, data={"username": "Bea", "password": colleague, "repeat": colleague},
            actor="facilitator:Ana")
    with reading(engine) as session:
        cards = auth.list_facilitators(session)

    assert [(card.id, card.username) for card in cards] == [(account_id, "Ana"),
                                                            (created.id, "Bea")]
    event = _events(engine)[-1]
    assert (event.actor, event.action, event.entity, event.entity_id) == (
        "facilitator:Ana", "create", "facilitatoraccount", created.id)
    assert event.after["username"] == "Bea"
    _no_secret_in(_events(engine), PASSWORD, colleague)


def test_a_facilitator_changes_their_own_password_with_the_current_one(engine, account_id):
    new = "a brand new password"
    with writing(engine) as session:
        auth.change_password(session, account_id=account_id, actor="facilitator:Ana",
                             data={"current": PASSWORD, "password": new, "repeat": new})

    assert _try(engine, new, at=T0) == account_id
    assert _try(engine, PASSWORD, at=T0) is None
    event = _events(engine)[-1]
    assert (event.actor, event.action, event.entity_id) == ("facilitator:Ana", "update",
                                                            account_id)
    assert event.after["password_changed"] is True
    _no_secret_in(_events(engine), PASSWORD, new)


@pytest.mark.parametrize(("data", "key"), [
    ({"current": WRONG, "password": "a brand new password", "repeat": "a brand new password"},
     "current"),
    ({"current": PASSWORD, "password": "short", "repeat": "short"}, "password"),
    ({"current": PASSWORD, "password": "a brand new password", "repeat": "a brand new pass"},
     "repeat"),
], ids=["wrong current password", "too short", "repeat differs"])
def test_a_password_change_is_refused_with_a_message_by_its_field(engine, account_id, data,
                                                                  key):
    with reading(engine) as session:
        before = session.get(FacilitatorAccount, account_id).password_hash

    with writing(engine) as session, pytest.raises(Invalid) as caught:
        auth.change_password(session, account_id=account_id, actor="facilitator:Ana", data=data)

    assert set(caught.value.errors) == {key}
    with reading(engine) as session:
        assert session.get(FacilitatorAccount, account_id).password_hash == before
