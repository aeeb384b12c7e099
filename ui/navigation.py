"""Every screen of Concord and the roles that may open it; ``app.py`` registers only these.

Tests read ``SCREENS`` to check every page under every role, so a page added here is covered
without anyone remembering to add it to the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.state import Role, RoleKind


@dataclass(frozen=True)
class Screen:
    path: str
    title: str
    icon: str
    roles: frozenset[RoleKind]


SCREENS: tuple[Screen, ...] = (
    Screen("pages/setup.py", "Set-up", "🛠️", frozenset({"facilitator"})),
    Screen("pages/prework.py", "Your pre-work", "📝", frozenset({"partner"})),
    Screen("pages/review.py", "Review", "📄", frozenset({"leadership"})),
    Screen("pages/link_invalid.py", "Link not valid", "⛔", frozenset({"invalid_link"})),
    Screen("pages/sign_in.py", "Sign in", "🔑", frozenset({"nobody"})),
)


def screens_for(kind: RoleKind) -> list[Screen]:
    return [screen for screen in SCREENS if kind in screen.roles]


def pages_for(role: Role) -> list[st.Page]:
    return [st.Page(screen.path, title=screen.title, icon=screen.icon, default=i == 0)
            for i, screen in enumerate(screens_for(role.kind))]
