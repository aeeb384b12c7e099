"""The quick grid that takes a whole room's ratings in seconds: one row per person (or per partner
speaking as one), eight buttons, and a reason box that matters for 5 to 8."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from models.ratings import Rater
from models.rules import GRADIENTS
from models.schema import Partner, Rating
from ui.forms import conflict, field_error, save, seed
from ui.partners import chip

SCALE = list(GRADIENTS)
LEGEND = " · ".join(f"**{value}** {label.lower()}" for value, label in GRADIENTS.items())


def rating_grid(prefix: str, raters: list[Rater], partners: list[Partner],
                current: list[Rating], errors: dict[str, str]) -> None:
    """Draw the grid; earlier ratings of the same thing are filled in, ready to correct."""
    st.caption(LEGEND)
    earlier = {f"{r.partner_id}-{r.participant_id or 'all'}": r for r in current}
    seed(f"{prefix}__seen", {key: rating.id for key, rating in earlier.items()})
    for partner in partners:
        rows = [rater for rater in raters if rater.partner_id == partner.id]
        if not rows:
            continue
        st.html(chip(partner.name, partner.colour))
        for rater in rows:
            _row(prefix, rater, earlier.get(rater.key), errors)


def _row(prefix: str, rater: Rater, earlier: Rating | None, errors: dict[str, str]) -> None:
    value_key, reason_key = f"{prefix}_{rater.key}_value", f"{prefix}_{rater.key}_reason"
    if earlier is not None:
        seed(value_key, earlier.value)
        seed(reason_key, earlier.reason)
    name, buttons, reason = st.columns([2, 4, 4], vertical_alignment="center")
    name.markdown(f"**{rater.label}**")
    with buttons:
        st.segmented_control(f"Rating from {rater.label}", SCALE, key=value_key,
                             label_visibility="collapsed")
        field_error(errors, f"rating.{rater.key}.value")
    with reason:
        st.text_input(f"Reason from {rater.label}", key=reason_key,
                      label_visibility="collapsed", placeholder="Reason (needed for 5 to 8)")
        field_error(errors, f"rating.{rater.key}.reason")


def record_grid(prefix: str, raters: list[Rater],
                write: Callable[[Session, list[dict], dict[str, int | None]], object]) -> None:
    """Record the grid. It names the ratings it showed, so a rating given meanwhile in another
    window is refused, not replaced; after the refusal, recording again replaces it knowingly."""
    seen = st.session_state.get(f"{prefix}__seen", {})
    ratings = read_grid(prefix, raters)
    if save(prefix, lambda session: write(session, ratings, seen), "Ratings recorded."):
        st.session_state.pop(f"{prefix}__seen", None)
    elif (theirs := conflict(prefix)) is not None:
        key = f"{theirs['partner_id']}-{theirs['participant_id'] or 'all'}"
        st.session_state[f"{prefix}__seen"] = {**seen, key: theirs["id"]}


def read_grid(prefix: str, raters: list[Rater]) -> list[dict]:
    """The ratings the grid holds now; rows left blank are not a rating."""
    ratings = []
    for rater in raters:
        value = st.session_state.get(f"{prefix}_{rater.key}_value")
        if value is not None:
            ratings.append({"partner_id": rater.partner_id, "participant_id": rater.participant_id,
                            "value": value,
                            "reason": st.session_state.get(f"{prefix}_{rater.key}_reason", "")})
    return ratings


def ratings_line(ratings: list[Rating], partners: list[Partner]) -> str:
    """Each partner's ratings in a line: "Northside: 2, 3 · Marlow: 1"."""
    parts = []
    for partner in partners:
        values = [str(r.value) for r in ratings if r.partner_id == partner.id]
        if values:
            parts.append(f"{partner.name}: {', '.join(values)}")
    return " · ".join(parts) if parts else "No ratings yet."
