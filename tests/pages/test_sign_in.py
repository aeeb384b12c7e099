"""First start and sign-in, through the real sign-in page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import make_engine, reading
from models.schema import FacilitatorAccount
from tests.pages.conftest import PASSWORD, new_app


def test_first_start_asks_for_a_password_and_keeps_input_on_error(tmp_path, monkeypatch):
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
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with reading(engine) as session:
        accounts = session.exec(select(FacilitatorAccount)).all()
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
