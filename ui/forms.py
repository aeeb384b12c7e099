"""Form pieces: a write with its outcome reported, each message shown under its field, and forms
filled from a saved row that remember which version of it they were filled from."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st
from sqlmodel import Session

from models.db import writing
from models.validation import Conflict, Invalid
from ui.state import clear_form_errors, engine, flash, set_form_errors
from ui.text import plain

_NEVER = object()  # the mark of a form not filled yet, since a row's key may be None
log = logging.getLogger("concord")
SAVE_FAILED = ("Something went wrong while saving, so nothing was changed. What you typed is "
               "still here; please try again.")


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
    except Exception:  # a bug or a database failure: the write was rolled back as a whole
        log.exception("Unexpected error while saving %s", form)
        set_form_errors(form, {"form": SAVE_FAILED})
        return False
    st.session_state.setdefault("conflicts", {}).pop(form, None)
    clear_form_errors()  # messages describe the last action; older ones would only confuse
    flash(done)
    return True


def pick_one(label: str, options: dict[Any, str], key: str) -> Any:
    """Which one of a list to change: its form alone is drawn. A form for every row of a long
    list is slow to redraw after each click and hard to read on the wall."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # removed meanwhile, here or in another window
    return st.selectbox(label, list(options), index=None, format_func=options.__getitem__,
                        placeholder="Choose one", key=key)


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


def fill(prefix: str, row_key: object, values: dict[str, Any], version: int | None) -> None:
    """Fill the widgets ``{prefix}_{field}`` from a saved row, and note the row's version then.

    A save must carry that version (``filled_version``), not the row's version at the moment of
    the click: otherwise a rerun after someone else's save would pass their version along with
    the old values still in the form, and their save would be silently overwritten.

    Once something is typed, later reruns leave the form alone. While nothing is typed (or
    Streamlit forgot the values, because the form was off the screen), the form follows the
    saved row, so it never shows old values for no reason. Someone saving other columns of the
    same row (a status, the pre-work lock) changes nothing the form shows, so the form takes the
    new version rather than report a conflict about nothing.
    """
    state = st.session_state
    keys = {f"{prefix}_{field}": value for field, value in values.items()}
    filled = state.get(f"{prefix}__values")
    typed = filled is not None and any(
        state.get(key, filled.get(key)) != filled.get(key) for key in keys)
    if state.get(f"{prefix}__filled", _NEVER) != row_key or not typed:
        for key, value in keys.items():
            if state.get(key, _NEVER) != value:  # setting a widget's value redraws it
                state[key] = value
        state[f"{prefix}__filled"] = row_key
        state[f"{prefix}__values"] = keys
        state[f"{prefix}__version"] = version
        return
    if keys == filled:
        state[f"{prefix}__version"] = version
    for key, value in filled.items():
        seed(key, value)  # a field the form hid on the last run, which Streamlit then forgot


def filled_version(prefix: str) -> int | None:
    """The version of the row the form was filled from: the one its save must expect."""
    return st.session_state.get(f"{prefix}__version")


def filled_value(prefix: str, field: str) -> Any:
    """A value as the form was filled with it, such as one the form carries but does not show."""
    return st.session_state.get(f"{prefix}__values", {}).get(f"{prefix}_{field}")


def refill(prefix: str) -> None:
    """Fill the form again from the database on the next run: after a save, or to take theirs."""
    st.session_state.pop(f"{prefix}__filled", None)
    st.session_state.pop(f"{prefix}__values", None)


def conflict(form: str) -> dict[str, Any] | None:
    """What another person saved when this form's save was refused as stale, if it was."""
    return st.session_state.get("conflicts", {}).get(form)


def show_conflict(form: str, labels: dict[str, str], typed: dict[str, Any], *,
                  saved: dict[str, Any] | None = None,
                  words: dict[str, Callable[[Any], str]] | None = None) -> dict | None:
    """Show, field by field, what the other person saved where it differs from what was typed.

    ``saved`` is the row as read now, for a refusal that could not say what they saved (they
    created the row first); ``words`` turns a field's value into what the form calls it.
    Returns their saved row, so the page can offer to keep their version or save over it.
    """
    theirs = conflict(form)
    if theirs is None:
        return None
    theirs = theirs or saved
    if not theirs:
        return None
    words = words or {}
    lines = []
    for field, label in labels.items():
        say = words.get(field, _plain_value)
        if say(theirs.get(field)) != say(typed.get(field)):
            lines.append(f"- **{label}**: {plain(say(theirs.get(field)))}")
    st.warning("Someone else saved this section a moment ago. What they saved, where it "
               "differs from yours:\n\n" + ("\n".join(lines) or "- nothing: the same words"))
    return theirs


def conflict_buttons(form: str, prefix: str, theirs: dict[str, Any],
                     save_mine: Callable[[], object], *, disabled: bool = False) -> None:
    """The two ways out of a conflict: save what I typed over theirs, or take theirs."""
    keep, take = st.columns(2)
    keep.button("Save mine over theirs", key=f"{form}_overwrite", disabled=disabled,
                on_click=_save_over, args=(prefix, theirs.get("version"), save_mine))
    take.button("Use their version", key=f"{form}_take", on_click=use_theirs,
                args=(form, prefix))


def use_theirs(form: str, prefix: str) -> None:
    st.session_state.setdefault("conflicts", {}).pop(form, None)
    st.session_state.setdefault("form_errors", {}).pop(form, None)
    refill(prefix)


def _save_over(prefix: str, their_version: int | None, save_mine: Callable[[], object]) -> None:
    st.session_state[f"{prefix}__version"] = their_version
    save_mine()


def _plain_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
