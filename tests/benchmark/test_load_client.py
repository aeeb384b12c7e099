"""The load test's client, on a few sessions against the real server: it saves without errors
or losses, and its checks can fail. Its timings are for reading, not for asserting."""

import asyncio

import pytest

from tests.benchmark.load import (
    SAVED,
    PartnerSession,
    lost_saves,
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
        opened, refused, accepted = asyncio.run(
            open_and_save(server, link, [TOO_LONG, "We serve the whole person."]))

    assert opened.problems == []
    assert not refused.saved()
    assert any(problem.startswith("error shown:") for problem in refused.problems)
    assert f"no {SAVED!r} message after the save" in refused.problems
    assert accepted.problems == [] and accepted.saved()
    assert lost_saves(db_path, {link.partner_id: ["We serve the whole person."]}) == 0


def test_an_acknowledged_save_the_database_does_not_hold_is_lost(tmp_path):
    db_path = tmp_path / "concord.db"
    [link] = seed_partners(db_path, 1)

    assert lost_saves(db_path, {link.partner_id: ["A mission nobody saved."]}) == 1
