"""An unexpected error shows a calm message on the page and is logged with its details on the
server; the user never sees a traceback."""

from __future__ import annotations

import logging

import pytest

from tests.pages.conftest import as_role, demo_workshop_id, new_app


def test_an_unexpected_error_is_a_message_not_a_traceback(app_db, monkeypatch, caplog):
    from models import overview

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away in the middle of a sentence")

    monkeypatch.setattr(overview, "setup_view", broken)
    at = new_app()
    as_role(app_db, "facilitator", demo_workshop_id(app_db))(at)
    with caplog.at_level(logging.ERROR, logger="concord"):
        at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Something went wrong on this page. Everything already saved is safe. Please try "
        "again; if it happens again, tell the facilitator."]
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "the database went away" not in shown and "Traceback" not in shown
    assert "the database went away in the middle of a sentence" in caplog.text


@pytest.mark.parametrize("setting", ["client.showErrorDetails"])
def test_error_details_are_off_for_users(setting):
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" /
                            "config.toml").read_text())
    section, key = setting.split(".")
    assert config[section][key] == "none"


def test_an_unexpected_error_while_saving_keeps_the_input_and_changes_nothing(app_db, monkeypatch,
                                                                              caplog):
    """A save runs in a callback, before the page: its failure is a message under the form, the
    transaction is rolled back, and what was typed stays."""
    from sqlmodel import select

    from models import changes
    from models.db import reading
    from models.schema import Workshop

    workshop_id = demo_workshop_id(app_db)
    at = new_app()
    as_role(app_db, "facilitator", workshop_id)(at)
    at.run()
    at.switch_page("pages/setup.py").run()
    prefix = f"ws{workshop_id}"
    with reading(app_db) as session:
        name_before = session.exec(select(Workshop.name).where(Workshop.id == workshop_id)).one()

    def broken(*args, **kwargs):
        raise RuntimeError("disk I/O error in the middle of a sentence")

    monkeypatch.setattr(changes, "audit", broken)
    at.text_input(key=f"{prefix}_name").input("A new name for the workshop")
    with caplog.at_level(logging.ERROR, logger="concord"):
        at.button(key=f"{prefix}_save").click().run()
    assert not at.exception
    assert "Something went wrong while saving, so nothing was changed. What you typed is still " \
           "here; please try again." in [e.value for e in at.error]
    assert at.text_input(key=f"{prefix}_name").value == "A new name for the workshop"
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "disk I/O error" not in shown and "Traceback" not in shown
    assert "disk I/O error in the middle of a sentence" in caplog.text
    with reading(app_db) as session:
        assert session.exec(select(Workshop.name)
                            .where(Workshop.id == workshop_id)).one() == name_before
