"""Each page file, run without app.py, refuses every role it is not registered for and shows
nothing of the workshop. A fresh server hands a page's first request to app.py
(test_authorization_matrix.py); this is the page's own check, should one ever run without it."""

from __future__ import annotations

import pytest

from tests.pages.conftest import as_role, demo_workshop_id, new_app, texts
from ui.navigation import SCREENS
from ui.state import RoleKind

ROLES: tuple[RoleKind, ...] = ("facilitator", "partner", "leadership", "invalid_link", "nobody")
CASES = [(screen, kind) for screen in SCREENS for kind in ROLES if kind not in screen.roles]
DEMO_NAMES = ("Riverbend", "Northside", "Marlow", "Dana Whitfield", "Priya Raman", "Helen Osei")


@pytest.mark.parametrize(("screen", "kind"), CASES, ids=[f"{s.path}-{k}" for s, k in CASES])
def test_page_run_alone_refuses_other_roles(app_db, screen, kind):
    at = new_app(screen.path)
    as_role(app_db, kind, demo_workshop_id(app_db))(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "This page is not available"
    shown = texts(at)
    for name in DEMO_NAMES:
        assert name not in shown
