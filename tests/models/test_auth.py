"""Facilitator accounts: salted scrypt hashes, the rules for a new account, and signing in.

scrypt costs about 50 ms a hash, so each test hashes only as often as it must.
"""

from __future__ import annotations

import base64

import pytest
from sqlmodel import func, select

from models import auth
from models.db import reading, writing
from models.schema import FacilitatorAccount
from models.validation import Invalid

PASSWORD = "riverbend-2027"


def _accounts(engine) -> list[tuple[str, str]]:
    with reading(engine) as session:
        rows = session.exec(select(FacilitatorAccount).order_by(FacilitatorAccount.id)).all()
    return [(row.username, row.password_hash) for row in rows]


def _new_account(username: str = "ana", password: str = PASSWORD,
                 repeat: str | None = None) -> dict:
    return {"username": username, "password": password,
            "repeat": password if repeat is None else repeat}


@pytest.fixture
def account_id(engine) -> int:
    with writing(engine) as session:
        return auth.create_facilitator(session, data=_new_account()).id


# --- hashing -------------------------------------------------------------------------------------


def test_the_same_password_hashes_differently_and_both_hashes_verify():
    first = auth.hash_password(PASSWORD)
    second = auth.hash_password(PASSWORD)

    assert first != second
    assert auth.password_matches(PASSWORD, first)
    assert auth.password_matches(PASSWORD, second)


def test_a_hash_names_its_scheme_and_cost_and_carries_a_16_byte_salt():
    scheme, n, r, p, salt, digest = auth.hash_password(PASSWORD).split("$")

    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32


def test_a_wrong_password_does_not_match():
    stored = auth.hash_password(PASSWORD)

    assert not auth.password_matches("riverbend-2026", stored)


@pytest.mark.parametrize("stored", [
    "",
    "not a hash",
    "scrypt$16384$8$1$c2FsdA==",
    "scrypt$many$8$1$c2FsdHNhbHRzYWx0c2FsdA==$ZGlnZXN0",
    "scrypt$16384$8$1$not base64!$ZGlnZXN0",
    "scrypt$3$8$1$c2FsdHNhbHRzYWx0c2FsdA==$ZGlnZXN0",
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$$extra",
], ids=["empty", "words", "five parts", "cost not a number", "salt not base64",
        "cost not a power of two", "seven parts"])
def test_a_malformed_stored_hash_never_matches(stored):
    assert auth.password_matches(PASSWORD, stored) is False


def test_a_hash_under_another_scheme_name_does_not_match():
    stored = auth.hash_password(PASSWORD).replace("scrypt$", "bcrypt$", 1)

    assert auth.password_matches(PASSWORD, stored) is False


# --- creating an account -------------------------------------------------------------------------


def test_create_facilitator_stores_a_hash_that_never_contains_the_password(engine, account_id):
    ((username, stored),) = _accounts(engine)

    assert username == "ana"
    assert PASSWORD not in stored
    assert base64.b64encode(PASSWORD.encode()).decode() not in stored
    assert stored.startswith("scrypt$")


@pytest.mark.parametrize(("data", "key"), [
    (_new_account(password="ninechars"), "password"),
    (_new_account(password=""), "password"),
    (_new_account(repeat="riverbend-2028"), "repeat"),
    (_new_account(username="  "), "username"),
], ids=["nine characters", "empty", "repeat differs", "no username"])
def test_create_facilitator_refuses_a_weak_or_mistyped_password(engine, data, key):
    with writing(engine) as session:
        with pytest.raises(Invalid) as caught:
            auth.create_facilitator(session, data=data)
        session.flush()
        count = session.exec(select(func.count(FacilitatorAccount.id))).one()

    assert set(caught.value.errors) == {key}
    assert count == 0


def test_create_facilitator_refuses_a_username_already_taken(engine, account_id):
    with writing(engine) as session, pytest.raises(Invalid) as caught:
        auth.create_facilitator(session, data=_new_account(username=" ana ",
                                                           password="another-password"))

    assert set(caught.value.errors) == {"username"}
    assert [name for name, _hash in _accounts(engine)] == ["ana"]


# --- signing in ----------------------------------------------------------------------------------


def test_sign_in_returns_the_account_id_for_the_right_password(engine, account_id):
    with reading(engine) as session:
        assert auth.sign_in(session, username=" ana ", password=PASSWORD) == account_id


@pytest.mark.parametrize(("username", "password"), [
    ("ana", "riverbend-2026"),
    ("ana", ""),
    ("bea", PASSWORD),
], ids=["wrong password", "empty password", "unknown name"])
def test_sign_in_returns_none_for_a_wrong_name_or_password(engine, account_id, username,
                                                           password):
    with reading(engine) as session:
        assert auth.sign_in(session, username=username, password=password) is None


def test_sign_in_works_with_the_exact_password_chosen_even_with_spaces_at_its_ends(engine):
    password = "  river bend 2027  "
    with writing(engine) as session:
        created = auth.create_facilitator(session, data=_new_account(password=password))

    with reading(engine) as session:
        assert auth.sign_in(session, username="ana", password=password) == created.id


# --- the first account from a secret -------------------------------------------------------------


def test_ensure_facilitator_from_secret_creates_the_first_account_once(engine):
    with writing(engine) as session:
        auth.ensure_facilitator_from_secret(session, PASSWORD)
    with writing(engine) as session:
        auth.ensure_facilitator_from_secret(session, "a-different-secret")

    accounts = _accounts(engine)
    assert [name for name, _hash in accounts] == ["facilitator"]
    assert auth.password_matches(PASSWORD, accounts[0][1])


def test_ensure_facilitator_from_secret_adds_nothing_when_an_account_exists(engine):
    with writing(engine) as session:
        session.add(FacilitatorAccount(username="ana", password_hash="scrypt$already$set"))

    with writing(engine) as session:
        auth.ensure_facilitator_from_secret(session, PASSWORD)

    assert _accounts(engine) == [("ana", "scrypt$already$set")]


@pytest.mark.parametrize("secret", [None, ""])
def test_ensure_facilitator_from_secret_without_a_secret_creates_nothing(engine, secret):
    with writing(engine) as session:
        auth.ensure_facilitator_from_secret(session, secret)
        assert auth.has_facilitator(session) is False
