"""The leadership review, reached only through the read-only review link: the agreed summary,
the latest check-in's progress, and a leader's decision on the summary. Recording that decision
is the only thing this link can change."""

import streamlit as st

from models import checkin_report
from models import summary as summaries
from models.clock import utcnow
from models.db import reading
from models.links import LinkAccess
from models.schema import SignOffDecision
from ui import projector
from ui.downloads import checkin_downloads, download_buttons
from ui.forms import field_error, form_error, save
from ui.progress_view import show_progress, successes_panel
from ui.state import engine, form_errors, require, show_flash
from ui.summary_view import show_summary
from ui.text import plain

DECISIONS = {SignOffDecision.APPROVED: "Approve the summary",
             SignOffDecision.CHANGES_REQUESTED: "Ask for changes"}
RECORDED = {SignOffDecision.APPROVED: "approved", SignOffDecision.CHANGES_REQUESTED:
            "changes requested"}

link = require("leadership").link
projector.apply_styles()
with reading(engine()) as session:
    summary = summaries.build_summary(session, link.workshop_id)
    if summary is not None:
        balance = summaries.summary_balance(session, link.workshop_id)
        signed = summaries.sign_offs(session, link.workshop_id, summary.version)
        progress = checkin_report.latest_report(session, link.workshop_id)
if summary is None:
    st.title("This review is not available")
    st.write("The workshop was removed. Please ask your facilitator.")
    st.stop()

# The version this reader opened: a sign-off names it, so a change while they read is caught.
OPENED = f"review_version_{link.workshop_id}"
st.session_state.setdefault(OPENED, summary.version)

st.title(f"Review: {summary.name}")
st.caption(f"Version {summary.version}. This link is read-only: read the summary, then approve "
           "it or ask for changes at the bottom of the page.")
show_flash()
if summaries.approvals_lapsed(signed):
    st.warning("The summary changed after some approvals: they applied to an earlier version.")
if st.session_state[OPENED] != summary.version:
    st.warning("The summary changed while you were reading it. What you see now is the new "
               "version: please read it again before you sign.")
    st.button("I have read the new version", key="review_reread",
              on_click=lambda: st.session_state.update({OPENED: summary.version}))

st.subheader("Take it with you")
download_buttons(summary, with_backup=False)
if progress is not None:
    with st.expander(f"Progress since the workshop: the check-in of "
                     f"{summaries.day(progress.held_on)}", expanded=True):
        successes_panel(progress.successes, progress.since)
        show_progress(progress, projector=False, key="review_progress")
        checkin_downloads(progress, with_calendar=False)
show_summary(summary, projector=False, balance=balance)


def sign(access: LinkAccess, version: str) -> None:
    state = st.session_state
    data = {"partner_id": state["review_partner"], "decision": state["review_decision"],
            "name": state["review_name"], "title": state["review_title"],
            "comment": state["review_comment"]}
    who = ", ".join(plain(part.strip()) for part in (data["name"], data["title"])
                    if part.strip())
    done = (f"Recorded: {RECORDED[data['decision']]} by {who}, on "
            f"{summaries.day(utcnow().date())}, for version {version}.")
    save("signoff", lambda s: summaries.record_sign_off(s, access=access, version=version,
                                                         data=data), done)


st.header("Your decision")
errors = form_errors("signoff")
names = {partner.id: partner.name for partner in summary.partners}
st.selectbox("Your organization", list(names), format_func=names.__getitem__,
             key="review_partner", index=None, placeholder="Choose your organization")
field_error(errors, "partner_id")
st.text_input("Your name", key="review_name", max_chars=120)
field_error(errors, "name")
st.text_input("Your title", key="review_title", max_chars=120,
              placeholder="e.g. Chief Executive Officer")
field_error(errors, "title")
st.radio("Your decision", list(DECISIONS), format_func=DECISIONS.__getitem__,
         key="review_decision")
field_error(errors, "decision")
st.text_area("Comment", key="review_comment", max_chars=4000,
             help="Needed when you ask for changes: say what should change.")
field_error(errors, "comment")
form_error(errors)
st.button("Record my decision", type="primary", key="review_sign", on_click=sign,
          args=(link, st.session_state[OPENED]))
