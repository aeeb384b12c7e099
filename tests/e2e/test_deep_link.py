"""A partner's link opened straight on one pre-work page, as the first request a newly started
server receives: a bookmark, or a link forwarded with the page's address in it.

Until some run calls ``st.navigation``, Streamlit runs a page named in the address alone, the
old way of an app with a ``pages/`` folder: its sidebar would list every file there, the
facilitator's pages among them. The page hands the request to app.py instead
(``ui.state.require``), so the partner sees its own page, its own navigation, and a save that
redraws the form alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlmodel import select

from models.db import make_engine, writing
from models.prework import LOCKED, issue_link, set_locked
from models.schema import LinkPurpose, Partner, Workshop
from models.startup import prepare
from tests.conftest import Backend
from tests.e2e.browser_tab import BrowserTab, new_tab
from tests.e2e.conftest import PASSWORD, Server, fresh_artifact_folder, read_rows
from ui.navigation import screens_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MISSION = "Kestrel: a deep link straight to the mission, on a server just started."
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture
def partner_link(backend: Backend, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """The demo as a first start loads it, pre-work open, and a new link for its first partner:
    the database's URL, the token, and the partner's name."""
    database = backend.migrated(tmp_path)
    engine = make_engine(database)
    try:
        prepare(engine, facilitator_password=PASSWORD)
        with writing(engine) as session:
            workshop = session.exec(select(Workshop).where(Workshop.is_demo)).one()
            partner = session.exec(select(Partner).where(Partner.workshop_id == workshop.id)
                                   .order_by(Partner.position)).first()
            set_locked(session, workshop_id=workshop.id, locked=False, actor="test")
            token = issue_link(session, workshop_id=workshop.id, purpose=LinkPurpose.PREWORK,
                               partner_id=partner.id, actor="test")
            name = partner.name
    finally:
        engine.dispose()
    yield database, token, name
    backend.drop(database)


@pytest.fixture
def partner_tab(chromium: Browser) -> Iterator[BrowserTab]:
    context: BrowserContext = chromium.new_context(viewport=VIEWPORT)
    yield BrowserTab(new_tab(context), fresh_artifact_folder("deep-link"))
    context.close()


def test_a_deep_link_on_a_fresh_server_opens_the_partners_own_page(
        partner_link: tuple[str, str, str], serve: Callable[..., Server],
        partner_tab: BrowserTab):
    database, token, name = partner_link
    server = serve(database)  # nobody has opened anything on it yet
    tab = partner_tab

    tab.open(f"{server.url}/prework_mission?link={token}")
    expect(tab.page.get_by_role("heading", name="1 · Your mission")).to_be_visible()
    expect(tab.field("Your organization's mission")).to_be_visible()
    tab.shows(name)
    nav = tab.page.get_by_test_id("stSidebarNav").get_by_role("link")
    # Each link reads its icon's name, then its title.
    expect(nav).to_have_text([re.compile(f"{re.escape(screen.title)}$")
                              for screen in screens_for("partner")])
    tab.shot("opened")

    tab.enter("Your organization's mission", MISSION)
    tab.click("Save")
    expect(tab.page.get_by_text(re.compile(r"^Saved at \d\d:\d\d"))).to_be_visible()
    expect(tab.page.get_by_role("heading", name="1 · Your mission")).to_be_visible()
    tab.shot("saved")
    assert read_rows(database, "SELECT count(*) FROM partnermission WHERE mission = ?",
                     MISSION) == [(1,)]
    assert "Traceback" not in server.log_path.read_text()


def test_a_save_refused_by_the_lock_redraws_the_whole_page_and_keeps_the_words(
        partner_link: tuple[str, str, str], serve: Callable[..., Server],
        partner_tab: BrowserTab):
    """The form is a fragment, but a lock set meanwhile changes the page around it too: the
    refusal, the lock notice above the form, every field read-only, and the words still there."""
    database, token, _ = partner_link
    server = serve(database)
    tab = partner_tab
    tab.open(f"{server.url}/prework_mission?link={token}")
    tab.enter("Your organization's mission", MISSION)

    engine = make_engine(database)
    try:
        with writing(engine) as session:
            workshop = session.exec(select(Workshop).where(Workshop.is_demo)).one()
            set_locked(session, workshop_id=workshop.id, locked=True, actor="facilitator:test")
    finally:
        engine.dispose()
    tab.page.get_by_role("button", name="Save", exact=True).click()

    expect(tab.page.get_by_text(LOCKED)).to_be_visible()
    expect(tab.page.get_by_text("The facilitator has locked pre-work for the workshop.",
                                exact=False)).to_be_visible()
    field = tab.field("Your organization's mission")
    expect(field).to_be_disabled()
    expect(field).to_have_value(MISSION)
    tab.shot("refused-by-the-lock")
    assert read_rows(database, "SELECT count(*) FROM partnermission WHERE mission = ?",
                     MISSION) == [(0,)]
