"""Projector mode: large type, high contrast, the whole width, no sidebar or admin controls.

Streamlit sizes its text in rem, so raising the root font size enlarges everything at once;
body text lands at 22 px, above the 20 px a room needs from its back row.
"""

from __future__ import annotations

import streamlit as st

PROJECTOR_KEY = "projector"

_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {
  display: none !important;
}
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0.5rem 1.2rem 2rem; }
[data-testid="stApp"] { background: #ffffff; color: #000000; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { line-height: 1.35; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] small, input, textarea,
[data-baseweb="select"] div {
  font-size: 1rem !important;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #1a1a1a !important; font-size: 1rem !important; opacity: 1 !important;
}
[data-testid="stMarkdownContainer"] blockquote, [data-testid="stMarkdownContainer"] blockquote * {
  color: #000000 !important; opacity: 1 !important;
}
</style>
"""

_ALWAYS_CSS = """
<style>
.concord-chip { display: inline-block; padding: 0.1em 0.55em; border-radius: 0.4em;
  font-weight: 600; color: #000; border: 2px solid #000; }
.concord-timer { font-size: 2.2rem; font-weight: 700; font-variant-numeric: tabular-nums;
  line-height: 1; text-align: right; }
.concord-private { font-style: italic; border: 1px dashed #555; padding: 0 0.3em; }
.concord-shared { background: #fff3b0; padding: 0 0.2em; border-radius: 0.2em; }
</style>
"""


def is_on() -> bool:
    return bool(st.session_state.get(PROJECTOR_KEY, False))


def apply_styles() -> None:
    st.html(_ALWAYS_CSS + (_CSS if is_on() else ""))


def toggle() -> None:
    """The switch mirrors a plain session key: Streamlit forgets a widget's own state when the
    page changes, and projector mode must stay on from step to step."""
    st.toggle("Projector mode", value=is_on(), key="projector_switch", on_change=_remember,
              help="Large type and high contrast for the wall; hides the sidebar and set-up.")


def _remember() -> None:
    st.session_state[PROJECTOR_KEY] = st.session_state["projector_switch"]
