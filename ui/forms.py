"""Form pieces: a field's message under the field, so bad input is explained where it was typed."""

from __future__ import annotations

import streamlit as st


def field_error(errors: dict[str, str], field: str) -> None:
    message = errors.get(field)
    if message:
        st.error(message, icon="⚠️")


def form_error(errors: dict[str, str]) -> None:
    """Messages that belong to the form as a whole rather than to one field."""
    message = errors.get("form")
    if message:
        st.error(message, icon="⚠️")
