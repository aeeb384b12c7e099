"""Facilitator accounts: passwords kept only as salted scrypt hashes, sign-in throttled per name
typed, sessions that expire, and a facilitator adding a colleague or changing their own password.

The throttle lives in the database (``AppSetting`` rows keyed ``signin:<name>``), not in memory,
so several servers behind one database count the same failures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints
from sqlmodel import Session, col, func, select

from models.changes import audit
from models.clock import utcnow
from models.schema import AppSetting, FacilitatorAccount
from models.validation import InputModel, Invalid, existing, parse

MIN_PASSWORD_LENGTH = 10
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
TOO_MANY_TRIES = "Too many tries. Please wait 15 minutes, or ask another facilitator."

SESSION_LIFETIME = timedelta(hours=8)
IDLE_LIMIT = timedelta(minutes=60)

_THROTTLE_PREFIX = "signin:"
_KEY_MAX_LENGTH = 80  # AppSetting.key


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                            dklen=32)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded[0]}${encoded[1]}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                                r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


class NewPasswordIn(InputModel):
    # Passwords are taken exactly as typed: spaces at either end are part of them.
    model_config = ConfigDict(str_strip_whitespace=False)

    password: str = Field(max_length=200)
    repeat: str = Field(default="", max_length=200)

    def problems(self) -> dict[str, str]:
        if len(self.password) < MIN_PASSWORD_LENGTH:
            return {"password": f"Please choose at least {MIN_PASSWORD_LENGTH} characters."}
        if self.repeat != self.password:
            return {"repeat": "The two passwords are not the same."}
        return {}


class NewFacilitatorIn(NewPasswordIn):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=80)]


class PasswordChangeIn(NewPasswordIn):
    current: str = Field(max_length=200)


@dataclass(frozen=True)
class FacilitatorCard:
    """What the accounts page shows of an account: never its hash."""

    id: int
    username: str
    created_at: datetime


def account(session: Session, account_id: int) -> FacilitatorAccount | None:
    return session.get(FacilitatorAccount, account_id)


def has_facilitator(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(FacilitatorAccount)).one() > 0


def list_facilitators(session: Session) -> list[FacilitatorCard]:
    accounts = session.exec(select(FacilitatorAccount).order_by(FacilitatorAccount.id)).all()
    return [FacilitatorCard(id=a.id, username=a.username, created_at=a.created_at)
            for a in accounts]


def create_facilitator(session: Session, *, data: dict,
                       actor: str = "first start") -> FacilitatorAccount:
    account_in = parse(NewFacilitatorIn, data)
    taken = session.exec(select(FacilitatorAccount)
                         .where(FacilitatorAccount.username == account_in.username)).first()
    if taken:
        raise Invalid({"username": "That name is taken; please choose another."})
    account = FacilitatorAccount(username=account_in.username,
                                 password_hash=hash_password(account_in.password))
    session.add(account)
    session.flush()
    audit(session, actor=actor, action="create", entity=FacilitatorAccount.__tablename__,
          entity_id=account.id, workshop_id=None, after=_public(account))
    return account


def change_password(session: Session, *, account_id: int, data: dict, actor: str) -> None:
    """A facilitator's new password, only with their current one: a session left open on a
    shared laptop is not enough to take the account over."""
    change = parse(PasswordChangeIn, data)
    account = existing(session, FacilitatorAccount, account_id)
    if not password_matches(change.current, account.password_hash):
        raise Invalid({"current": "That is not your current password."})
    before = _public(account)
    account.password_hash = hash_password(change.password)
    account.version += 1
    session.add(account)
    session.flush()
    audit(session, actor=actor, action="update", entity=FacilitatorAccount.__tablename__,
          entity_id=account.id, workshop_id=None, before=before,
          after={**_public(account), "password_changed": True})


def ensure_facilitator_from_secret(session: Session, password: str | None) -> None:
    """On a server or in tests the first password may come from the environment or a secret."""
    if password and not has_facilitator(session):
        create_facilitator(session, data={"username": "facilitator", "password": password,
                                          "repeat": password}, actor="server secret")


# --- signing in, throttled -----------------------------------------------------------------------


class TooManyTries(Exception):
    """This name failed too often lately; the password was not even looked at."""

    def __init__(self) -> None:
        super().__init__(TOO_MANY_TRIES)


@dataclass
class _Attempts:
    failures: int = 0
    first: datetime | None = None
    locked_until: datetime | None = None


def sign_in(session: Session, *, username: str, password: str,
            now: datetime | None = None) -> int | None:
    """The account id when the name and password match, else None (and no hint which failed).

    Use a writing session: failures are counted per name typed, known or not, so the throttle
    says nothing about which names exist. After ``MAX_FAILURES`` within ``FAILURE_WINDOW`` the
    name is refused for ``LOCKOUT`` with ``TooManyTries``, even with the right password.
    A success clears the count.
    """
    now = now or utcnow()
    key = throttle_key(username)
    _forget_stale_attempts(session, now, keep=key)
    row = session.get(AppSetting, key, with_for_update=True)
    attempts = _attempts_from(row)
    if attempts.locked_until is not None and now < attempts.locked_until:
        raise TooManyTries()
    account_id = _check_password(session, username, password)
    if account_id is not None:
        if row is not None:
            session.delete(row)
    else:
        row = row or AppSetting(key=key)
        row.value = _attempts_json(_with_failure(attempts, now))
        session.add(row)
    session.flush()
    return account_id


def throttle_key(username: str) -> str:
    """The AppSetting key counting failures for a typed name; a name too long for a key is
    hashed, so a very long name cannot escape the throttle or break the write."""
    name = username.strip().casefold()
    key = _THROTTLE_PREFIX + name
    if len(key) <= _KEY_MAX_LENGTH:
        return key
    return f"{_THROTTLE_PREFIX}#{hashlib.sha256(name.encode()).hexdigest()}"


def _forget_stale_attempts(session: Session, now: datetime, keep: str) -> None:
    """Drop the counts that no longer matter (window over, no lock running), so names tried
    once and never again do not pile up in the database."""
    rows = session.exec(select(AppSetting)
                        .where(col(AppSetting.key).startswith(_THROTTLE_PREFIX))).all()
    for row in rows:
        attempts = _attempts_from(row)
        ends = max(filter(None, (attempts.first and attempts.first + FAILURE_WINDOW,
                                 attempts.locked_until)), default=None)
        if row.key != keep and (ends is None or ends <= now):
            session.delete(row)


def _check_password(session: Session, username: str, password: str) -> int | None:
    account = session.exec(select(FacilitatorAccount)
                           .where(FacilitatorAccount.username == username.strip())).first()
    if account is None:
        hash_password(password)  # spend the same time, so timing does not reveal unknown names
        return None
    return account.id if password_matches(password, account.password_hash) else None


def _with_failure(attempts: _Attempts, now: datetime) -> _Attempts:
    """One more failure; an expired lock or an old first failure starts the count again."""
    if (attempts.first is None or attempts.locked_until is not None
            or now - attempts.first >= FAILURE_WINDOW):
        attempts = _Attempts(first=now)
    failures = attempts.failures + 1
    locked_until = now + LOCKOUT if failures >= MAX_FAILURES else None
    return _Attempts(failures=failures, first=attempts.first, locked_until=locked_until)


def _attempts_from(row: AppSetting | None) -> _Attempts:
    if row is None:
        return _Attempts()
    try:
        value = json.loads(row.value)
        return _Attempts(failures=int(value["failures"]),
                         first=datetime.fromisoformat(value["first"]),
                         locked_until=(datetime.fromisoformat(value["locked_until"])
                                       if value.get("locked_until") else None))
    except (ValueError, TypeError, KeyError):
        return _Attempts()  # a damaged row counts as no failures rather than locking anyone out


def _attempts_json(attempts: _Attempts) -> str:
    return json.dumps({
        "failures": attempts.failures,
        "first": attempts.first.isoformat() if attempts.first else None,
        "locked_until": attempts.locked_until.isoformat() if attempts.locked_until else None,
    })


# --- how long a sign-in lasts --------------------------------------------------------------------


def session_expired(signed_in_at: float, seen_at: float, now: float) -> bool:
    """True once a sign-in is ``SESSION_LIFETIME`` old or idle ``IDLE_LIMIT`` (epoch seconds)."""
    return (now - signed_in_at >= SESSION_LIFETIME.total_seconds()
            or now - seen_at >= IDLE_LIMIT.total_seconds())


def _public(account: FacilitatorAccount) -> dict:
    """An account as the audit trail records it: the name, never the password or its hash."""
    return {"username": account.username, "created_at": account.created_at.isoformat(),
            "version": account.version}
