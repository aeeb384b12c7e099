"""What a partner can commit each month, and the months it cannot."""

from datetime import date

import streamlit as st

from models import pacing, prework
from models.db import reading
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    refill,
    seed,
    show_conflict,
)
from ui.prework import header, partner_form, partner_link, save_section
from ui.state import engine, form_errors

INTRO = ("How many staff hours a month can your organization give the partnership? Tell us "
         "too about months you cannot commit (an audit, a move, a busy season), so the plan "
         "does not count on you then.")

access = partner_link()
locked = header(access, "4 · What you can commit, month by month")


def save_month(prefix: str, version: int | None) -> None:
    state = st.session_state
    if save_section("capacity", access, lambda s, p: pacing.save_capacity(
            s, partner_id=p.id, month=state["cap_month"], hours=state.get(f"{prefix}_hours"),
            unavailable=state[f"{prefix}_unavailable"], note=state[f"{prefix}_note"],
            expected_version=version, actor=f"partner:{p.id}")):
        refill(prefix)


def remove_month(capacity_id: int) -> None:
    save_section("capacity", access, lambda s, p: prework.delete_own_capacity(
        s, access=access, capacity_id=capacity_id, actor=f"partner:{p.id}"))


@partner_form(INTRO)
def capacity_form() -> None:
    with reading(engine()) as session:
        rows = {row.month: row for row in prework.own_capacity(session, access)}
        months = prework.capacity_months(session, access)

    if rows:
        st.subheader("Months you have given")
        for month, row in rows.items():
            words, remove = st.columns([5, 1])
            words.write(f"**{month:%B %Y}**: " + (
                f"cannot commit ({row.note})" if row.unavailable
                else f"{row.hours:g} hours" + (f" · {row.note}" if row.note else "")))
            remove.button("Remove", key=f"cap{row.id}_remove", disabled=locked,
                          on_click=remove_month, args=(row.id,))

    st.subheader("Add or change a month")
    errors = form_errors("capacity")
    seed("cap_month", months[0])
    st.selectbox("Month", months, key="cap_month", format_func=lambda m: f"{m:%B %Y}",
                 disabled=locked)
    chosen: date = st.session_state["cap_month"]
    current = rows.get(chosen)
    # The fields follow the chosen month's saved values, and remember the version they were
    # filled at, so a save never goes over a change someone else made meanwhile.
    prefix = f"cap_{chosen:%Y_%m}"
    fill(prefix, ("month", chosen, current.id if current else None),
         {"hours": current.hours if current and not current.unavailable else None,
          "unavailable": current.unavailable if current else False,
          "note": current.note if current else ""},
         current.version if current else None)
    st.checkbox("We cannot commit anything this month", key=f"{prefix}_unavailable",
                disabled=locked)
    if not st.session_state[f"{prefix}_unavailable"]:
        st.number_input("Staff hours we can commit", min_value=None, step=5.0,
                        key=f"{prefix}_hours", format="%g", disabled=locked)
        field_error(errors, "hours")
    st.text_input("Note (why we cannot, or anything to know)", key=f"{prefix}_note",
                  disabled=locked)
    field_error(errors, "note")
    field_error(errors, "month")
    typed = {"hours": st.session_state.get(f"{prefix}_hours"),
             "unavailable": st.session_state[f"{prefix}_unavailable"],
             "note": st.session_state[f"{prefix}_note"]}
    theirs = show_conflict("capacity", {"hours": "Hours", "unavailable": "Cannot commit",
                                        "note": "Note"}, typed)
    form_error(errors)
    if current is not None and not theirs:
        st.caption(f"You gave {chosen:%B %Y} before; saving replaces it.")
    if theirs:
        conflict_buttons("capacity", prefix, theirs,
                         lambda: save_month(prefix, theirs.get("version")), disabled=locked)
    else:
        st.button("Save this month", type="primary", key="cap_save", disabled=locked,
                  on_click=save_month, args=(prefix, filled_version(prefix)))


capacity_form()
