"""Facilitator accounts: the password is kept only as a salted scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import Session, func, select

from models.schema import FacilitatorAccount
from models.validation import Invalid, parse

MIN_PASSWORD_LENGTH = 10
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


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


class NewFacilitatorIn(BaseModel):
    # Passwords are taken exactly as typed: spaces at either end are part of them.
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=80)]
    password: str = Field(max_length=200)
    repeat: str = Field(default="", max_length=200)

    def problems(self) -> dict[str, str]:
        if len(self.password) < MIN_PASSWORD_LENGTH:
            return {"password": f"Please choose at least {MIN_PASSWORD_LENGTH} characters."}
        if self.repeat != self.password:
            return {"repeat": "The two passwords are not the same."}
        return {}


def has_facilitator(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(FacilitatorAccount)).one() > 0


def create_facilitator(session: Session, *, data: dict) -> FacilitatorAccount:
    account_in = parse(NewFacilitatorIn, data)
    taken = session.exec(select(FacilitatorAccount)
                         .where(FacilitatorAccount.username == account_in.username)).first()
    if taken:
        raise Invalid({"username": "That name is taken; please choose another."})
    account = FacilitatorAccount(username=account_in.username,
                                 password_hash=hash_password(account_in.password))
    session.add(account)
    session.flush()
    return account


def ensure_facilitator_from_secret(session: Session, password: str | None) -> None:
    """On a server or in tests the first password may come from the environment or a secret."""
    if password and not has_facilitator(session):
        create_facilitator(session, data={"username": "facilitator", "password": password,
                                          "repeat": password})


def sign_in(session: Session, *, username: str, password: str) -> int | None:
    """The account id when the name and password match, else None (and no hint which failed)."""
    account = session.exec(select(FacilitatorAccount)
                           .where(FacilitatorAccount.username == username.strip())).first()
    if account is None:
        hash_password(password)  # spend the same time, so timing does not reveal unknown names
        return None
    return account.id if password_matches(password, account.password_hash) else None
