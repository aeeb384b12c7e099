"""Concord's frame: who is this, which pages may they see, and the chrome around them.

A page that is not registered for a role does not exist for it: a partner's link cannot reach a
facilitator page by URL, because that page is never handed to ``st.navigation``. Each page also
checks the role itself (``ui.state.require``): because our screens live in ``pages/``, Streamlit
may run a page file directly, without this frame, on a fresh server's first request.
"""

import streamlit as st

from ui import chrome
from ui.state import Role, current_role

st.set_page_config(page_title="Concord", page_icon="🤝", layout="wide")


def pages_for(role: Role) -> list[st.Page]:
    if role.kind == "facilitator":
        return [st.Page("pages/setup.py", title="Set-up", icon="🛠️", default=True)]
    if role.kind == "partner":
        return [st.Page("pages/prework.py", title="Your pre-work", icon="📝", default=True)]
    if role.kind == "leadership":
        return [st.Page("pages/review.py", title="Review", icon="📄", default=True)]
    if role.kind == "invalid_link":
        return [st.Page("pages/link_invalid.py", title="Link not valid", default=True)]
    return [st.Page("pages/sign_in.py", title="Sign in", icon="🔑", default=True)]


role = current_role()
page = st.navigation(pages_for(role), position="sidebar" if role.kind == "facilitator" else "hidden")
chrome.sidebar(role)
page.run()
