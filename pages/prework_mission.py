"""A partner's own mission, values, what it brings and what it needs."""

import streamlit as st

from models import mission
from models.db import reading
from models.mission import MISSION_FIELDS
from models.prework import own_mission
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    refill,
    show_conflict,
)
from ui.prework import header, local_time, partner_form, partner_link, save_section
from ui.state import engine, form_errors

QUESTIONS = {
    "mission": ("Your organization's mission", "In a sentence or two: why does your "
                "organization exist, and for whom?"),
    "values": ("Your values", "The principles you will not give up, e.g. recovery, access "
               "for all, privacy."),
    "brings": ("What you bring to the partnership", "Staff, skills, space, data, funding, "
               "relationships…"),
    "needs": ("What you need from it", "What would make this partnership worth it for you?"),
}

access = partner_link()
locked = header(access, "1 · Your mission")


def save_mission() -> None:
    data = {field: st.session_state[f"mine_{field}"] for field in MISSION_FIELDS}
    if save_section("mission", access, lambda s, p: mission.save_partner_mission(
            s, partner_id=p.id, data=data, expected_version=filled_version("mine"),
            actor=f"partner:{p.id}")):
        refill("mine")


@partner_form()
def mission_form() -> None:
    with reading(engine()) as session:
        row = own_mission(session, access)
    if row is not None:
        st.caption(f"Last saved at {local_time(row.updated_at)} on {row.updated_at:%d %B}.")

    errors = form_errors("mission")
    fill("mine", access.partner_id,
         {field: getattr(row, field) if row else "" for field in MISSION_FIELDS},
         row.version if row else None)
    for field in MISSION_FIELDS:
        label, help_text = QUESTIONS[field]
        st.text_area(label, key=f"mine_{field}", help=help_text, placeholder=help_text,
                     disabled=locked, height=110)
        field_error(errors, field)

    typed = {field: st.session_state[f"mine_{field}"] for field in MISSION_FIELDS}
    theirs = show_conflict("mission", {f: QUESTIONS[f][0] for f in MISSION_FIELDS}, typed,
                           saved=row.model_dump() if row else None)
    form_error(errors)
    if theirs:
        conflict_buttons("mission", "mine", theirs, save_mission, disabled=locked)
    else:
        st.button("Save", type="primary", key="mission_save", disabled=locked,
                  on_click=save_mission)


mission_form()
