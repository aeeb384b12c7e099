"""The three journeys, in Chromium, against the real app on a fresh database.

One server and one facilitator tab serve the whole module, because a facilitator's sign-in lives
in the tab's session: the facilitator prepares the workshop, the partners fill in their pre-work
through their links, the facilitator runs the workshop (with the projector on for the wall), and
a leader approves the summary through the review link. The tests run in that order and hand on
what they made (the links) through ``Journey``.

Every step asserts what the person would see; the database is read where what was saved matters
more than what shows. The journeys run once per backend (SQLite, and PostgreSQL when the suite
has one). Screenshots of each step land in ``CONCORD_ARTIFACTS`` (``test-artifacts/`` by
default): ``journeys/<journey>/`` in order, ``projector/<page>.png`` for the wall (the last
backend's), ``failures/<test>/`` with the server's log when a test fails.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from playwright.sync_api import Error as PlaywrightError
from pypdf import PdfReader

from tests.conftest import Backend
from tests.e2e.browser_tab import BrowserTab, new_tab
from tests.e2e.conftest import (
    PASSWORD,
    Server,
    artifact_folder,
    failed,
    fresh_artifact_folder,
    read_rows,
    start_server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WORKSHOP = "Lakeshore Care Compact"
HARBOR, DUNE = "Harbor Mind Center", "Dune Family Clinic"
PEOPLE = {HARBOR: ("Rosa Quint", "Clinical director"), DUNE: ("Tomas Vell", "Medical director")}
TOPIC = "Warm hand-off response time"
MEASURE = "PHQ-9 response at 6 months"
MILESTONE = "Pilot starts at the Harbor clinic"
JOINT_MISSION = ("Together we give Lakeshore families whole-person care: one door, one plan, "
                 "no wrong turns.")

# Harbor's pre-work, with words no other page has, so a leak anywhere shows at once.
HARBOR_MISSION = "Quillfeather: recovery-first care for every harbor family."
HARBOR_NOTE = "Quillfeather note: our board decides on the 9th, please keep it quiet."
HARBOR_RESULT = "Quillfeather result: every referral seen within seven days."
HARBOR_LIMIT = "47.5"  # the most Harbor could accept, in minutes, kept private
DUNE_MISSION = "Marigold: a medical home where every worry gets a same-week answer."

VIEWPORT = {"width": 1280, "height": 720}


@dataclass
class Journey:
    """What one journey hands to the next: the server, its database, and the links made."""

    server: Server
    database: str
    prework_links: dict[str, str] = field(default_factory=dict)
    review_link: str = ""

    def rows(self, sql: str, *args: object) -> list[tuple]:
        """Read the app's database as it stands now (``?`` marks each argument)."""
        return read_rows(self.database, sql, *args)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def journey(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    """The app on a new, empty database, with no facilitator password given."""
    folder = tmp_path_factory.mktemp("journeys")
    database = backend.new(folder)
    server = start_server(database, folder / "server.log", password=None)
    fresh_artifact_folder("projector")
    yield Journey(server, database)
    server.kill()
    backend.drop(database)


@pytest.fixture(scope="module")
def facilitator_context(chromium: Browser, journey: Journey) -> Iterator[BrowserContext]:
    """The facilitator's browser, for one journey's server."""
    context = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def facilitator(facilitator_context: BrowserContext) -> BrowserTab:
    """The facilitator's one tab for the whole module: a reload would sign them out."""
    return BrowserTab(new_tab(facilitator_context), fresh_artifact_folder("journeys",
                                                                          "facilitator"))


@pytest.fixture
def browser_context(request: pytest.FixtureRequest, chromium: Browser,
                    failure_folder: Path) -> Iterator[BrowserContext]:
    """A browser of the test's own: a partner's or a leader's laptop."""
    context = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield context
    if failed(request):
        screenshot_tabs(context, failure_folder, "own")
    context.close()


@pytest.fixture(autouse=True)
def failure_folder(request: pytest.FixtureRequest, facilitator_context: BrowserContext,
                   journey: Journey) -> Iterator[Path]:
    """Where a failing test leaves what the tabs showed and the server's log."""
    folder = fresh_artifact_folder("failures", request.node.name)
    yield folder
    if failed(request):
        screenshot_tabs(facilitator_context, folder, "facilitator")
        shutil.copyfile(journey.server.log_path, folder / "server.log")
    else:
        folder.rmdir()
        with contextlib.suppress(OSError):  # other tests' failures are still in it
            folder.parent.rmdir()


def screenshot_tabs(context: BrowserContext, folder: Path, whose: str) -> None:
    for number, page in enumerate(context.pages, start=1):
        with contextlib.suppress(PlaywrightError):  # a tab that died takes no picture
            page.screenshot(path=folder / f"{whose}-tab-{number}.png", full_page=True)


def compact(text: str) -> str:
    return " ".join(text.split())


# --- the facilitator prepares the workshop --------------------------------------------------------


def test_facilitator_prepares_the_workshop(journey: Journey, facilitator: BrowserTab):
    """Fresh database, choose the password, sign in, a two-partner workshop, pre-work links."""
    tab = facilitator
    tab.open(journey.server.url)
    expect(tab.page.get_by_text("Welcome. Choose the facilitator's password")).to_be_visible()
    tab.shot("first-start")
    tab.field("Password (at least 10 characters)").fill(PASSWORD)
    tab.field("The same password again").fill(PASSWORD)
    tab.click("Save and sign in")
    expect(tab.page.get_by_role("heading", name="Set-up")).to_be_visible()
    assert "Signed in as facilitator" in tab.everything()
    [(name, stored)] = journey.rows("SELECT username, password_hash FROM facilitatoraccount")
    assert name == "facilitator"
    assert PASSWORD not in stored

    tab.click("Sign out", within=tab.page.get_by_test_id("stSidebar"))
    expect(tab.page.get_by_text("Facilitator sign-in")).to_be_visible()
    tab.field("Password", within=tab.page.get_by_test_id("stForm")).fill("not the password")
    tab.click("Sign in")
    expect(tab.page.get_by_text("That name and password do not match")).to_be_visible()
    tab.field("Password", within=tab.page.get_by_test_id("stForm")).fill(PASSWORD)
    tab.click("Sign in")
    expect(tab.page.get_by_role("heading", name="Set-up")).to_be_visible()
    tab.shows("Riverbend Integrated Care Partnership")  # the demo, loaded on first start
    tab.shot("signed-in")

    tab.click("New workshop")
    tab.enter("Partnership name", WORKSHOP)
    tab.enter("Organization name", HARBOR, nth=0)
    tab.enter("Organization name", DUNE, nth=1)
    tab.choose("Kind", "Primary care", nth=1)
    tab.shot("new-workshop")
    tab.click("Create workshop")
    expect(tab.page.get_by_text(f"Workshop “{WORKSHOP}” created.")).to_be_visible()
    sidebar = tab.page.get_by_test_id("stSidebar")
    expect(tab.field("Workshop", within=sidebar)).to_have_value(re.compile(f"^{WORKSHOP}"))

    tab.tab("Partners and people")
    for partner, (person, role) in PEOPLE.items():
        place = tab.expander(f"{partner} · ")
        tab.enter("Name", person, within=place)
        tab.enter("Role", role, within=place)
        tab.click("Add person", within=place)
        expect(tab.page.get_by_text(f"{person} added.")).to_be_visible()
    tab.shot("people")

    tab.tab("Topics")
    tab.choose_many("Add topics from the library", [f"Clinical workflow · {TOPIC}"])
    tab.click("Add the chosen topics")
    expect(tab.page.get_by_text("1 topic added from the library.")).to_be_visible()

    tab.tab("Pre-work and links")
    for partner in (HARBOR, DUNE):
        tab.page.get_by_role("button", name="Create a link", exact=True).first.click()
        tab.settle()
        link = tab.link_shown()
        assert link.startswith(f"{journey.server.url}/?link=")
        journey.prework_links[partner] = link
    tab.shot("links")

    [(workshop_id,)] = journey.rows("SELECT id FROM workshop WHERE name = ?", WORKSHOP)
    assert journey.rows("SELECT name FROM partner WHERE workshop_id = ? ORDER BY position",
                        workshop_id) == [(HARBOR,), (DUNE,)]
    stored = journey.rows("SELECT * FROM accesslink WHERE workshop_id = ? AND purpose = ?",
                          workshop_id, "prework")
    assert len(stored) == 2
    for link in journey.prework_links.values():
        assert link.split("=", 1)[1] not in str(stored)  # only the token's hash is kept


# --- a partner fills in pre-work ------------------------------------------------------------------


def test_partner_fills_prework_and_sees_only_their_own(journey: Journey,
                                                       browser_context: BrowserContext):
    """Every section, one invalid value, a reload, submit; then nothing of Harbor's anywhere
    else in the same browser: not on facilitator URLs, not on the other partner's link."""
    assert journey.prework_links, "the facilitator's set-up made no links"
    tab = BrowserTab(new_tab(browser_context), fresh_artifact_folder("journeys", "partner"))
    tab.open(journey.prework_links[HARBOR])
    expect(tab.page.get_by_role("heading", name="Your pre-work")).to_be_visible()
    tab.shows(f"{HARBOR} · {WORKSHOP}")
    assert DUNE not in tab.everything()
    tab.shot("overview")

    tab.go("1 Your mission")
    for label, words in (("Your organization's mission", HARBOR_MISSION),
                         ("Your values", "Recovery, dignity, no wrong door."),
                         ("What you bring to the partnership", "Two therapists and a peer "
                                                               "specialist."),
                         ("What you need from it", "A room at the clinic three days a week.")):
        tab.enter(label, words)
    tab.click("Save")
    expect(tab.page.get_by_text(re.compile(r"^Saved at \d\d:\d\d"))).to_be_visible()

    tab.go("2 Results you expect")
    tab.enter("A result we expect", HARBOR_RESULT)
    tab.click("Add this result")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    tab.shows("1. Quillfeather result")

    tab.go("3 Your position on each topic")
    tab.shows(f"○ {TOPIC} · not answered yet")
    tab.enter("We would like (minutes)", 15)
    tab.enter("We could accept from (minutes)", 7.5)
    tab.enter("We could accept up to (minutes)", 75)  # the topic ends at 60
    tab.click("Save this position")
    expect(tab.page.get_by_text("Please give a number from 0 to 60.")).to_be_visible()
    expect(tab.field("We could accept up to (minutes)")).to_have_value("75")
    tab.shot("invalid-value-kept")
    tab.enter("We could accept up to (minutes)", HARBOR_LIMIT)
    tab.click("Save this position")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    tab.shows(f"✓ {TOPIC} · we can flex: we would like 15 minutes")

    tab.go("4 What you can commit")
    tab.enter("Staff hours we can commit", 20)
    tab.click("Save this month")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    tab.shows("20 hours")

    tab.go("Your pre-work")
    tab.enter("A note for the facilitator (only the facilitator reads it)", HARBOR_NOTE)
    tab.click("Save the note")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()

    tab.reload()  # a new session on the same link: everything saved is still there
    tab.shows("100 % complete")
    expect(tab.field("A note for the facilitator (only the facilitator reads it)")).to_have_value(
        HARBOR_NOTE)
    tab.go("1 Your mission")
    expect(tab.field("Your organization's mission")).to_have_value(HARBOR_MISSION)
    tab.go("3 Your position on each topic")
    expect(tab.field("We could accept up to (minutes)")).to_have_value(HARBOR_LIMIT)
    tab.go("Your pre-work")
    tab.click("Submit pre-work")
    expect(tab.page.get_by_text("Thank you: your pre-work is submitted.")).to_be_visible()
    expect(tab.page.get_by_text(re.compile(r"^Submitted at"))).to_be_visible()
    tab.shot("submitted")

    [(submitted_at, note)] = journey.rows(
        "SELECT submitted_at, note_to_facilitator FROM preworkprogress JOIN partner "
        "ON partner.id = preworkprogress.partner_id WHERE partner.name = ?", HARBOR)
    assert submitted_at is not None
    assert note == HARBOR_NOTE
    assert journey.rows("SELECT accept_max, limit_private FROM stance JOIN partner "
                        "ON partner.id = stance.partner_id WHERE partner.name = ?",
                        HARBOR) == [(float(HARBOR_LIMIT), 1)]

    harbor_words = (HARBOR, HARBOR_MISSION, HARBOR_NOTE, HARBOR_RESULT, HARBOR_LIMIT)
    for path in ("/summary", "/setup", "/mission", "/solutions"):
        tab.open(journey.server.url + path)  # a facilitator's page, in the partner's browser
        shown = tab.everything()
        assert "Facilitator sign-in" in shown, path
        for word in (*harbor_words, WORKSHOP, DUNE, "Riverbend", "Signed in as"):
            assert word not in shown, (path, word)
    token = journey.prework_links[HARBOR].split("=", 1)[1]
    tab.open(f"{journey.server.url}/summary?link={token}")  # the link still opens only pre-work
    shown = tab.everything()
    assert "Your pre-work" in shown
    for word in ("Agreed summary", DUNE, "Riverbend", "Signed in as"):
        assert word not in shown, word

    tab.open(journey.prework_links[DUNE])
    tab.shows(f"{DUNE} · {WORKSHOP}")
    tab.go("1 Your mission")
    tab.enter("Your organization's mission", DUNE_MISSION)
    tab.click("Save")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    tab.go("3 Your position on each topic")
    tab.enter("We would like (minutes)", 30)
    tab.enter("We could accept from (minutes)", 20)
    tab.enter("We could accept up to (minutes)", 55)
    tab.click("Save this position")
    expect(tab.page.get_by_text(re.compile(r"^Saved at"))).to_be_visible()
    for title in ("Your pre-work", "1 Your mission", "2 Results you expect",
                  "3 Your position on each topic", "4 What you can commit"):
        tab.go(title)
        shown = tab.everything()
        assert DUNE in shown, title
        for word in harbor_words:
            assert word not in shown, (title, word)
    tab.shot("other-partner")

    tab.open(f"{journey.server.url}/?link=not-a-real-link")
    expect(tab.page.get_by_role("heading", name="This link is not valid")).to_be_visible()


# --- the facilitator runs the workshop -----------------------------------------------------------


def test_facilitator_runs_the_workshop(journey: Journey, facilitator: BrowserTab):
    """Lock and reveal, adopt a mission, agree a measure, two rounds to an agreement, a
    milestone, every step on the projector, the summary, and the review link."""
    tab = facilitator
    assert journey.prework_links, "the facilitator's set-up made no links"
    tab.go("Set-up")
    tab.tab("Pre-work and links")
    links = tab.page.get_by_role("tabpanel", name="Pre-work and links")
    expect(links.get_by_text("Submitted", exact=True)).to_be_visible()
    expect(links.get_by_text(HARBOR_NOTE)).to_be_visible()  # the note is for the facilitator
    tab.click("Lock pre-work")
    expect(tab.page.get_by_text("Pre-work is locked")).to_be_visible()
    assert journey.rows("SELECT prework_locked FROM workshop WHERE name = ?", WORKSHOP) == [(1,)]

    mission_step(tab)
    expectations_step(tab)
    solutions_step(tab)
    pacing_step(tab)
    [(workshop_id,)] = journey.rows("SELECT id FROM workshop WHERE name = ?", WORKSHOP)
    assert journey.rows("SELECT text FROM missiondraft WHERE workshop_id = ? "
                        "AND adopted_at IS NOT NULL", workshop_id) == [(JOINT_MISSION,)]
    assert journey.rows("SELECT name, status FROM measure WHERE workshop_id = ?",
                        workshop_id) == [(MEASURE, "agreed")]
    assert journey.rows("SELECT outcome, value_number FROM agreement JOIN topic "
                        "ON topic.id = agreement.topic_id WHERE topic.workshop_id = ?",
                        workshop_id) == [("agreed", 25.0)]

    on_the_projector(tab)

    tab.go("Summary")
    summary = compact(tab.text())
    for agreed in (JOINT_MISSION, MEASURE, f"{TOPIC}", "25 minutes", MILESTONE):
        assert agreed in summary, agreed
    for private in (HARBOR_LIMIT, HARBOR_NOTE):
        assert private not in summary, private
    tab.shot("summary")

    tab.go("Set-up")
    tab.tab("Pre-work and links")
    tab.click("Create the review link")
    journey.review_link = tab.link_shown()
    assert journey.review_link.startswith(f"{journey.server.url}/?link=")
    tab.shot("review-link")


def mission_step(tab: BrowserTab) -> None:
    tab.go("1 Shared mission")
    assert HARBOR_MISSION not in tab.text()  # hidden until the facilitator reveals it
    tab.click("Reveal the partners' missions")
    shown = tab.text()
    assert HARBOR_MISSION in shown
    assert DUNE_MISSION in shown
    tab.enter("Joint mission statement", JOINT_MISSION)
    tab.click("Save as version 1")
    expect(tab.page.get_by_text("Version 1 saved.")).to_be_visible()
    rate(tab, {"Rosa Quint": "1", "Tomas Vell": "2"})
    expect(tab.page.get_by_text("2 ratings: 100 % support (1 to 3), no blocking ratings. "
                                "The decision rule is met.")).to_be_visible()
    tab.click("Adopt version 1 as our joint mission")
    expect(tab.page.get_by_text("Adopted: version 1.")).to_be_visible()
    tab.shot("mission-adopted")


def rate(tab: BrowserTab, ratings: dict[str, str], reasons: dict[str, str] | None = None,
         ) -> None:
    """The rating grid: one button per person, a reason where it is needed, then record."""
    for person, value in ratings.items():
        tab.segment(f"Rating from {person}", value)
    for person, reason in (reasons or {}).items():
        tab.enter(f"Reason from {person}", reason)
    tab.click("Record these ratings")
    expect(tab.page.get_by_text("Ratings recorded.")).to_be_visible()


def expectations_step(tab: BrowserTab) -> None:
    tab.go("2 Expectations")
    assert HARBOR_RESULT not in tab.text()
    tab.click("Reveal the partners' expected results")
    tab.shows(HARBOR_RESULT)
    tab.choose("Add a measure from the library", MEASURE)
    tab.click("Add")
    expect(tab.page.get_by_text(f"“{MEASURE}” added.")).to_be_visible()
    tab.choose("Change every field of a measure", MEASURE)
    tab.enter("Baseline value", 38)
    tab.set_date("Date of the baseline value", date(2026, 9, 30))
    tab.enter("Target", 50)
    tab.choose("Owner", HARBOR)
    tab.click("Save")
    expect(tab.page.get_by_text(f"“{MEASURE}” saved.")).to_be_visible()
    expect(tab.page.get_by_text("Complete: everything needed to agree is in place.")
           ).to_be_visible()
    tab.segment("The room's view", "agreed")
    expect(tab.page.get_by_text("Measure marked agreed.")).to_be_visible()
    tab.shot("measure-agreed")


def solutions_step(tab: BrowserTab) -> None:
    tab.go("3 Shared solutions")
    tab.click("Reveal the partners' positions")
    expect(tab.page.get_by_text("The partners' acceptable ranges meet.")).to_be_visible()
    tab.shows("Prefers: 15 minutes")
    assert HARBOR_LIMIT not in tab.everything()  # a private limit shows to nobody

    # built only when opened (ui.sections): opening reruns the page, which draws them then
    glance = tab.expander("All topics at a glance")
    expect(glance.get_by_test_id("stPlotlyChart")).to_be_visible()
    deals = tab.expander("Package deals across the open topics")
    expect(deals.get_by_text("Balanced", exact=True)).to_be_visible()
    expect(deals.get_by_text(re.compile(f"{HARBOR}: (very content|content|lukewarm|reluctant)"))
           ).to_be_visible()
    tab.shot("map-and-package-deals")
    assert HARBOR_LIMIT not in tab.everything()
    tab.page.locator("summary").filter(has_text="All topics at a glance").click()
    tab.page.locator("summary").filter(has_text="Package deals across").click()
    expect(tab.page.get_by_test_id("stPlotlyChart")).to_have_count(1)  # the topic's own chart

    proposal = tab.expander("Put a proposal to the room (round 1)")
    tab.enter("Proposal (minutes)", 10, within=proposal)
    tab.click("Put round 1 to the room")
    expect(tab.page.get_by_text("The proposal is on the table.")).to_be_visible()
    rate(tab, {"Rosa Quint": "1", "Tomas Vell": "6"},
         {"Tomas Vell": "Our nurses cannot hand off that fast yet."})
    expect(tab.page.get_by_text("2 ratings: 50 % support (1 to 3), no blocking ratings. "
                                "The decision rule is not met yet.")).to_be_visible()
    offers = tab.expander("Counter-offers for this round")
    tab.enter(f"{DUNE} now offers (minutes)", 25, within=offers)
    tab.click("Record counter-offers")
    expect(tab.page.get_by_text(f"Counter-offers: {DUNE}: 25 minutes")).to_be_visible()

    proposal = tab.expander("Put a proposal to the room (round 2)")
    tab.enter("Proposal (minutes)", 25, within=proposal)
    tab.click("Put round 2 to the room")
    rate(tab, {"Rosa Quint": "2", "Tomas Vell": "2"})
    expect(tab.page.get_by_text("2 ratings: 100 % support (1 to 3), no blocking ratings. "
                                "The decision rule is met.")).to_be_visible()

    outcome = tab.expander("Record the outcome")
    expect(tab.field("Agreed value (minutes)", within=outcome)).to_have_value("25")
    tab.enter(f"{HARBOR} gave", "Five minutes more than it wanted", within=outcome)
    tab.enter(f"{DUNE} gave", "A slower hand-off than it asked for", within=outcome)
    tab.click("Record the outcome", within=outcome)
    expect(tab.page.get_by_text("Agreed: 25 minutes")).to_be_visible()
    tab.shot("topic-agreed")


def pacing_step(tab: BrowserTab) -> None:
    tab.go("4 Pacing")
    new = tab.expander("Add a milestone")
    tab.enter("What happens", MILESTONE, within=new)
    tab.choose("Kind", "Pilot starts", within=new)
    tab.set_date("Date", date(2027, 3, 1), within=new)
    tab.choose("Owner", HARBOR, within=new)
    tab.click("Add milestone", within=new)
    table = tab.page.get_by_role("table").filter(has_text=MILESTONE)
    expect(table).to_contain_text("1 Mar 2027")
    expect(table).to_contain_text(HARBOR)
    tab.shot("milestone")


STEP_LINKS = {"mission": "1 Shared mission", "expectations": "2 Expectations",
              "solutions": "3 Shared solutions", "pacing": "4 Pacing"}


def on_the_projector(tab: BrowserTab) -> None:
    """Each step, where we stand and the summary, as the room sees them at 1280×720."""
    tab.switch("Projector mode")
    for name, link in STEP_LINKS.items():
        tab.page.get_by_test_id("stMain").get_by_role("link", name=link, exact=True).click()
        tab.settle()
        check_projector(tab, name)
    for name, title in (("convergence", "Where we stand"), ("summary", "Summary")):
        tab.switch("Projector mode")  # off: the sidebar is hidden on the wall
        tab.go(title)
        tab.switch("Projector mode")
        check_projector(tab, name)
    tab.switch("Projector mode")


def check_projector(tab: BrowserTab, name: str) -> None:
    """The wall at 1280×720 as the room first sees it, and the whole page below it."""
    expect(tab.page.get_by_test_id("stSidebar")).to_be_hidden()
    folder = artifact_folder("projector")
    tab.page.screenshot(path=folder / f"{name}.png")
    tab.page.screenshot(path=folder / f"{name}-whole-page.png", full_page=True)
    assert HARBOR_LIMIT not in tab.everything(), name
    measures = tab.projector_measures()
    assert measures["scrolls"] == [], f"{name} scrolls sideways: {measures['scrolls']}"
    assert measures["measured"] > 0, name
    assert measures["small"] == [], f"{name} has text under 20 px: {measures['small']}"
    assert measures["faint"] == [], f"{name} has faint text: {measures['faint']}"


# --- leadership reviews and approves --------------------------------------------------------------


def test_leadership_reviews_and_approves(journey: Journey, browser_context: BrowserContext,
                                         facilitator: BrowserTab):
    """Open the review link, read the summary, approve it, take the PDF and the memorandum."""
    assert journey.review_link, "the facilitator made no review link"
    tab = BrowserTab(new_tab(browser_context), fresh_artifact_folder("journeys", "leadership"))
    tab.open(journey.review_link)
    expect(tab.page.get_by_role("heading", name=f"Review: {WORKSHOP}")).to_be_visible()
    shown = compact(tab.everything())
    for agreed in (JOINT_MISSION, MEASURE, "25 minutes", MILESTONE, HARBOR, DUNE):
        assert agreed in shown, agreed
    for private in (HARBOR_LIMIT, HARBOR_NOTE, HARBOR_MISSION, "Riverbend"):
        assert private not in shown, private
    expect(tab.page.get_by_test_id("stSidebarNav")).to_have_count(0)
    tab.shot("review")

    tab.choose("Your organization", DUNE)
    tab.enter("Your name", "Ada Brightwater")
    tab.enter("Your title", "Chief Executive Officer")
    tab.click("Record my decision")
    recorded = tab.page.get_by_text(re.compile(
        r"^Recorded: approved by Ada Brightwater, Chief Executive Officer, on .+, for version "))
    expect(recorded).to_be_visible()
    recorded.scroll_into_view_if_needed()
    tab.shot("approved")
    assert journey.rows("SELECT partner.name, decision, signoff.name FROM signoff JOIN partner "
                        "ON partner.id = signoff.partner_id") == [
        (DUNE, "approved", "Ada Brightwater")]

    pdf = download(tab, "PDF")
    words = compact(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert WORKSHOP in words
    assert JOINT_MISSION in words
    memorandum = docx.Document(io.BytesIO(download(tab, "Memorandum")))
    words = compact(" ".join(paragraph.text for paragraph in memorandum.paragraphs))
    assert WORKSHOP in words
    assert JOINT_MISSION in words

    facilitator.go("Summary")  # the facilitator sees the approval
    expect(facilitator.page.get_by_role("table").filter(has_text="Ada Brightwater")
           ).to_contain_text("approved")


def download(tab: BrowserTab, label: str) -> bytes:
    """A file from a download button, which, like any button, also runs the page again."""
    with tab.page.expect_download() as started:
        tab.page.get_by_role("button", name=label, exact=True).click()
    tab.settle()
    return Path(started.value.path()).read_bytes()
