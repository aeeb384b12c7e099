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
        st.session_state.setdefault("conflicts", {})[form] = exc.current
        return False
    st.session_state.setdefault("conflicts", {}).pop(form, None)
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


def conflict(form: str) -> dict[str, Any] | None:
    """What another person saved when this form's save was refused as stale, if it was."""
    return st.session_state.get("conflicts", {}).get(form)


def show_conflict(form: str, labels: dict[str, str], typed: dict[str, Any]) -> dict | None:
    """Show, field by field, what the other person saved where it differs from what was typed.

    Returns their saved row, so the page can offer to keep their version or save over it.
    """
    theirs = conflict(form)
    if not theirs:
        return None
    different = [field for field in labels if theirs.get(field) != typed.get(field)]
    lines = [f"- **{labels[field]}**: {theirs.get(field) or '(empty)'}" for field in different]
    st.warning("Someone else saved this section a moment ago. What they saved, where it "
               "differs from yours:\n\n" + ("\n".join(lines) or "- nothing: the same words"))
    return theirs
