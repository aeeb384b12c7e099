"""SQL statements per page rerun do not grow with the workshop: the same count for a small
workshop and one eight times its size, on every page of every role (no query per row), both
when the page reuses the views it kept and after a save, when it builds them all again.

Statement counts do not depend on the machine, so they are asserted here; timings are figures
to read in the benchmark (``python -m tests.benchmark``), not assertions.
"""

from __future__ import annotations

import pytest

from models.db import make_engine
from tests.benchmark import generate
from tests.benchmark.__main__ import roles
from tests.benchmark.generate import Size
from tests.benchmark.pages import measure, navigation_as_served, open_page, saved_elsewhere
from ui.navigation import screens_for

SMALL = Size(partners=3, topics=3, rounds=2, measures=2, milestones=3, months=2)
LARGE = Size(partners=8, topics=24, rounds=2, measures=16, milestones=24, months=16)
PAGES = [(kind, screen.path) for kind in ("facilitator", "partner", "leadership")
         for screen in screens_for(kind)]


@pytest.fixture(scope="module")
def workshops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("statement-counts")
    built = {}
    for name, size in (("small", SMALL), ("large", LARGE)):
        engine, workshop = generate.database(folder / name, size)
        built[name] = (engine.url.database, workshop)
        engine.dispose()
    return built


def statements(db_path, workshop, kind, page) -> tuple[int, int]:
    """Per rerun: with nothing changed, and after a save elsewhere."""
    change = saved_elsewhere(make_engine(f"sqlite:///{db_path}"))
    with navigation_as_served():
        app = open_page(page, roles(db_path, workshop)[kind])
        kept = measure(app, page, kind, reruns=2, memory_reruns=0)
        built = measure(app, page, kind, reruns=2, change=change, memory_reruns=0)
    assert not kept.exception and not built.exception, page
    return kept.statements, built.statements


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "page"), PAGES, ids=[page for _, page in PAGES])
def test_a_page_issues_the_same_statements_however_large_the_workshop(workshops, kind, page):
    small = statements(*workshops["small"], kind, page)
    large = statements(*workshops["large"], kind, page)
    assert small == large, f"{page}: {small} statements (nothing changed, after a save) for the "\
                           f"small workshop, {large} for one eight times its size"


def test_a_rerun_with_nothing_changed_reuses_the_kept_views(workshops):
    """The summary, at the facilitator: after a save it reads its tables again; with nothing
    changed only who is signed in, the workshops to choose from and the change stamp."""
    kept, built = statements(*workshops["large"], "facilitator", "pages/summary.py")
    assert kept <= 4 < built
