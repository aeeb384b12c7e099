"""The authorization matrix: every page in ui.navigation.SCREENS under every role, through app.py
and opened by its address on a freshly started server. An allowed role sees the page. A refused
role never reaches it: app.py does not register it for that role, and opened by its address it
shows the role's own first page, with none of the demo workshop's data. A page added to SCREENS is
covered without anyone remembering to add it here.

Partners see only their own answers, and a link of another workshop sees only that workshop.
The module prints the matrix it found at the end (informative; the tests assert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from models import mission, setup
from models.clock import utcnow
from models.db import make_engine, reading, writing
from models.links import create_link
from models.prework import issue_link, revoke_links
from models.schema import (
    CapacityCommitment,
    ExpectedResult,
    FacilitatorAccount,
    LinkPurpose,
    Measure,
    MissionDraft,
    Participant,
    Partner,
    PartnerMission,
    PreworkProgress,
    Stance,
    Topic,
    Workshop,
)
from models.startup import prepare
from tests.conftest import Backend, point_app_at
from tests.pages.conftest import PASSWORD, new_app, texts
from ui.navigation import SCREENS, Screen, screens_for
from ui.state import LINK_PARAM, RoleKind

REFUSED = "This page is not available"
LINK_REFUSED = "This link is not valid"
OTHER_WORKSHOP = "Zephyr Valley Alliance"
OTHER_PARTNER = "Zephyr Clinic"
OTHER_MISSION = "Zephyr Clinic keeps every valley family within a short drive of care."


@dataclass(frozen=True)
class Role:
    """One column of the matrix: a label, the kind app.py must resolve, and how to enter."""

    label: str
    short: str
    kind: RoleKind
    enter: Callable[[AppTest, World], None]
    partner_key: str | None = None  # for a demo partner's link: whose own texts are shown


@dataclass(frozen=True)
class World:
    database: str  # its URL
    demo_id: int
    facilitator_id: int
    tokens: dict[str, str]
    demo_data: tuple[str, ...]  # what no refused role may see
    partner_names: dict[str, str]  # "A" / "B" → the demo partner's name
    own_texts: dict[str, tuple[str, ...]]  # "A" / "B" / "C" → what only that partner wrote


def _facilitator(at: AppTest, world: World) -> None:
    at.session_state["facilitator_id"] = world.facilitator_id
    at.session_state["workshop_id"] = world.demo_id


def _link(name: str) -> Callable[[AppTest, World], None]:
    def enter(at: AppTest, world: World) -> None:
        at.query_params[LINK_PARAM] = world.tokens[name]
    return enter


def _raw_link(token: str) -> Callable[[AppTest, World], None]:
    def enter(at: AppTest, _world: World) -> None:
        at.query_params[LINK_PARAM] = token
    return enter


ROLES: tuple[Role, ...] = (
    Role("nobody", "nob", "nobody", lambda at, world: None),
    Role("facilitator", "fac", "facilitator", _facilitator),
    Role("partner A", "pA", "partner", _link("A"), partner_key="A"),
    Role("partner B", "pB", "partner", _link("B"), partner_key="B"),
    Role("leadership", "lead", "leadership", _link("review")),
    Role("revoked link", "rev", "invalid_link", _link("revoked")),
    Role("expired link", "exp", "invalid_link", _link("expired")),
    Role("malformed: not-a-token", "bad1", "invalid_link", _raw_link("not-a-token")),
    Role("malformed: x*500", "bad2", "invalid_link", _raw_link("x" * 500)),
    Role("malformed: SQL", "bad3", "invalid_link", _raw_link("'; DROP TABLE partner;--")),
    Role("other workshop link", "other", "partner", _link("other")),
)
PAGE_CASES = [(screen, role) for screen in SCREENS for role in ROLES]
FRESH_SERVER = PagesManager.__init__  # before conftest's _navigation_as_served replaces it
MATRIX: dict[tuple[str, str], dict[str, str]] = {}


# --- the world every test opens ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo as a first start loads it, a second workshop, and one link of every kind."""
    database = backend.migrated(tmp_path_factory.mktemp("matrix"))
    engine = make_engine(database)
    prepare(engine, facilitator_password=PASSWORD)
    with writing(engine) as session:
        demo_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        partners = session.exec(select(Partner).where(Partner.workshop_id == demo_id)
                                .order_by(Partner.position)).all()
        tokens = _links(session, demo_id, [p.id for p in partners])
        facilitator_id = session.exec(select(FacilitatorAccount.id)).first()
        keys = dict(zip("ABC", partners, strict=False))
        own = {key: _own_texts(session, partner.id) for key, partner in keys.items()}
        built = World(database=database, demo_id=demo_id, facilitator_id=facilitator_id,
                      tokens=tokens, demo_data=_demo_data(session, demo_id),
                      partner_names={key: partner.name for key, partner in keys.items()},
                      own_texts={key: tuple(t for t in texts_ if not any(
                          t in other for k, other in own.items() if k != key))
                          for key, texts_ in own.items()})
    engine.dispose()
    yield built
    backend.drop(database)


def _links(session: Session, demo_id: int, partner_ids: list[int]) -> dict[str, str]:
    first, second, third = partner_ids[:3]
    tokens = {
        "A": issue_link(session, workshop_id=demo_id, purpose=LinkPurpose.PREWORK,
                        partner_id=first, actor="test"),
        "B": issue_link(session, workshop_id=demo_id, purpose=LinkPurpose.PREWORK,
                        partner_id=second, actor="test"),
        "review": issue_link(session, workshop_id=demo_id, purpose=LinkPurpose.REVIEW,
                             actor="test"),
        "revoked": issue_link(session, workshop_id=demo_id, purpose=LinkPurpose.PREWORK,
                              partner_id=third, actor="test"),
    }
    revoke_links(session, workshop_id=demo_id, purpose=LinkPurpose.PREWORK, partner_id=third,
                 actor="test")
    tokens["expired"] = create_link(session, workshop_id=demo_id, purpose=LinkPurpose.PREWORK,
                                    partner_id=third,
                                    expires_at=utcnow() - timedelta(minutes=1))
    other = setup.create_workshop(
        session, actor="test", workshop={"name": OTHER_WORKSHOP, "held_on": date(2027, 5, 4)},
        partners=[{"name": OTHER_PARTNER, "kind": "primary_care", "colour": "#0072B2"},
                  {"name": "Quillfeather Health", "kind": "other", "colour": "#E69F00"}])
    other_partner = session.exec(select(Partner.id).where(Partner.workshop_id == other.id)
                                 .order_by(Partner.position)).first()
    mission.save_partner_mission(session, partner_id=other_partner,
                                 data={"mission": OTHER_MISSION}, expected_version=None,
                                 actor="test")
    tokens["other"] = issue_link(session, workshop_id=other.id, purpose=LinkPurpose.PREWORK,
                                 partner_id=other_partner, actor="test")
    return tokens


def _demo_data(session: Session, demo_id: int) -> tuple[str, ...]:
    """Names, people, mission texts, topic titles and measure names of the demo workshop."""
    partners = session.exec(select(Partner).where(Partner.workshop_id == demo_id)).all()
    ids = [p.id for p in partners]
    found = [session.get(Workshop, demo_id).name, *(p.name for p in partners)]
    found += [p.name for p in _of(session, Participant, ids)]
    for row in _of(session, PartnerMission, ids):
        found += [row.mission, row.values, row.brings, row.needs]
    for column, workshop in ((MissionDraft.text, MissionDraft.workshop_id),
                             (Topic.title, Topic.workshop_id), (Measure.name, Measure.workshop_id)):
        found += session.exec(select(column).where(workshop == demo_id)).all()
    return tuple(sorted({text.strip() for text in found if text and text.strip()}))


def _own_texts(session: Session, partner_id: int) -> tuple[str, ...]:
    """What this partner wrote in pre-work (and who its people are): never on another's pages."""
    ids = [partner_id]
    found = [p.name for p in _of(session, Participant, ids)]
    for row in _of(session, PartnerMission, ids):
        found += [row.mission, row.values, row.brings, row.needs]
    found += [r.text for r in _of(session, ExpectedResult, ids)]
    found += [r.note_to_facilitator for r in _of(session, PreworkProgress, ids)]
    found += [r.note for r in _of(session, CapacityCommitment, ids)]
    for stance in _of(session, Stance, ids):
        found += [stance.preferred_text, stance.wants_in_return]
    return tuple(sorted({text.strip() for text in found if text and text.strip()}))


def _of(session: Session, table: type, partner_ids: list[int]) -> list:
    return list(session.exec(select(table).where(table.partner_id.in_(partner_ids))).all())


@pytest.fixture(autouse=True)
def _app_opens_world(_no_user_database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    point_app_at(monkeypatch, world.database)
    monkeypatch.setenv("CONCORD_FACILITATOR_PASSWORD", PASSWORD)


@pytest.fixture(scope="module", autouse=True)
def _print_matrix(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(_matrix_lines()))


def _matrix_lines() -> list[str]:
    width = max(len(screen.path) for screen in SCREENS)
    head = " ".join(f"{role.short:>5}" for role in ROLES)
    lines = ["", "Authorization matrix (app.py / opened by address on a fresh server): ✓ shown, "
             "· not registered, → the role's own first page, ! unexpected, ? not run",
             f"{'page':<{width}} {head}"]
    for screen in SCREENS:
        cells = []
        for role in ROLES:
            cell = MATRIX.get((screen.path, role.label), {})
            cells.append(f"{cell.get('app', '?') + cell.get('alone', '?'):>5}")
        lines.append(f"{screen.path:<{width}} {' '.join(cells)}")
    return lines


# --- what is on screen ---------------------------------------------------------------------------


def on_screen(at: AppTest) -> str:
    return "\n".join([texts(at), *(str(element.value) for element in at.html)])


def leaks(at: AppTest, world: World, role: Role) -> list[str]:
    """What the page shows that this role must not see."""
    shown = on_screen(at)
    if role.kind in ("nobody", "invalid_link") or role.label == "other workshop link":
        return [text for text in world.demo_data if text in shown]
    if role.partner_key is not None:
        others = [t for key, own in world.own_texts.items() if key != role.partner_key
                  for t in own]
        return [text for text in others if text in shown]
    return []


def record(screen: Screen, role: Role, mode: str, mark: str) -> None:
    MATRIX.setdefault((screen.path, role.label), {})[mode] = mark


# --- through app.py ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=[role.label for role in ROLES])
def test_app_registers_only_the_roles_pages(world, role):
    at = new_app()
    role.enter(at, world)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    landing = screens_for(role.kind)[0]
    problems = []
    if role.kind == "invalid_link":
        assert at.title[0].value == LINK_REFUSED
    if role.kind == "partner":
        expected = (OTHER_PARTNER if role.partner_key is None
                    else world.partner_names[role.partner_key])
        assert at.caption[0].value.startswith(f"{expected} · "), "the link opened someone else"
    for screen in SCREENS:
        if role.kind not in screen.roles:
            with pytest.raises(ValueError):
                at.switch_page(screen.path)
            record(screen, role, "app", "·")
            continue
        if screen != landing:
            at.switch_page(screen.path).run()
        problem = _allowed_problem(at, world, role)
        record(screen, role, "app", "!" if problem else "✓")
        if problem:
            problems.append(f"{screen.path}: {problem}")
    assert not problems, problems


def _allowed_problem(at: AppTest, world: World, role: Role) -> str | None:
    if at.exception:
        return f"exception {[e.value for e in at.exception]}"
    if not at.title or at.title[0].value == REFUSED:
        return "refused or no title"
    found = leaks(at, world, role)
    return f"shows {found}" if found else None


# --- each page opened by its address on a fresh server -------------------------------------------

# What each role's first page (``screens_for(kind)[0]``) is titled.
LANDING_TITLES: dict[RoleKind, str] = {"nobody": "Concord", "facilitator": "Set-up",
                                       "partner": "Your pre-work", "leadership": "Review: ",
                                       "invalid_link": LINK_REFUSED}


def open_on_fresh_server(screen: Screen, role: Role, world: World,
                         monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Open the page by its address on a server no request has reached yet.

    With pages/ beside app.py and st.navigation not yet called, Streamlit runs the requested
    file from pages/ alone, with every file there registered. The page hands the request to
    app.py at once (``ui.state.require``), which shows the page only to a role it belongs to.
    """
    monkeypatch.setattr(PagesManager, "__init__", FRESH_SERVER)
    at = new_app()
    role.enter(at, world)
    at.switch_page(screen.path).run()
    assert PagesManager.uses_pages_directory is False, "the page did not hand over to app.py"
    return at


@pytest.mark.parametrize(("screen", "role"), PAGE_CASES,
                         ids=[f"{s.path}-{r.label}" for s, r in PAGE_CASES])
def test_page_opened_on_a_fresh_server(world, screen, role, monkeypatch):
    at = open_on_fresh_server(screen, role, world, monkeypatch)
    landing = LANDING_TITLES[role.kind]
    assert at.title, "no title"
    title = at.title[0].value
    if role.kind in screen.roles:
        problem = _allowed_problem(at, world, role)
        record(screen, role, "alone", "!" if problem else "✓")
        assert problem is None, problem
        if screen != screens_for(role.kind)[0]:
            assert not title.startswith(landing), "the role's first page, not the one asked for"
        return
    assert not at.exception, [e.value for e in at.exception]
    found = leaks(at, world, role)  # the role's own page: what this role must not see there
    record(screen, role, "alone", "→" if title.startswith(landing) and not found else "!")
    assert title.startswith(landing), title
    assert not found, found


def test_hostile_links_leave_the_database_alone(world):
    engine = make_engine(world.database)
    with reading(engine) as session:
        assert session.exec(select(Partner.id).where(Partner.workshop_id == world.demo_id)).all()
    engine.dispose()


def test_the_search_finds_what_it_looks_for(world):
    """The leak checks are not vacuous: the same search finds the demo on the facilitator's
    pages, and each partner's own answers on its own pre-work."""
    at = new_app()
    _facilitator(at, world)
    at.run()
    at.switch_page("pages/mission.py").run()
    assert len([text for text in world.demo_data if text in on_screen(at)]) >= 5
    for role in ROLES:
        if role.partner_key is None:
            continue
        at = new_app()
        role.enter(at, world)
        at.run()
        at.switch_page("pages/prework_mission.py").run()
        assert any(text in on_screen(at) for text in world.own_texts[role.partner_key])
