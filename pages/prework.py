"""A partner's pre-work, at a glance: what is done, what is missing, a note, and submission.

Reached only through the partner's private link; everything here belongs to that partner.
"""

import streamlit as st

from models import prework
from models.db import reading
from models.prework import SECTION_TITLES
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    refill,
    save,
    show_conflict,
)
from ui.prework import (
    header,
    local_time,
    partner_form,
    partner_link,
    redraw_page_if_closed,
    save_section,
)
from ui.state import engine, form_errors

SECTION_PAGES = {"mission": "pages/prework_mission.py",
                 "expectations": "pages/prework_expectations.py",
                 "topics": "pages/prework_topics.py", "capacity": "pages/prework_capacity.py"}

INTRO = ("Before the workshop, tell us where your organization stands. Only your organization "
         "sees these pages; the other partners see your answers only when the facilitator "
         "shows them in the room. Each section saves on its own, so you can stop and come back "
         "to this link at any time.")

access = partner_link()
locked = header(access, "Your pre-work")


def save_note() -> None:
    if save_section("note", access, lambda s, p: prework.save_note(
            s, access=access, note=st.session_state["note_text"],
            expected_version=filled_version("note"), actor=f"partner:{p.id}")):
        refill("note")


def submit() -> None:
    if not save("submit", lambda s: prework.submit(s, access=access,
                                                   actor=f"partner:{access.partner_id}"),
                "Thank you: your pre-work is submitted."):
        redraw_page_if_closed("submit")


@partner_form(INTRO)
def overview() -> None:
    with reading(engine()) as session:
        [mine] = prework.progress(session, access.workshop_id, partner_id=access.partner_id)
        note_row = prework.own_progress_row(session, access)

    st.subheader(f"{mine.percent} % complete")
    for number, section in enumerate(mine.sections, start=1):
        done = ("✓ Complete" if section.complete
                else "Still needed: " + "; ".join(section.missing[:4]))
        if len(section.missing) > 4:
            done += f"; and {len(section.missing) - 4} more"
        st.page_link(SECTION_PAGES[section.section],
                     label=f"{number} · {SECTION_TITLES[section.section]}")
        st.caption(done)

    st.subheader("Anything else the facilitator should know?")
    errors = form_errors("note")
    fill("note", access.partner_id, {"text": note_row.note_to_facilitator}, note_row.version)
    st.text_area("A note for the facilitator (only the facilitator reads it)", key="note_text",
                 disabled=locked, height=110)
    field_error(errors, "note")
    theirs = show_conflict("note", {"note_to_facilitator": "Note"},
                           {"note_to_facilitator": st.session_state["note_text"]})
    form_error(errors)
    if theirs:
        conflict_buttons("note", "note", theirs, save_note, disabled=locked)
    else:
        st.button("Save the note", key="note_save", disabled=locked, on_click=save_note)

    st.subheader("Submit")
    if mine.submitted_at is not None:
        st.success(f"Submitted at {local_time(mine.submitted_at)} on "
                   f"{mine.submitted_at:%d %B}. You can still change your answers until the "
                   "facilitator locks pre-work.")
    else:
        st.write("Submit when you are ready. Gaps are fine: the facilitator can fill them in "
                 "with you in the room.")
    st.button("Submit pre-work" if mine.submitted_at is None else "Submit again",
              type="primary", key="submit", disabled=locked, on_click=submit)
    form_error(form_errors("submit"))


overview()
