"""First start and sign-in, through the real sign-in page."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from models.db import make_engine, reading
from models.schema import FacilitatorAccount
from tests.pages.conftest import PASSWORD, new_app


def test_first_start_asks_for_a_password_and_keeps_input_on_error(new_app_database, monkeypatch):
    monkeypatch.delenv("CONCORD_FACILITATOR_PASSWORD", raising=False)
    at = new_app().run()
    assert at.subheader[0].value == "Welcome. Choose the facilitator's password"

    at.text_input(key="first_password").input("too short")
    at.text_input(key="first_repeat").input("too short")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Please choose at least 10 characters."]
    assert at.text_input(key="first_password").value == "too short"

    at.text_input(key="first_password").input("a long new password")
    at.text_input(key="first_repeat").input("a long new passwore")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["The two passwords are not the same."]

    at.text_input(key="first_repeat").input("a long new password")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Set-up"
    engine = make_engine(new_app_database)
    with reading(engine) as session:
        accounts = session.exec(select(FacilitatorAccount)).all()
    engine.dispose()
    assert [a.username for a in accounts] == ["facilitator"]
    assert "a long new password" not in accounts[0].password_hash


@pytest.mark.usefixtures("app_db")
def test_sign_in_refuses_a_wrong_password_then_accepts_the_right_one():
    at = new_app().run()
    assert at.subheader[0].value == "Facilitator sign-in"
    at.text_input(key="signin_password").input("not the password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "That name and password do not match. Please try again."]
    assert at.title[0].value == "Concord"

    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Set-up"
    assert "Riverbend Integrated Care Partnership" in at.subheader[0].value


@pytest.mark.usefixtures("app_db")
def test_password_from_the_environment_is_the_first_password_and_sign_out_works():
    at = new_app().run()
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    at.sidebar.button(key="sign_out").click().run()
    assert at.title[0].value == "Concord"
    assert at.subheader[0].value == "Facilitator sign-in"


# --- throttling, expiry and signing out ----------------------------------------------------------

HOUR = 3600
TOO_MANY = "Too many tries. Please wait 15 minutes, or ask another facilitator."
EXPIRED = "You were signed out after a while without activity. Please sign in again."


def _signed_in_app() -> AppTest:
    at = new_app().run()
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.title[0].value == "Set-up"
    return at


@pytest.mark.usefixtures("app_db")
def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_a_plain_message():
    at = new_app().run()
    for _ in range(5):
        at.text_input(key="signin_password").input("not the password")
        at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "That name and password do not match. Please try again."]

    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert [e.value for e in at.error] == [TOO_MANY]
    assert at.title[0].value == "Concord"
    assert "facilitator_id" not in at.session_state


@pytest.mark.usefixtures("app_db")
def test_an_unknown_name_gets_the_same_messages_as_a_known_one():
    at = new_app().run()
    at.text_input(key="signin_username").input("someone else")
    for _ in range(6):
        at.text_input(key="signin_password").input("not the password")
        at.button[0].click().run()
    assert [e.value for e in at.error] == [TOO_MANY]


@pytest.mark.usefixtures("app_db")
def test_signing_in_starts_the_session_clock_and_each_run_counts_as_activity():
    before = time.time()
    at = _signed_in_app()
    signed_in_at = at.session_state["facilitator_signed_in_at"]
    assert before <= signed_in_at <= at.session_state["facilitator_seen_at"] <= time.time()

    at.session_state["facilitator_seen_at"] = time.time() - 30 * 60
    at.run()
    assert at.title[0].value == "Set-up"
    assert at.session_state["facilitator_seen_at"] >= before
    assert at.session_state["facilitator_signed_in_at"] == signed_in_at


@pytest.mark.usefixtures("app_db")
@pytest.mark.parametrize(("signed_in_ago", "seen_ago"), [(2 * HOUR, 61 * 60),
                                                         (8 * HOUR + 60, 60)],
                         ids=["idle 61 minutes", "signed in over 8 hours ago"])
def test_an_expired_session_shows_the_sign_in_page_with_a_note(signed_in_ago, seen_ago):
    at = _signed_in_app()
    at.session_state["facilitator_signed_in_at"] = time.time() - signed_in_ago
    at.session_state["facilitator_seen_at"] = time.time() - seen_ago
    at.run()

    assert not at.exception
    assert at.title[0].value == "Concord"
    assert at.subheader[0].value == "Facilitator sign-in"
    assert [i.value for i in at.info] == [EXPIRED]
    for key in ("facilitator_id", "facilitator_signed_in_at", "facilitator_seen_at",
                "workshop_id"):
        assert key not in at.session_state
    with pytest.raises(ValueError):
        at.switch_page("pages/setup.py")

    at.run()
    assert not at.info  # the note is said once

    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.title[0].value == "Set-up"


@pytest.mark.usefixtures("app_db")
def test_sign_out_forgets_the_facilitator_and_the_open_workshop():
    at = _signed_in_app()
    assert at.session_state["workshop_id"] is not None

    at.sidebar.button(key="sign_out").click().run()

    assert at.subheader[0].value == "Facilitator sign-in"
    assert not at.info  # signing out on purpose needs no note
    for key in ("facilitator_id", "facilitator_signed_in_at", "facilitator_seen_at",
                "workshop_id"):
        assert key not in at.session_state
    with pytest.raises(ValueError):
        at.switch_page("pages/accounts.py")
