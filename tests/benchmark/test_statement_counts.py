"""SQL statements per page rerun do not grow with the workshop: the same count for a small
workshop and one eight times its size, on every page of every role (no query per row), when the
page reuses the views it kept, after each of the saves made in the room (``SAVES``), and with
every view built again. After any of those saves, no page reads more than 15 statements.

Statement counts do not depend on the machine, so they are asserted here; timings are figures
to read in the benchmark (``python -m tests.benchmark``), not assertions.
"""

from __future__ import annotations

import pytest

from models.db import make_engine
from tests.benchmark import generate
from tests.benchmark.__main__ import TARGET_STATEMENTS, page_runs, roles
from tests.benchmark.generate import Size
from tests.benchmark.pages import Screen, navigation_as_served, open_page, screens

SMALL = Size(partners=3, topics=3, rounds=2, measures=2, milestones=3, months=2)
LARGE = Size(partners=8, topics=24, rounds=2, measures=16, milestones=24, months=16)
PAGES = [(kind, screen) for kind in ("facilitator", "partner", "leadership")
         for screen in screens(kind)]
IDS = [screen.label for _, screen in PAGES]


@pytest.fixture(scope="module")
def workshops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("statement-counts")
    built = {}
    for name, size in (("small", SMALL), ("large", LARGE)):
        engine, workshop = generate.database(folder / name, size)
        built[name] = (engine.url.database, workshop)
        engine.dispose()
    return built


def statements(db_path, workshop, kind, screen: Screen) -> tuple[int, dict[str, int], int]:
    """Per rerun: with nothing changed, after each save, and with every view built."""
    engine = make_engine(f"sqlite:///{db_path}")
    with navigation_as_served():
        app = open_page(screen.path, roles(db_path, workshop)[kind], screen.opened)
        runs = page_runs(app, screen.label, kind, engine, reruns=2, memory=False)
    engine.dispose()
    assert not (runs.unchanged.exception or runs.saved.exception or runs.cold.exception), \
        screen.label
    return runs.unchanged.statements, runs.statements_by_save, runs.cold.statements


@pytest.fixture(scope="module")
def counted(workshops):
    return {}


def counts(workshops, counted, size, kind, screen: Screen):
    if (size, screen) not in counted:
        counted[size, screen] = statements(*workshops[size], kind, screen)
    return counted[size, screen]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "screen"), PAGES, ids=IDS)
def test_a_page_issues_the_same_statements_however_large_the_workshop(workshops, counted,
                                                                      kind, screen):
    small = counts(workshops, counted, "small", kind, screen)
    large = counts(workshops, counted, "large", kind, screen)
    assert small == large, (f"{screen.label}: {small} statements (nothing changed, after each "
                            f"save, every view built) for the small workshop, {large} for one "
                            f"eight times its size")


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "screen"), PAGES, ids=IDS)
def test_after_any_save_a_page_reads_at_most_the_target(workshops, counted, kind, screen):
    unchanged, by_save, _ = counts(workshops, counted, "large", kind, screen)
    assert unchanged <= TARGET_STATEMENTS
    over = {save: count for save, count in by_save.items() if count > TARGET_STATEMENTS}
    assert not over, f"{screen.label}: more than {TARGET_STATEMENTS} statements after {over}"


def test_a_rerun_with_nothing_changed_reuses_the_kept_views(workshops, counted):
    """The summary, at the facilitator: with nothing changed it reads only who is signed in
    and the stamps; after a rating it reads again what reads ratings, not everything."""
    unchanged, by_save, cold = counts(workshops, counted, "large", "facilitator",
                                      Screen("pages/summary.py", "pages/summary.py"))
    assert unchanged <= 3 < by_save["a rating"] < cold
