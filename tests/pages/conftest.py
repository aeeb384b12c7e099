"""AppTest fixtures: the real app.py against a temporary database (on each backend), under any
role."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from models import setup
from models.db import writing
from models.links import create_link
from models.schema import LinkPurpose, Partner, Workshop
from models.startup import prepare
from tests.conftest import Backend, opened, point_app_at

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
TIMEOUT = 30


@pytest.fixture(autouse=True)
def _navigation_as_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run app.py on every rerun, as a running server does.

    Streamlit keeps a process-wide flag that is true while a ``pages/`` folder sits beside the
    entry script and turns false for good once ``st.navigation`` is called; after that every
    rerun starts at app.py. AppTest resets the flag before each run, so without this every rerun
    after the first would run the page file alone. Pages opened on a fresh server are tested in
    test_authorization_matrix.py, and pages run without app.py in test_page_guards.py.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app_db(backend: Backend, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The database the app under test opens, started as the app starts it."""
    monkeypatch.setenv("CONCORD_FACILITATOR_PASSWORD", PASSWORD)
    url = backend.migrated(tmp_path)
    point_app_at(monkeypatch, url)
    with opened(backend, url) as engine:
        prepare(engine, facilitator_password=PASSWORD)
        yield engine


@pytest.fixture
def new_app_database(backend: Backend, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty database that the app under test opens: its very first start. Its URL."""
    url = backend.new(tmp_path)
    point_app_at(monkeypatch, url)
    yield url
    backend.drop(url)


def new_app(script: str = "app.py") -> AppTest:
    return AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)


def demo_workshop_id(engine: Engine) -> int:
    with writing(engine) as session:
        return session.exec(select(Workshop.id).where(Workshop.is_demo)).one()


def empty_workshop_id(engine: Engine) -> int:
    """A workshop with two partners and nothing else: every screen must cope with it."""
    with writing(engine) as session:
        workshop = setup.create_workshop(
            session, actor="test",
            workshop={"name": "Empty Partnership", "held_on": date(2027, 3, 1)},
            partners=[{"name": "Only BH", "kind": "behavioral_health", "colour": "#0072B2"},
                      {"name": "Only PC", "kind": "primary_care", "colour": "#E69F00"}])
        return workshop.id


def link_token(engine: Engine, workshop_id: int, purpose: LinkPurpose) -> str:
    with writing(engine) as session:
        partner_id = None
        if purpose == LinkPurpose.PREWORK:
            partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                                      .order_by(Partner.position)).first()
        return create_link(session, workshop_id=workshop_id, purpose=purpose,
                           partner_id=partner_id)


RoleSetter = Callable[[AppTest], None]


def as_role(engine: Engine, kind: str, workshop_id: int) -> RoleSetter:
    """A function that puts an AppTest in the given role for the given workshop."""
    def facilitator(at: AppTest) -> None:
        at.session_state["facilitator_id"] = 1
        at.session_state["workshop_id"] = workshop_id

    def with_link(token: str) -> RoleSetter:
        def apply(at: AppTest) -> None:
            at.query_params["link"] = token
        return apply

    setters: dict[str, Callable[[], RoleSetter]] = {
        "facilitator": lambda: facilitator,
        "partner": lambda: with_link(link_token(engine, workshop_id, LinkPurpose.PREWORK)),
        "leadership": lambda: with_link(link_token(engine, workshop_id, LinkPurpose.REVIEW)),
        "invalid_link": lambda: with_link("x" * 43),
        "nobody": lambda: (lambda at: None),
    }
    return setters[kind]()


def figures(at: AppTest) -> list[dict]:
    """Every Plotly figure the page sends, as the data the browser receives."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def chart_titles(at: AppTest) -> list[str]:
    return [figure["layout"]["title"]["text"] for figure in figures(at)]


def texts(at: AppTest) -> str:
    """Everything the page shows as text, to search for what must or must not be there."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info",
                 "warning", "error", "success"):
        parts += [str(element.value) for element in getattr(at, kind)]
    for kind in ("text_input", "text_area", "selectbox", "multiselect", "number_input",
                 "date_input", "radio"):
        parts += [str(widget.value) for widget in getattr(at, kind)]
    parts += [expander.label for expander in at.expander]
    parts += [tab.label for tab in at.tabs]
    return "\n".join(parts)
