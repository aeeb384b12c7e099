"""Form pieces: a write with its outcome reported, and each message shown under its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlmodel import Session

from models.db import writing
from models.validation import Conflict, Invalid
from ui.state import clear_form_errors, engine, flash, set_form_errors


def save(form: str, write: Callable[[Session], Any], done: str) -> bool:
    """Run one write; on bad input or a conflict keep the messages for the form and return False.

    The widgets keep what was typed, because their values live in session state under their keys.
    """
    try:
        with writing(engine()) as session:
            write(session)
    except Invalid as exc:
        set_form_errors(form, exc.errors)
        return False
    except Conflict as exc:
        set_form_errors(form, {"form": str(exc)})
        return False
    clear_form_errors()  # messages describe the last action; older ones would only confuse
    flash(done)
    return True


def field_error(errors: dict[str, str], field: str) -> None:
    message = errors.get(field)
    if message:
        st.error(message, icon="⚠️")


def form_error(errors: dict[str, str]) -> None:
    """Messages that belong to the form as a whole rather than to one field."""
    message = errors.get("form")
    if message:
        st.error(message, icon="⚠️")


def seed(key: str, value: Any) -> None:
    """Give a widget its starting value once, without fighting what the user types later."""
    if key not in st.session_state:
        st.session_state[key] = value


def seed_from(prefix: str, source: object, values: dict[str, Any]) -> None:
    """Fill a form from a source, and again whenever the source changes (a new round, say);
    between changes, what the user typed stays."""
    marker = f"{prefix}__source"
    if st.session_state.get(marker) != source:
        for field, value in values.items():
            st.session_state[f"{prefix}_{field}"] = value
        st.session_state[marker] = source
