"""The report of a check-in as Markdown and as a PDF, and the next check-in in the calendar, each
read back: the PDF with pypdf, the calendar with the RFC 5545 reader of the calendar's tests, and
the Markdown line by line, every piece of typed text printed literally."""

from __future__ import annotations

import re
import struct
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from models import checkin_report
from models.checkin_report import (
    CheckInReport,
    HoursLine,
    LogLine,
    MilestoneProgress,
    PartnerMark,
    ReadingLine,
    RecalibrationLine,
)
from models.db import reading, writing
from models.export_ics import calendar_ics
from models.export_markdown import checkin_markdown, literal
from models.export_pdf import checkin_pdf
from models.schema import Direction, MilestoneState, RecalibrationKind
from models.summary import build_summary
from models.summary_figures import measure_paths_pngs, milestone_slips_pngs
from tests.checkin_story import demo_workshop_id, record_story
from tests.models.test_export_ics import parse, unescape
from tests.models.test_export_markdown import HOSTILE as HOSTILE_TEXTS
from tests.models.test_export_markdown import hand_summary
from tests.models.test_export_pdf import PNG_SIGNATURE, image_count, pdf_text, squash

CLINIC = "Clínica Señora Ñandú"
HOSTILE = "<script>alert(1)</script> **bold** | pipe"


def hand_report(**changes: object) -> CheckInReport:
    """A check-in built from the dataclasses alone, with awkward names and text."""
    report = CheckInReport(
        workshop_id=7, workshop="Riverbend Integrated Care Partnership", checkin_id=3,
        held_on=date(2027, 4, 26), previous_on=date(2027, 3, 29), next_on=date(2027, 5, 3),
        note="Mid-way through the pilot.",
        partners=(PartnerMark(1, CLINIC, "#0072B2"), PartnerMark(2, HOSTILE, "#E69F00")),
        measures=(
            ReadingLine(measure_id=1, name="PHQ-9 response at 6 months", unit="percent",
                        direction=Direction.HIGHER_IS_BETTER, baseline=28,
                        baseline_on=date(2026, 9, 30), target=45, value=38,
                        measured_on=date(2027, 4, 23), source="Collaborative care registry",
                        percent=10 / 17 * 100, words="59 % of the way to the target",
                        path=((date(2027, 2, 26), 31), (date(2027, 3, 26), 34),
                              (date(2027, 4, 23), 38)),
                        pilot_start=date(2027, 2, 1), pilot_end=date(2027, 7, 31),
                        reevaluation=date(2027, 8, 15)),
            ReadingLine(measure_id=2, name="Wait time to first visit", unit="days",
                        direction=Direction.LOWER_IS_BETTER, baseline=21,
                        baseline_on=date(2026, 10, 31), target=7, value=None, measured_on=None,
                        source="", percent=None, words="No reading yet", path=(),
                        pilot_start=None, pilot_end=None, reevaluation=None)),
        milestones=(
            MilestoneProgress(milestone_id=1, title="Shared registry live",
                              due_on=date(2027, 3, 15), slack_days=14, owner=CLINIC,
                              state=MilestoneState.SLIPPED, slip_days=18,
                              reason="The vendor's link failed testing."),
            MilestoneProgress(milestone_id=2, title="Pilot ends", due_on=date(2027, 7, 31),
                              slack_days=0, owner="", state=None, slip_days=0, reason="")),
        capacity=(HoursLine(partner_id=1, partner=CLINIC, month=date(2027, 3, 1), planned=60,
                            given=42, note="Two nurses out"),
                  HoursLine(partner_id=2, partner=HOSTILE, month=date(2027, 3, 1),
                            planned=None, given=20, note="")),
        successes=(LogLine("success", date(2027, 4, 20), "Under ten days for the first time.",
                           "", CLINIC),
                   LogLine("early win", date(2027, 4, 2), "First shared care plan", "", "")),
        disappointments=(LogLine("disappointment", date(2027, 4, 10), HOSTILE,
                                 "Test the vendor's link a month ahead.", ""),),
        recalibrations=(RecalibrationLine(RecalibrationKind.TARGET,
                                          "HbA1c poor control: target", "26 %", "27 %",
                                          "A1c moves slowly."),),
        made_at=datetime(2027, 4, 26, 15, 0, tzinfo=UTC))
    return replace(report, **changes)


@pytest.fixture
def story(demo_engine):
    with writing(demo_engine) as session:
        workshop_id = demo_workshop_id(session)
        record_story(session, workshop_id)
    with reading(demo_engine) as session:
        view = checkin_report.checkin_view(session, workshop_id)
        summary = build_summary(session, workshop_id)
    return view, summary


# --- Markdown ------------------------------------------------------------------------------------


def test_markdown_opens_with_the_successes_and_has_every_section():
    text = checkin_markdown(hand_report())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Riverbend Integrated Care Partnership: check-in of 26 Apr 2027",
        "## Successes since the check-in of 29 Mar 2027", "## Measures",
        "### PHQ-9 response at 6 months", "### Wait time to first visit", "## Milestones",
        "## Hours given against hours planned", "## Disappointments and what we learned",
        "## Recalibrations"]
    assert "Previous check-in: 29 Mar 2027. Next check-in: 3 May 2027." in text
    assert "- **Progress:** 59 % of the way to the target" in text
    assert "- **Now:** not reported at this check-in" in text
    assert "slipped 18 days (it may slip 14), 4 days beyond its slack" in text
    assert "1 other milestone was not reported at this check-in." in text
    assert "gave 42 h of 60 h planned (Two nurses out)" in text
    assert "2 Apr 2027: First shared care plan (an early win reached)" in text
    assert "26 % → 27 %. Why: A1c moves slowly." in text


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_markdown_prints_hostile_text_literally(hostile):
    report = hand_report(
        workshop=hostile, note=hostile,
        partners=(PartnerMark(1, hostile, "#000000"),),
        successes=(LogLine("success", date(2027, 4, 20), hostile, hostile, hostile),),
        recalibrations=(RecalibrationLine(RecalibrationKind.DATE, hostile, hostile, hostile,
                                          hostile),))
    text = checkin_markdown(report)
    assert "<script" not in text and "**bold**" not in text and "](http" not in text
    assert "\n# heading" not in text and "\n- second line" not in text
    for line in text.splitlines():
        # Only our own structure starts a line: headings, bullets, bold labels, plain words.
        assert not re.match(r"^(\d+[.)]|[>|`=])", line), line
    assert literal(hostile) in text


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_opens_with_its_charts_and_text_exactly_as_typed():
    reader, text = pdf_text(checkin_pdf(hand_report()))
    flat = squash(text)
    assert image_count(reader) == 2
    for expected in ("Check-in of 26 Apr 2027", "Successes since the check-in of 29 Mar 2027",
                     "Under ten days for the first time.", CLINIC, HOSTILE,
                     "59 % of the way to the target", "Slipped 18 days, 4 days beyond its slack",
                     "Test the vendor's link a month ahead.", "A1c moves slowly.",
                     "Next check-in: 3 May 2027."):
        assert expected in flat, expected
    for number, page in enumerate(reader.pages, start=1):
        assert (f"Riverbend Integrated Care Partnership: check-in of 26 Apr 2027 · page {number}"
                in squash(page.extract_text()))


def test_pdf_of_a_bare_checkin_says_what_is_missing():
    bare = hand_report(previous_on=None, next_on=None, note="", measures=(), milestones=(),
                       capacity=(), successes=(), disappointments=(), recalibrations=())
    reader, text = pdf_text(checkin_pdf(bare))
    flat = squash(text)
    assert image_count(reader) == 2
    for expected in ("The first check-in since the workshop.", "Successes since the workshop",
                     "None logged.", "No measure has been agreed yet.",
                     "No milestone was reported at this check-in.",
                     "No hours planned or reported yet.", "Nothing in the plan was changed."):
        assert expected in flat, expected


def test_chart_images_are_pngs_even_with_nothing_to_draw():
    for report in (hand_report(), hand_report(measures=(), milestones=())):
        [paths], [slips] = measure_paths_pngs(report), milestone_slips_pngs(report)
        assert paths.startswith(PNG_SIGNATURE) and slips.startswith(PNG_SIGNATURE)


def test_many_measures_and_milestones_take_several_images_each_on_its_own_page():
    measures = tuple(replace(hand_report().measures[0], measure_id=n, name=f"Measure {n}")
                     for n in range(1, 18))
    milestones = tuple(replace(hand_report().milestones[0], milestone_id=n, title=f"Step {n}")
                       for n in range(1, 20))
    report = hand_report(measures=measures, milestones=milestones)
    assert [len(measure_paths_pngs(report)), len(milestone_slips_pngs(report))] == [3, 2]
    reader, _ = pdf_text(checkin_pdf(report))
    assert image_count(reader) == 5
    for image in measure_paths_pngs(report) + milestone_slips_pngs(report):
        width, height = struct.unpack(">II", image[16:24])  # the PNG's IHDR
        assert height / width <= 257 / 174  # fits the A4 page's printable area at full width


def test_the_demo_story_makes_a_report_for_every_checkin(story):
    view, _ = story
    for checkin in view.checkins:
        report = view.report(checkin)
        reader, text = pdf_text(checkin_pdf(report))
        assert len(reader.pages) >= 2
        assert f"Check-in of {checkin.held_on.day} {checkin.held_on:%b %Y}" in squash(text)
        assert checkin_markdown(report).startswith(
            "# Riverbend Integrated Care Partnership: check-in of")


# --- the calendar --------------------------------------------------------------------------------


def test_the_checkins_rhythm_starts_at_the_next_checkin():
    summary = hand_summary()
    _, before = parse(calendar_ics(summary))
    _, after = parse(calendar_ics(summary, next_checkin=date(2027, 5, 3)))
    rhythm = [e for e in after if e["UID"].startswith("checkin-")]
    assert len(after) == len(before)
    assert [(e["DTSTART;VALUE=DATE"], e["RRULE"]) for e in rhythm] == [
        ("20270503", f"FREQ=WEEKLY;INTERVAL={summary.checkin_every_weeks};COUNT=12")]
    assert unescape(rhythm[0]["SUMMARY"]) == f"Check-in: {summary.name}"


def test_without_a_rhythm_the_next_checkin_is_a_milestone_already(story):
    _, summary = story
    _, events = parse(calendar_ics(replace(summary, checkin_every_weeks=None),
                                   next_checkin=date(2027, 5, 3)))
    assert not [e for e in events if e["UID"].startswith("checkin-")]
    assert "20270503" in {e["DTSTART;VALUE=DATE"] for e in events}  # the mid-pilot review


def test_the_demo_calendar_after_three_checkins(story):
    view, summary = story
    _, events = parse(calendar_ics(summary, next_checkin=view.next_on))
    [rhythm] = [e for e in events if e["UID"].startswith("checkin-")]
    assert rhythm["DTSTART;VALUE=DATE"] == "20270503"
