"""Concord's frame: who is this, which pages may they see, and the chrome around them.

A page that is not registered for a role does not exist for it: a partner's link cannot reach a
facilitator page by URL, because that page is never handed to ``st.navigation``. Each page also
checks the role itself (``ui.state.require``). Because our screens live in ``pages/``, Streamlit
runs a page named in a fresh server's first request directly, without this frame; the page then
hands that request, and every later one, to this frame.
"""

import logging

import streamlit as st

from models.kept import one_stamp_per_rerun
from ui import chrome
from ui.navigation import pages_for
from ui.state import current_role, role_for_this_run

log = logging.getLogger("concord")

st.set_page_config(page_title="Concord", page_icon="🤝", layout="wide")

with one_stamp_per_rerun():  # the sidebar and the page read the change stamp once
    role = current_role()
    page = st.navigation(pages_for(role),
                         position="sidebar" if role.kind in ("facilitator", "partner")
                         else "hidden")
    chrome.sidebar(role)
    try:
        with role_for_this_run(role):
            page.run()
    except Exception:  # Streamlit's own stop and rerun are not Exceptions: they pass through
        log.exception("Unexpected error on %s for a %s", page.title, role.kind)
        st.error("Something went wrong on this page. Everything already saved is safe. Please "
                 "try again; if it happens again, tell the facilitator.")
