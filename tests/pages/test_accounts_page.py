"""The Facilitators page: the accounts listed without hashes, a second facilitator added who can
then sign in, and a facilitator changing their own password."""

from __future__ import annotations

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from models.db import reading
from models.schema import AuditEvent, FacilitatorAccount
from tests.pages.conftest import PASSWORD, new_app, texts

COLLEAGUE = "bea's own long password"
NEW = "a fresh long password"


def _click(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def _signed_in(username: str = "facilitator", password: str = PASSWORD) -> AppTest:
    at = new_app().run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    return at


def _accounts_page(at: AppTest) -> AppTest:
    at.switch_page("pages/accounts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Facilitators"
    return at


def test_the_page_lists_accounts_by_name_and_date_and_never_a_hash(app_db):
    at = _accounts_page(_signed_in())

    shown = texts(at)
    assert "**facilitator** (you) · added " in shown
    with reading(app_db) as session:
        (stored,) = session.exec(select(FacilitatorAccount.password_hash)).all()
    assert stored not in shown
    assert "scrypt" not in shown


def test_add_a_facilitator_who_then_signs_in(app_db):
    at = _accounts_page(_signed_in())
    at.text_input(key="add_username").input("bea")
    at.text_input(key="add_password").input(COLLEAGUE)
    at.text_input(key="add_repeat").input("bea's own long passwore")
    _click(at, "Add facilitator")

    assert [e.value for e in at.error] == ["The two passwords are not the same."]
    assert at.text_input(key="add_username").value == "bea"
    assert at.text_input(key="add_password").value == COLLEAGUE

    at.text_input(key="add_repeat").input(COLLEAGUE)
    _click(at, "Add facilitator")

    assert not at.error
    assert [s.value for s in at.success] == ["bea can now sign in as a facilitator."]
    assert "**bea** · added " in texts(at)
    assert at.text_input(key="add_password").value == ""
    with reading(app_db) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.action, event.after["username"]) == (
        "facilitator:facilitator", "create", "bea")

    at = _signed_in("bea", COLLEAGUE)
    assert at.title[0].value == "Set-up"
    assert at.sidebar.caption[-1].value == "Signed in as bea"


def test_a_name_already_taken_is_refused_next_to_the_name(app_db):
    at = _accounts_page(_signed_in())
    at.text_input(key="add_username").input("facilitator")
    at.text_input(key="add_password").input(COLLEAGUE)
    at.text_input(key="add_repeat").input(COLLEAGUE)
    _click(at, "Add facilitator")

    assert [e.value for e in at.error] == ["That name is taken; please choose another."]


def test_change_own_password_needs_the_current_one(app_db):
    at = _accounts_page(_signed_in())
    at.text_input(key="change_current").input("not my password")
    at.text_input(key="change_password").input(NEW)
    at.text_input(key="change_repeat").input(NEW)
    _click(at, "Change password")

    assert [e.value for e in at.error] == ["That is not your current password."]
    assert at.text_input(key="change_password").value == NEW

    at.text_input(key="change_current").input(PASSWORD)
    _click(at, "Change password")
    assert not at.error
    assert [s.value for s in at.success] == [
        "Your password is changed. Use the new one next time you sign in."]
    with reading(app_db) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.action) == ("facilitator:facilitator", "update")
    assert PASSWORD not in str([event.before, event.after])
    assert NEW not in str([event.before, event.after])

    assert _signed_in(password=PASSWORD).title[0].value == "Concord"
    assert _signed_in(password=NEW).title[0].value == "Set-up"


@pytest.mark.usefixtures("app_db")
def test_the_page_run_alone_refuses_anyone_not_signed_in():
    at = new_app("pages/accounts.py").run()

    assert at.title[0].value == "This page is not available"
    assert "facilitator" not in texts(at)
