"""The load test's client, on a few sessions against the real server: it saves without errors
or losses, and its checks can fail. Its timings are for reading, not for asserting."""

import pytest

from tests.benchmark.load import (
    PAGE,
    SAVE_KEY,
    SAVED,
    PartnerSession,
    lost_saves,
    run_in_own_loop,
    run_load,
    running_server,
    seed_partners,
)

TOO_LONG = "x" * 4001  # PartnerMissionIn keeps a mission to 4000 characters


async def open_and_save(server, link, texts):
    """Open the partner's page, then save each text in turn; every run, the opening first."""
    session = PartnerSession(server, link)
    try:
        runs = [await session.open()]
        for text in texts:
            runs.append(await session.save(text))
        return runs
    finally:
        await session.close()


@pytest.mark.slow
def test_a_few_sessions_save_at_once_without_errors_or_losses():
    result = run_load(sessions=4, saves_per_session=2)

    assert (result.saves, result.errors, result.lost) == (8, 0, 0)


@pytest.mark.slow
def test_a_save_refused_by_validation_counts_as_an_error(tmp_path):
    db_path = tmp_path / "concord.db"
    [link] = seed_partners(db_path, 1)

    with running_server(db_path, tmp_path / "server.log") as server:
        opened, refused, accepted = run_in_own_loop(
            open_and_save(server, link, [TOO_LONG, "We serve the whole person."]))

    assert opened.problems == []
    assert not refused.saved()
    assert any(problem.startswith("error shown:") for problem in refused.problems)
    assert f"no {SAVED!r} message after the save" in refused.problems
    assert accepted.problems == [] and accepted.saved()
    assert lost_saves(db_path, {link.partner_id: ["We serve the whole person."]}) == 0


@pytest.mark.slow
def test_a_save_reruns_the_form_alone_as_a_click_in_a_browser_does(tmp_path):
    db_path = tmp_path / "concord.db"
    [link] = seed_partners(db_path, 1)

    with running_server(db_path, tmp_path / "server.log") as server:
        opened, saved = run_in_own_loop(open_and_save(server, link, ["One door for every family."]))

    form = opened.fragment_of(SAVE_KEY)
    assert form, "the mission form is not drawn in a fragment"
    assert "" in opened.fragments, "the whole page is in the fragment"
    # The server ran the form alone (a whole run would end with another status, a problem).
    assert saved.fragment == form and saved.problems == [] and saved.saved()
    assert saved.page == PAGE
    outside = [e for e, f in zip(opened.elements, opened.fragments, strict=True) if f != form]
    assert saved.elements[:len(outside)] == outside, "the page around the form was not kept"


def test_an_acknowledged_save_the_database_does_not_hold_is_lost(tmp_path):
    db_path = tmp_path / "concord.db"
    [link] = seed_partners(db_path, 1)

    assert lost_saves(db_path, {link.partner_id: ["A mission nobody saved."]}) == 1
