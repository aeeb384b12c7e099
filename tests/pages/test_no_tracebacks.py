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
