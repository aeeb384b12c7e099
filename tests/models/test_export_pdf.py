"""The summary PDF and its chart images, read back with real parsers (pypdf, the PNG signature)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from models.convergence import StepConvergence, WorkshopConvergence
from models.export_pdf import summary_pdf
from models.schema import Step, Workshop
from models.summary import (
    CapacityLine,
    MeasureLine,
    MilestoneLine,
    OpenItem,
    PartnerLine,
    ShareLine,
    SolutionLine,
    Summary,
    build_summary,
)
from models.summary_figures import convergence_png, milestones_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLINIC = "Clínica Señora Ñandú"
HOSTILE = "<script>alert(1)</script>"


def hand_made_summary() -> Summary:
    """Three partners with awkward names, one solution in every shape the exports must handle."""
    partners = (
        PartnerLine(id=1, name=CLINIC, kind="primary_care", colour="#0072B2",
                    people=("Zoë Łódź, Medical director", "Ana Müller, Practice manager")),
        PartnerLine(id=2, name="Müller & Søn Behavioral Health", kind="behavioral_health",
                    colour="#E69F00", people=("Jonas Søn, Clinical director",)),
        PartnerLine(id=3, name=HOSTILE, kind="other", colour="#009E73",
                    people=("**bold** person, Treasurer",)),
    )
    measures = (
        MeasureLine(name="PHQ-9 response", definition="Share of patients whose PHQ-9 falls by "
                    "half within six months of the first visit " * 3,
                    data_source="Shared registry", unit="%", direction="higher_is_better",
                    baseline="28 % on 30 Sep 2026", target="45 % within a year",
                    frequency="Monthly", owner="Zoë Łódź",
                    pilot="Two clinics, 1 Feb 2027 to 31 Jul 2027",
                    reevaluation=date(2027, 8, 15)),
        MeasureLine(name="Wait to first BH visit", definition="Days from referral to first visit",
                    data_source="Scheduling system", unit="days", direction="lower_is_better",
                    baseline="Plan: pull from the scheduler by 22 Jan 2027", target="7 days",
                    frequency="Quarterly", owner="Müller & Søn Behavioral Health", pilot="",
                    reevaluation=None),
    )
    solutions = (
        SolutionLine(topic="Consent to share substance use records", category="record sharing "
                     "and consent", outcome="agreed", value="Single written consent, renewed "
                     "yearly", note="**bold** stays as typed",
                     rules_honoured=("Müller & Søn Behavioral Health: 42 CFR Part 2 consent "
                                     "(42 CFR § 2.31)",),
                     shares=(ShareLine(partner="Müller & Søn Behavioral Health",
                                       gave="Accepted a yearly renewal",
                                       gained="One form across both sites"),
                             ShareLine(partner=CLINIC, gave="Prints the form at intake",
                                       gained="Notes arrive before the visit"))),
        SolutionLine(topic="Who bills for the visit", category="billing and finance",
                     outcome="agreed", value="Split by payer", note="",
                     rules_honoured=(), shares=(ShareLine(partner=HOSTILE, gave="Pays the "
                                                          "start-up cost", gained=""),)),
        SolutionLine(topic="Warm hand-off hours", category="clinical workflow",
                     outcome="agreed", value="9:00 to 17:00", note="", rules_honoured=(),
                     shares=()),
    )
    milestones = (
        MilestoneLine(title="Pilot starts", kind="pilot_start", due_on=date(2027, 2, 1),
                      slack_days=14, owner=CLINIC, demand_hours=20),
        MilestoneLine(title="Baseline collected", kind="baseline", due_on=date(2027, 1, 22),
                      slack_days=7, owner="Jonas Søn", demand_hours=12.5),
        MilestoneLine(title="Re-evaluation", kind="reevaluation", due_on=date(2027, 8, 15),
                      slack_days=0, owner=HOSTILE, demand_hours=6),
    )
    convergence = WorkshopConvergence(
        steps=(StepConvergence(step=Step.MISSION, items=1, shares=(0.0, 0.0, 1.0)),
               StepConvergence(step=Step.EXPECTATIONS, items=2, shares=(1.0,)),
               StepConvergence(step=Step.SOLUTIONS, items=5, shares=(0.2, 0.4, 0.6, 0.6))),
        overall=(0.375, 0.5, 0.75, 0.75))
    return Summary(
        workshop_id=7, name="Valle Verde Integrated Care Partnership", held_on=date(2026, 11, 20),
        partners=partners,
        decision_rule="Consensus when no rating is 7 or 8 and at least 75 % of ratings are 1–3.",
        mission="Together we give every patient in the valley one door to body and mind care.",
        mission_override="",
        measures=measures, solutions=solutions, milestones=milestones,
        capacity=(CapacityLine(partner=CLINIC, month=date(2027, 2, 1), hours=40,
                               unavailable=False, note=""),
                  CapacityLine(partner=HOSTILE, month=date(2027, 2, 1), hours=0,
                               unavailable=True, note="Budget freeze")),
        checkin_every_weeks=4, early_wins=("First warm hand-off within two weeks",),
        open_items=(OpenItem(step="Shared solutions", item="Shared waiting room",
                             state="parked", note="Landlord must agree first"),
                    OpenItem(step="Shared solutions", item="Joint board seat",
                             state="escalated", note="Goes to both boards")),
        convergence=convergence, version="a1b2c3d4e5f6",
        made_at=datetime(2026, 11, 21, 9, 30, tzinfo=UTC))


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def image_count(reader: PdfReader) -> int:
    return sum(len(page.images) for page in reader.pages)


def squash(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


# --- the chart images ----------------------------------------------------------------------------


def test_convergence_png_is_a_png_of_a_sensible_size():
    data = convergence_png(hand_made_summary().convergence)
    assert data.startswith(PNG_SIGNATURE)
    assert 10_000 < len(data) < 1_000_000


def test_milestones_png_is_a_png_of_a_sensible_size():
    data = milestones_png(hand_made_summary())
    assert data.startswith(PNG_SIGNATURE)
    assert 10_000 < len(data) < 1_000_000


def test_charts_draw_when_there_is_nothing_to_show():
    empty = WorkshopConvergence(steps=(), overall=())
    assert convergence_png(empty).startswith(PNG_SIGNATURE)
    summary = hand_made_summary()
    bare = replace(summary, milestones=())
    assert milestones_png(bare).startswith(PNG_SIGNATURE)


# --- the PDF -------------------------------------------------------------------------------------


def test_pdf_opens_and_has_the_charts_and_more_than_one_page():
    reader, _ = pdf_text(summary_pdf(hand_made_summary()))
    assert len(reader.pages) >= 2
    assert image_count(reader) == 2


def test_pdf_text_holds_what_was_agreed_with_names_exactly_as_typed():
    summary = hand_made_summary()
    _, text = pdf_text(summary_pdf(summary))
    flat = squash(text)
    assert summary.name in flat
    assert CLINIC in flat
    assert "Zoë Łódź" in flat
    assert "Müller & Søn Behavioral Health" in flat
    assert summary.mission in flat
    assert "45 % within a year" in flat
    assert "42 CFR § 2.31" in flat
    assert "Accepted a yearly renewal" in flat
    assert "Landlord must agree first" in flat
    assert "Every 4 weeks." in flat
    assert "Unavailable" in flat and "Budget freeze" in flat
    assert "First warm hand-off within two weeks" in flat


def test_pdf_prints_markup_literally():
    _, text = pdf_text(summary_pdf(hand_made_summary()))
    flat = squash(text)
    assert HOSTILE in flat
    assert "**bold** stays as typed" in flat


def test_pdf_footer_names_the_version_and_page():
    reader, _ = pdf_text(summary_pdf(hand_made_summary()))
    for number, page in enumerate(reader.pages, start=1):
        assert f"Summary version a1b2c3d4e5f6 · page {number}" in squash(page.extract_text())


def test_long_texts_wrap_onto_more_pages_instead_of_running_off():
    summary = hand_made_summary()
    long_mission = "We share the work and the credit. " * 400
    reader, _ = pdf_text(summary_pdf(replace(summary, mission=long_mission)))
    assert len(reader.pages) >= 4
    body = [line for page in reader.pages for line in page.extract_text().splitlines()
            if not line.startswith("Summary version")]
    assert squash(long_mission) in squash(" ".join(body))


# --- the demo partnership -------------------------------------


@pytest.mark.benchmark
def test_demo_summary_pdf_builds_and_prints_its_time(demo_engine):
    """The build time is printed as a figure to read, not asserted: a busy machine would make
    a timed assertion flaky."""
    with Session(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id)).first()
        summary = build_summary(session, workshop_id)
    started = time.perf_counter()
    data = summary_pdf(summary)
    elapsed = time.perf_counter() - started
    print(f"\ndemo summary PDF: {len(data) / 1024:.0f} KiB in {elapsed:.2f} s")
    reader, text = pdf_text(data)
    assert summary.name in squash(text)
    assert image_count(reader) == 2
