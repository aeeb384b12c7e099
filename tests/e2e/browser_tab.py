"""One person's browser tab on Concord: find widgets by their label, act as a person does, and
wait for Streamlit's own signals, never for a fixed time.

Streamlit marks its root element with ``data-test-connection-state`` and
``data-test-script-state`` (``running`` while the script runs, ``notRunning`` once it is done).
Those alone cannot say that the run an action asked for is over: a rerun that is requested but
not started yet also reads ``notRunning``, and a run shorter than a frame never shows
``running`` at all, because React draws the two states in one go. So ``wait_idle`` also reads
the count of finished runs that Streamlit's root component keeps in its state
(``scriptRunFinishedSequence``, reached through React's fiber on the ``stApp`` element: a private
detail, held still by pyproject's pin of Streamlit 1.67) and waits for one more than it saw last
time, on a connected, idle app. React commits that count with the run's last elements, so the
page is complete by then.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, TimeoutError, expect

RUN_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 15_000
ERROR_MESSAGE = "Something went wrong on this page"  # app.py's words for an unexpected error

RUN_STATE = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return null;
  const fiberKey = Object.keys(app).find(key => key.startsWith('__reactFiber$'));
  let finished = null;
  for (let fiber = app[fiberKey]; fiber; fiber = fiber.return) {
    const state = fiber.stateNode && fiber.stateNode.state;
    if (state && 'scriptRunFinishedSequence' in state) {
      finished = state.scriptRunFinishedSequence;
      break;
    }
  }
  return {finished, awaited: window.__concordAwaitedRuns || 0,
          connection: app.getAttribute('data-test-connection-state'),
          script: app.getAttribute('data-test-script-state')};
}
"""

IDLE_AFTER_A_NEW_RUN = f"""
() => {{
  const run = ({RUN_STATE.strip()})();
  if (!run || run.finished === null || run.finished <= run.awaited) return false;
  if (run.connection !== 'CONNECTED' || run.script !== 'notRunning') return false;
  window.__concordAwaitedRuns = run.finished;
  return true;
}}
"""

PROJECTOR_MEASURES = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const scrolls = [document.documentElement, main]
    .filter(el => el && el.scrollWidth > el.clientWidth)
    .map(el => `${el.tagName} ${el.dataset.testid || ''}: ${el.scrollWidth} > ${el.clientWidth}`);
  const body = main.querySelectorAll(
    ':is([data-testid="stMarkdownContainer"], [data-testid="stHtml"]) :is(p, li, td, th), ' +
    '[data-testid="stCaptionContainer"]');
  // The contrast of text against what is behind it, every opacity above it taken into account.
  const rgba = colour => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return {rgb: [r, g, b], a};
  };
  const over = (front, alpha, back) => front.map((c, i) => c * alpha + back[i] * (1 - alpha));
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => c / 255).map(c =>
      c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = el => {
    for (let up = el; up; up = up.parentElement) {
      const {rgb, a} = rgba(getComputedStyle(up).backgroundColor);
      if (a > 0) return over(rgb, a, [255, 255, 255]);
    }
    return [255, 255, 255];
  };
  const contrast = el => {
    let opacity = 1;
    for (let up = el; up && up !== main; up = up.parentElement) {
      opacity *= parseFloat(getComputedStyle(up).opacity);
    }
    const back = behind(el);
    const {rgb, a} = rgba(getComputedStyle(el).color);
    const [light, dark] = [luminance(over(rgb, a * opacity, back)), luminance(back)]
      .sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const small = [], faint = [];
  let measured = 0;
  for (const el of body) {
    const words = el.innerText.trim();
    if (!words || !el.checkVisibility() || el.closest('button:disabled')) continue;
    measured++;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 20) small.push(`${size}px <${el.tagName.toLowerCase()}> ${words.slice(0, 60)}`);
    const ratio = contrast(el);
    if (ratio < 7) faint.push(`${ratio.toFixed(1)}:1 ${words.slice(0, 60)}`);
  }
  return {scrolls, small, faint, measured};
}
"""


def new_tab(context: BrowserContext) -> Page:
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def wait_idle(page: Page) -> None:
    """Wait until a script run has started and finished since the last wait, and the app idles.

    Call it once after each action that makes Streamlit run the script (a click on a button, a
    committed field, a page load); an action that runs nothing would wait in vain.
    """
    try:
        page.wait_for_function(IDLE_AFTER_A_NEW_RUN, timeout=RUN_TIMEOUT_MS)
    except TimeoutError as exc:
        seen = page.evaluate(RUN_STATE)
        raise AssertionError(f"no script run finished within {RUN_TIMEOUT_MS} ms: {seen}") from exc


class BrowserTab:
    """A tab, with the steps people take in it; each step waits for the app and checks that no
    error box came up."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self._shot_number = 0

    # --- going places ----------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.settle()

    def reload(self) -> None:
        self.page.reload()
        self.settle()

    def go(self, title: str) -> None:
        """A page of the sidebar's navigation."""
        nav = self.page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=title, exact=True).click()
        self.settle()
        expect(nav.get_by_role("link", name=title, exact=True)).to_have_attribute(
            "aria-current", "page")

    def settle(self) -> None:
        wait_idle(self.page)
        self.assert_no_error()

    # --- acting ----------------------------------------------------------------------------------

    def click(self, name: str, *, within: Page | Locator | None = None) -> None:
        place = within or self.page
        place.get_by_role("button", name=name, exact=True).filter(visible=True).click()
        self.settle()

    def enter(self, label: str, text: str | float, *, within: Page | Locator | None = None,
              nth: int | None = None) -> None:
        """Type into a text, number or text-area field and leave it, which commits it."""
        field = self.field(label, within=within, nth=nth)
        field.fill(str(text))
        field.blur()
        self.settle()

    def field(self, label: str, *, within: Page | Locator | None = None,
              nth: int | None = None) -> Locator:
        """A field by its label, among those on view: a closed expander or another tab may
        hold a field of the same name, which nobody could type into."""
        found = (within or self.page).get_by_label(label, exact=True).filter(visible=True)
        return found if nth is None else found.nth(nth)

    def choose(self, label: str, option: str, *, within: Page | Locator | None = None,
               nth: int | None = None) -> None:
        """Pick an option of a select box, typing to find it as people do in a long list."""
        self.field(label, within=within, nth=nth).click()
        self.page.keyboard.type(option)
        self.page.get_by_role("option", name=option, exact=True).click()
        self.settle()

    def choose_many(self, label: str, options: list[str]) -> None:
        """Pick options of a multiselect, then close its list."""
        for option in options:
            self.field(label).click()
            self.page.keyboard.type(option)
            self.page.get_by_role("option", name=option, exact=True).click()
            self.settle()
        self.page.keyboard.press("Escape")

    def segment(self, label: str, option: str, *, within: Page | Locator | None = None) -> None:
        """Press one button of a segmented control (the rating grid's 1 to 8, a status)."""
        group = (within or self.page).get_by_role("radiogroup", name=label, exact=True)
        group.filter(visible=True).get_by_role("radio", name=option, exact=True).click()
        self.settle()

    def switch(self, label: str) -> None:
        """Flip a toggle, by its label as a person clicks it (the switch itself is hidden)."""
        switch = self.page.get_by_role("switch", name=label, exact=True)
        self.page.locator("label").filter(has=switch).click()
        self.settle()

    def set_date(self, label: str, day: date, *, within: Page | Locator | None = None) -> None:
        """A date field is three segments (year, month, day): type them, close the calendar
        that may have opened, and leave the field, which commits it."""
        group = self.field(label, within=within)
        group.get_by_role("spinbutton").first.focus()
        self.page.keyboard.type(f"{day:%Y%m%d}")
        self.page.keyboard.press("Escape")
        self.page.evaluate("document.activeElement.blur()")
        self.settle()
        expect(group).to_have_text(re.compile(rf"{day:%Y}\D+{day:%m}\D+{day:%d}"))

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name, exact=True).click()

    def expander(self, title: str) -> Locator:
        """An expander by its title, opened if it was closed."""
        details = self.page.locator("details").filter(
            has=self.page.locator("summary").filter(has_text=title))
        if details.get_attribute("open") is None:
            details.locator("summary").click()
            expect(details).to_have_attribute("open", "")
        return details

    # --- looking ---------------------------------------------------------------------------------

    def text(self) -> str:
        """Everything the main area shows, as a person reads it."""
        return self.page.get_by_test_id("stMain").inner_text()

    def shows(self, text: str) -> None:
        """The main area comes to show ``text``: Playwright looks again until it does, so a
        rerun the app had not drawn yet when the last wait ended cannot fail the check."""
        expect(self.page.get_by_test_id("stMain")).to_contain_text(text)

    def everything(self) -> str:
        """The whole page's text, sidebar included."""
        return self.page.locator("body").inner_text()

    def link_shown(self) -> str:
        """A private link the page shows once, in a code block."""
        block = self.page.get_by_test_id("stCode").filter(has_text="?link=")
        expect(block).to_have_count(1)
        return block.inner_text().strip()

    def assert_no_error(self) -> None:
        expect(self.page.get_by_test_id("stException")).to_have_count(0)
        expect(self.page.get_by_text(ERROR_MESSAGE)).to_have_count(0)

    def shot(self, name: str) -> Path:
        """A screenshot of what the tab shows now, numbered in the order taken."""
        self._shot_number += 1
        path = self.shots / f"{self._shot_number:02d}-{name}.png"
        self.page.screenshot(path=path)
        return path

    def projector_measures(self) -> dict:
        """What horizontal scrolling there is, and which visible body text is under 20 px or
        fainter than 7:1 against the white wall (WCAG's enhanced contrast)."""
        return self.page.evaluate(PROJECTOR_MEASURES)
