"""Every registered page, under every role that may open it, with the demo and with an empty
workshop: it renders without an exception. The pages come from ui.navigation.SCREENS, so a page
added later is covered here without anyone remembering to add it."""

from __future__ import annotations

import pytest

from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app
from ui.navigation import SCREENS, screens_for

CASES = [(screen, kind) for screen in SCREENS for kind in sorted(screen.roles)]


@pytest.mark.parametrize("workshop", ["demo", "empty"])
@pytest.mark.parametrize(("screen", "kind"), CASES,
                         ids=[f"{s.path}-{k}" for s, k in CASES])
def test_page_renders_for_its_roles(app_db, screen, kind, workshop):
    workshop_id = (demo_workshop_id if workshop == "demo" else empty_workshop_id)(app_db)
    at = new_app()
    as_role(app_db, kind, workshop_id)(at)
    at.run()
    if screen != screens_for(kind)[0]:
        at.switch_page(screen.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{screen.path} shows no title for {kind}"
    assert at.title[0].value != "This page is not available"


def test_facilitator_sees_only_facilitator_pages(app_db):
    at = new_app()
    as_role(app_db, "facilitator", demo_workshop_id(app_db))(at)
    at.run()
    assert at.title[0].value == "Set-up"
    with pytest.raises(ValueError):
        at.switch_page("pages/prework.py")


def test_partner_link_never_registers_facilitator_pages(app_db):
    at = new_app()
    as_role(app_db, "partner", demo_workshop_id(app_db))(at)
    at.run()
    assert at.title[0].value == "Your pre-work"
    assert at.caption[0].value.startswith("Riverbend Community Mental Health Center · ")
    for path in ("pages/setup.py", "pages/review.py", "pages/sign_in.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)
