"""Two app servers, one PostgreSQL database, as behind a load balancer (docs/deploy.md): what a
partner saves through one server, the facilitator sees through the other.

Both servers are ``streamlit run app.py`` on ports of their own, with the same ``DATABASE_URL``
and the same cookie secret. The partner's browser talks only to the first, the facilitator's
only to the second; each waits for the app's own signals, never for a fixed time.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import Backend
from tests.e2e.browser_tab import BrowserTab, new_tab
from tests.e2e.conftest import PASSWORD, Server, failed, fresh_artifact_folder, read_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.only_on("postgresql", reason="app servers share a PostgreSQL database")]

MISSION = "Wrenfield: one front door for every family, whichever server they reach."
NOTE = "Wrenfield note: saved through the first server, read through the second."
VIEWPORT = {"width": 1280, "height": 720}


@dataclass
class Deployment:
    first: Server
    second: Server
    database: str


@pytest.fixture
def deployment(backend: Backend, serve: Callable[..., Server], tmp_path: Path
               ) -> Iterator[Deployment]:
    """Two servers on one new database, with one cookie secret, as every replica must have."""
    database = backend.new(tmp_path)
    settings = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    deployed = Deployment(serve(database, settings), serve(database, settings), database)
    yield deployed
    deployed.first.kill()
    deployed.second.kill()
    backend.drop(database)


@pytest.fixture
def browsers(request: pytest.FixtureRequest, chromium: Browser, deployment: Deployment
             ) -> Iterator[Callable[[str], BrowserTab]]:
    """A browser of its own per person; a failing test leaves their screenshots and both
    servers' logs in ``failures/<test>/``."""
    folder = fresh_artifact_folder("failures", request.node.name)
    contexts: dict[str, BrowserContext] = {}

    def open_for(who: str) -> BrowserTab:
        contexts[who] = chromium.new_context(viewport=VIEWPORT)
        return BrowserTab(new_tab(contexts[who]), fresh_artifact_folder("two-servers", who))

    yield open_for
    if failed(request):
        for who, context in contexts.items():
            for number, page in enumerate(context.pages, start=1):
                with contextlib.suppress(PlaywrightError):  # a tab that died takes no picture
                    page.screenshot(path=folder / f"{who}-tab-{number}.png", full_page=True)
        for name, server in (("first", deployment.first), ("second", deployment.second)):
            shutil.copyfile(server.log_path, folder / f"server-{name}.log")
    else:
        folder.rmdir()
        with contextlib.suppress(OSError):  # other tests' failures are still in it
            folder.parent.rmdir()
    for context in contexts.values():
        context.close()


def test_a_partner_saves_through_one_server_and_the_facilitator_sees_it_through_the_other(
        deployment: Deployment, browsers: Callable[[str], BrowserTab]):
    facilitator = browsers("facilitator")
    facilitator.open(deployment.second.url)  # the first start: migrations and the demo
    expect(facilitator.page.get_by_text("Facilitator sign-in")).to_be_visible()
    facilitator.field("Password", within=facilitator.page.get_by_test_id("stForm")).fill(PASSWORD)
    facilitator.click("Sign in")
    expect(facilitator.page.get_by_role("heading", name="Set-up")).to_be_visible()
    facilitator.tab("Pre-work and links")
    facilitator.click("Unlock pre-work")  # the demo's pre-work is locked
    facilitator.page.get_by_role("button", name="Create a link", exact=True).first.click()
    facilitator.settle()
    link = facilitator.link_shown()
    assert link.startswith(f"{deployment.second.url}/?link=")
    token = link.split("?link=", 1)[1]

    partner = browsers("partner")
    partner.open(f"{deployment.first.url}/?link={token}")  # the same link, the other server
    expect(partner.page.get_by_role("heading", name="Your pre-work")).to_be_visible()
    partner.go("1 Your mission")
    partner.enter("Your organization's mission", MISSION)
    partner.click("Save")
    expect(partner.page.get_by_text(re.compile(r"^Saved at \d\d:\d\d"))).to_be_visible()
    partner.go("Your pre-work")
    partner.enter("A note for the facilitator (only the facilitator reads it)", NOTE)
    partner.click("Save the note")
    expect(partner.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    partner.shot("saved-on-the-first-server")

    facilitator.go("1 Shared mission")  # revealed in the demo
    expect(facilitator.page.get_by_text(MISSION).first).to_be_visible()
    facilitator.go("Set-up")
    facilitator.tab("Pre-work and links")
    links = facilitator.page.get_by_role("tabpanel", name="Pre-work and links")
    expect(links.get_by_text(NOTE)).to_be_visible()
    facilitator.shot("seen-on-the-second-server")

    # One row each, as one server alone would have written them.
    assert read_rows(deployment.database,
                     "SELECT count(*) FROM partnermission WHERE mission = ?", MISSION) == [(1,)]
    assert read_rows(deployment.database, "SELECT count(*) FROM preworkprogress "
                     "WHERE note_to_facilitator = ?", NOTE) == [(1,)]
