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


FACILITATOR: frozenset[RoleKind] = frozenset({"facilitator"})
PARTNER: frozenset[RoleKind] = frozenset({"partner"})

SCREENS: tuple[Screen, ...] = (
    Screen("pages/setup.py", "Set-up", ":material/settings:", FACILITATOR),
    Screen("pages/accounts.py", "Facilitators", ":material/group:", FACILITATOR),
    Screen("pages/mission.py", "1 Shared mission", ":material/flag:", FACILITATOR),
    Screen("pages/expectations.py", "2 Expectations", ":material/target:", FACILITATOR),
    Screen("pages/solutions.py", "3 Shared solutions", ":material/handshake:", FACILITATOR),
    Screen("pages/pacing.py", "4 Pacing", ":material/calendar_month:", FACILITATOR),
    Screen("pages/checkins.py", "Check-ins", ":material/event_repeat:", FACILITATOR),
    Screen("pages/convergence.py", "Where we stand", ":material/insights:", FACILITATOR),
    Screen("pages/summary.py", "Summary", ":material/summarize:", FACILITATOR),
    Screen("pages/audit.py", "Changes", ":material/history:", FACILITATOR),
    Screen("pages/prework.py", "Your pre-work", ":material/edit_note:", PARTNER),
    Screen("pages/prework_mission.py", "1 Your mission", ":material/flag:", PARTNER),
    Screen("pages/prework_expectations.py", "2 Results you expect", ":material/target:",
           PARTNER),
    Screen("pages/prework_topics.py", "3 Your position on each topic", ":material/handshake:",
           PARTNER),
    Screen("pages/prework_capacity.py", "4 What you can commit", ":material/calendar_month:",
           PARTNER),
    Screen("pages/review.py", "Review", ":material/description:", frozenset({"leadership"})),
    Screen("pages/link_invalid.py", "Link not valid", ":material/link_off:",
           frozenset({"invalid_link"})),
    Screen("pages/sign_in.py", "Sign in", ":material/key:", frozenset({"nobody"})),
)


def screens_for(kind: RoleKind) -> list[Screen]:
    return [screen for screen in SCREENS if kind in screen.roles]


def pages_for(role: Role) -> list[st.Page]:
    return [st.Page(screen.path, title=screen.title, icon=screen.icon, default=i == 0)
            for i, screen in enumerate(screens_for(role.kind))]
