"""The .ics calendar: read back with a small RFC 5545 parser, every event and rule checked."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

from models.export_ics import PRODID, calendar_ics, escape_text, fold
from models.summary import MeasureLine, MilestoneLine
from tests.models.test_export_markdown import demo_summary, hand_summary


def parse(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(calendar properties, events): each property as name (with parameters) -> value."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    calendar: dict[str, str] = {}
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfolded.split("\r\n")[:-1]:
        name, value = line.split(":", 1)
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
        else:
            calendar[name] = value
    return calendar, events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_the_calendar_has_its_header_and_crlf_lines():
    data = calendar_ics(hand_summary())
    calendar, _ = parse(data)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert calendar["PRODID"] == PRODID == "-//Concord//Partnership workshop//EN"
    assert calendar["VERSION"] == "2.0"


def test_every_milestone_reevaluation_pilot_and_the_checkins_are_events():
    summary = hand_summary()
    _, events = parse(calendar_ics(summary))
    # 2 milestones + 1 re-evaluation + pilot start and end parsed from the measure + check-ins.
    assert len(events) == 6
    by_summary = {unescape(e["SUMMARY"]): e for e in events}
    pilot = by_summary["Pilot starts"]
    assert pilot["DTSTART;VALUE=DATE"] == "20270201"
    assert pilot["DTEND;VALUE=DATE"] == "20270202"
    assert unescape(pilot["DESCRIPTION"]) == "Owner: Northside FHC. It may slip 0 days."
    assert "may slip 3 days" in unescape(by_summary["First monthly check-in"]["DESCRIPTION"])
    assert by_summary["Re-evaluate: PHQ-9 response at 6 months"]["DTSTART;VALUE=DATE"] == \
        "20270815"
    assert by_summary["Pilot starts: PHQ-9 response at 6 months"]["DTSTART;VALUE=DATE"] == \
        "20270201"
    assert by_summary["Pilot ends: PHQ-9 response at 6 months"]["DTSTART;VALUE=DATE"] == \
        "20270731"
    for event in events:
        assert event["DTSTAMP"] == "20261118T093000Z"
        assert re.fullmatch(r"[a-z-]+-[0-9a-f]{16}(-\d+)?@concord", event["UID"])
    assert len({e["UID"] for e in events}) == len(events)


def test_checkins_repeat_from_the_first_checkin_milestone():
    _, events = parse(calendar_ics(hand_summary()))
    [checkin] = [e for e in events if "RRULE" in e]
    assert checkin["RRULE"] == "FREQ=WEEKLY;INTERVAL=4;COUNT=12"
    assert checkin["DTSTART;VALUE=DATE"] == "20270301"
    assert checkin["UID"].startswith("checkin-")


def test_without_a_checkin_milestone_checkins_start_cadence_weeks_after_the_workshop():
    summary = hand_summary(milestones=(), checkin_every_weeks=2)
    [checkin] = [e for e in parse(calendar_ics(summary))[1] if "RRULE" in e]
    assert checkin["DTSTART;VALUE=DATE"] == "20261201"  # 17 Nov 2026 + 2 weeks
    assert checkin["RRULE"] == "FREQ=WEEKLY;INTERVAL=2;COUNT=12"


def test_no_cadence_means_no_recurring_event():
    _, events = parse(calendar_ics(hand_summary(checkin_every_weeks=None)))
    assert not any("RRULE" in e for e in events)


def test_pilots_given_explicitly_replace_the_parsed_ones():
    pilots = [("Warm hand-offs", date(2027, 2, 1), date(2027, 7, 31))]
    _, events = parse(calendar_ics(hand_summary(), pilots=pilots))
    titles = [unescape(e["SUMMARY"]) for e in events]
    assert "Pilot starts: Warm hand-offs" in titles and "Pilot ends: Warm hand-offs" in titles
    assert not any(t.startswith("Pilot starts: PHQ-9") for t in titles)


def test_uids_are_stable_and_the_calendar_is_the_same_for_the_same_summary():
    summary = hand_summary()
    assert calendar_ics(summary) == calendar_ics(summary)
    twins = (MilestoneLine("Same", "other", date(2027, 1, 1), 0, "", 0),) * 2
    _, events = parse(calendar_ics(hand_summary(milestones=twins, measures=())))
    uids = [e["UID"] for e in events]
    assert len(set(uids)) == len(uids)


def test_text_is_escaped_and_reads_back_exactly():
    hostile = "Back\\slash; semi, comma\nnew line\r\nand <script>"
    summary = hand_summary(milestones=(MilestoneLine(hostile, "other", date(2027, 1, 5), 2,
                                                     hostile, 1),), measures=())
    data = calendar_ics(summary)
    _, events = parse(data)
    [event] = [e for e in events if "RRULE" not in e]
    assert unescape(event["SUMMARY"]) == hostile.replace("\r\n", "\n")
    assert event["SUMMARY"].startswith("Back\\\\slash\\; semi\\, comma\\nnew line\\nand")
    assert escape_text("a\rb") == "a\\nb"
    assert escape_text("bell\x07") == "bell "


def test_lines_fold_at_75_octets_without_splitting_a_character():
    long_name = "Ünïcødé partnership — " * 20
    summary = hand_summary(name=long_name, measures=(replace(
        hand_summary().measures[0], name="€" * 100),))
    data = calendar_ics(summary)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole UTF-8
    calendar, events = parse(data)
    assert unescape(calendar["X-WR-CALNAME"]) == long_name
    assert any(unescape(e["SUMMARY"]) == "Re-evaluate: " + "€" * 100 for e in events)
    assert fold("x" * 75) == "x" * 75
    assert fold("x" * 76) == "x" * 75 + "\r\n x"


def test_a_measure_without_a_pilot_or_reevaluation_adds_no_event():
    measure = MeasureLine("Only a name", "", "", "", "higher_is_better", "", "", "", "", "",
                          None)
    summary = hand_summary(measures=(measure,), milestones=(), checkin_every_weeks=None)
    assert parse(calendar_ics(summary))[1] == []


def test_a_naive_made_at_is_taken_as_utc():
    summary = hand_summary(made_at=datetime(2026, 11, 18, 9, 30))
    assert parse(calendar_ics(summary))[1][0]["DTSTAMP"] == "20261118T093000Z"
    aware = hand_summary(made_at=datetime(2026, 11, 18, 9, 30, tzinfo=UTC))
    assert calendar_ics(aware) == calendar_ics(summary)


def test_the_demo_calendar_parses(demo_engine):
    summary = demo_summary(demo_engine)
    _, events = parse(calendar_ics(summary))
    expected = (len(summary.milestones)
                + sum(1 for m in summary.measures if m.reevaluation)
                + 2 * sum(1 for m in summary.measures if " to " in m.pilot)
                + (1 if summary.checkin_every_weeks else 0))
    assert len(events) == expected
    [checkin] = [e for e in events if "RRULE" in e]
    assert checkin["RRULE"] == "FREQ=WEEKLY;INTERVAL=4;COUNT=12"
    assert checkin["DTSTART;VALUE=DATE"] == "20270301"
