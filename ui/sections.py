"""Sections of a page that are built only while they are open.

A closed expander's content is normally built on every rerun all the same. Some sections cost
more than the rest of their page at a large workshop (the map of every topic, package deals over
every open topic) and are opened now and then, so they are built only when someone opens them:
the expander reruns the page when it is opened or closed, and remembers which it is in
``st.session_state[key]``.

Every such section's key is listed in ``PAGES``, by page, so the tests that look for private
limits on every page can open them all, and the benchmark measures each page with them open too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

PAGES = {"pages/solutions.py": ("solutions_map_open", "solutions_packages_open")}
KEYS = tuple(key for keys in PAGES.values() for key in keys)


@contextmanager
def on_demand(label: str, key: str) -> Iterator[bool]:
    """An expander, closed at first; yields whether it is open, to build its content only then."""
    if key not in KEYS:
        raise ValueError(f"{key!r} is not in ui.sections.KEYS")
    with st.expander(label, key=key, on_change="rerun") as section:
        yield bool(section.open)
