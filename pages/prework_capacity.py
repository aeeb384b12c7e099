"""What a partner can commit each month, and the months it cannot."""

from datetime import date

import streamlit as st

from models import pacing, prework
from models.db import reading
from models.schema import Workshop
from ui.forms import field_error, form_error, seed, show_conflict
from ui.prework import header, partner_link, save_section
from ui.state import engine, form_errors, show_flash

access = partner_link()
locked = header(access, "4 · What you can commit, month by month")
show_flash()
st.write("How many staff hours a month can your organization give the partnership? Tell us "
         "too about months you cannot commit (an audit, a move, a busy season), so the plan "
         "does not count on you then.")
with reading(engine()) as session:
    rows = {row.month: row for row in prework.own_capacity(session, access)}
    held_on = session.get(Workshop, access.workshop_id).held_on
months = sorted(set(pacing.months_from(pacing.first_of_month(held_on), 18)) | set(rows))

if rows:
    st.subheader("Months you have given")
    for month, row in rows.items():
        words, remove = st.columns([5, 1])
        words.write(f"**{month:%B %Y}**: " + (f"cannot commit ({row.note})" if row.unavailable
                                             else f"{row.hours:g} hours"
                                             + (f" · {row.note}" if row.note else "")))
        remove.button("Remove", key=f"cap{row.id}_remove", disabled=locked,
                      on_click=lambda capacity_id=row.id: save_section(
                          "capacity", access, lambda s, p: prework.delete_own_capacity(
                              s, access=access, capacity_id=capacity_id,
                              actor=f"partner:{p.id}")))

st.subheader("Add or change a month")
errors = form_errors("capacity")
seed("cap_month", months[0])
st.selectbox("Month", months, key="cap_month", format_func=lambda m: f"{m:%B %Y}",
             disabled=locked)
chosen: date = st.session_state["cap_month"]
current = rows.get(chosen)
st.checkbox("We cannot commit anything this month", key="cap_unavailable", disabled=locked)
if not st.session_state["cap_unavailable"]:
    st.number_input("Staff hours we can commit", min_value=None, value=None, step=5.0,
                    key="cap_hours", format="%g", disabled=locked)
    field_error(errors, "hours")
st.text_input("Note (why we cannot, or anything to know)", key="cap_note", disabled=locked)
field_error(errors, "note")
field_error(errors, "month")
theirs = show_conflict("capacity", {"hours": "Hours", "unavailable": "Cannot commit",
                                    "note": "Note"},
                       {"hours": st.session_state.get("cap_hours"),
                        "unavailable": st.session_state["cap_unavailable"],
                        "note": st.session_state["cap_note"]})
form_error(errors)
if current is not None and not theirs:
    st.caption(f"You gave {chosen:%B %Y} before; saving replaces it.")
version = theirs.get("version") if theirs else (current.version if current else None)


def save_month() -> None:
    state = st.session_state
    save_section("capacity", access, lambda s, p: pacing.save_capacity(
        s, partner_id=p.id, month=state["cap_month"], hours=state.get("cap_hours"),
        unavailable=state["cap_unavailable"], note=state["cap_note"], expected_version=version,
        actor=f"partner:{p.id}"))


st.button("Save mine over theirs" if theirs else "Save this month", type="primary",
          key="cap_save", disabled=locked, on_click=save_month)
