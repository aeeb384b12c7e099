"""The summary as Markdown: every section present, every piece of user text printed literally."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import select

from models import summary as summary_module
from models.convergence import StepConvergence, WorkshopConvergence
from models.db import reading
from models.export_markdown import literal, summary_markdown
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
)

HOSTILE = ["<script>alert(1)</script>", "**bold**", "[link](http://x)", "# heading",
           "first line\n- second line\n# third", "1. numbered", "a & b > c", "`code`",
           "_under_", "| pipe |", "back\\slash", "![img](http://x/y.png)"]


def hand_summary(**changes: object) -> Summary:
    """A small summary built from the dataclasses alone, like the demo's in shape."""
    summary = Summary(
        workshop_id=7, name="Riverbend Integrated Care Partnership", held_on=date(2026, 11, 17),
        partners=(PartnerLine(1, "Riverbend CMHC", "behavioral_health", "#0072B2",
                              ("Dana Whitfield, Director",)),
                  PartnerLine(2, "Northside FHC", "primary_care", "#E69F00",
                              ("Dr. Priya Raman, CMO",))),
        decision_rule="Consensus when nobody rates 7 to 8 and at least 75 % of the ratings "
                      "are 1 to 3.",
        mission="Together we make care easy to reach.", mission_override="",
        measures=(MeasureLine(
            name="PHQ-9 response at 6 months", definition="Share with a 50 % drop",
            data_source="EHR", unit="percent", direction="higher_is_better",
            baseline="28 % on 30 Sep 2026", target="45 %", frequency="monthly",
            owner="Marcus Oyelaran, Riverbend CMHC",
            pilot="Adults at the main site, 1 Feb 2027 to 31 Jul 2027",
            reevaluation=date(2027, 8, 15)),),
        solutions=(SolutionLine(
            topic="Shared record", category="record sharing", outcome="agreed",
            value="Each keeps its own record; secure electronic exchange",
            note="Evening summaries", rules_honoured=("Riverbend CMHC: Consent (42 CFR 2.31)",),
            shares=(ShareLine("Northside FHC", "The single record", "Same-day care plans"),)),),
        milestones=(MilestoneLine("Pilot starts", "pilot_start", date(2027, 2, 1), 0,
                                  "Northside FHC", 20),
                    MilestoneLine("First monthly check-in", "check_in", date(2027, 3, 1), 3,
                                  "Riverbend CMHC", 6)),
        capacity=(CapacityLine("Riverbend CMHC", date(2027, 7, 1), 0, True, "Licensing review"),
                  CapacityLine("Northside FHC", date(2027, 1, 1), 50, False, "")),
        checkin_every_weeks=4,
        early_wins=("First warm hand-off in under fifteen minutes",),
        open_items=(OpenItem("Shared solutions", "Rent for space", "parked",
                             "Waiting for an appraisal"),),
        convergence=WorkshopConvergence(
            steps=(StepConvergence(Step.MISSION, 1, (0.0, 1.0)),
                   StepConvergence(Step.SOLUTIONS, 4, (0.5, 0.75))),
            overall=(0.4, 0.8)),
        version="abc123def456", made_at=datetime(2026, 11, 18, 9, 30, tzinfo=UTC))
    return replace(summary, **changes)


def demo_summary(demo_engine) -> Summary:
    """The demo's summary from build_summary; a hand-built one if that is not written yet."""
    build = getattr(summary_module, "build_summary", None)
    if build is None:
        return hand_summary()
    with reading(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id).order_by(Workshop.id)).first()
        return build(session, workshop_id)


def test_the_demo_summary_has_every_section_and_its_values(demo_engine):
    summary = demo_summary(demo_engine)
    text = summary_markdown(summary)
    for heading in ("## Parties", "## Shared mission", "## Measures", "## Shared solutions",
                    "## Pacing", "### Milestones", "### Capacity", "### Check-ins",
                    "### Early wins", "## Open items", "## How the room converged"):
        assert f"\n{heading}\n" in text
    assert text.startswith(f"# {literal(summary.name)}\n")
    for partner in summary.partners:
        assert literal(partner.name) in text
    assert literal(summary.mission) in text
    for measure in summary.measures:
        assert f"### {literal(measure.name)}" in text
        for value in (measure.baseline, measure.target, measure.owner, measure.pilot):
            assert literal(value) in text
    for solution in summary.solutions:
        for rule in solution.rules_honoured:
            assert literal(rule) in text
        for share in solution.shares:
            assert literal(share.gave) in text and literal(share.gained) in text
    assert f"Every {summary.checkin_every_weeks} weeks." in text


def test_demo_values_print_as_the_room_saw_them(demo_engine):
    text = summary_markdown(demo_summary(demo_engine))
    assert "Riverbend Integrated Care Partnership" in text
    assert "**Re-evaluation:** 15 Aug 2027" in text
    assert "may slip" in text and "Every 4 weeks." in text


def test_a_hand_built_summary_prints_each_field():
    text = summary_markdown(hand_summary())
    assert "- **Riverbend CMHC** (Behavioral health) — Dana Whitfield, Director" in text
    assert "- **Data source:** EHR" in text
    assert "- **Direction:** Higher is better" in text
    assert "- **Re-evaluation:** 15 Aug 2027" in text
    assert "  - Riverbend CMHC: Consent \\(42 CFR 2.31\\)" in text
    assert "  - Northside FHC gave: The single record; gained: Same-day care plans" in text
    assert ("- 1 Feb 2027: Pilot starts (pilot start; owner Northside FHC; may not slip; "
            "20 hours)") in text
    assert "may slip 3 days" in text
    assert "- Riverbend CMHC, Jul 2027: unavailable (Licensing review)" in text
    assert "- Northside FHC, Jan 2027: 50 hours" in text
    assert "- Shared solutions: Rent for space — parked. Waiting for an appraisal" in text
    assert "- Shared mission: 1 item; at consensus after each round: 0 % → 100 %" in text
    assert "- All items: at consensus after each round: 40 % → 80 %" in text


def test_an_empty_summary_says_what_is_missing():
    text = summary_markdown(hand_summary(mission="", measures=(), solutions=(), milestones=(),
                                         capacity=(), checkin_every_weeks=None, early_wins=(),
                                         open_items=(),
                                         convergence=WorkshopConvergence((), ())))
    assert "No joint mission has been adopted yet." in text
    assert "No measure has been agreed yet." in text
    assert "No check-in cadence set yet." in text
    assert "Nothing is parked, escalated or open." in text


def _unescaped(markdown: str) -> str:
    """What a Markdown renderer shows for escaped text: backslash escapes and entities undone."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_hostile_text_is_escaped_everywhere_it_appears():
    for name in HOSTILE:
        summary = hand_summary(
            name=name, mission=name,
            partners=(PartnerLine(1, name, "other", "#000000", (name,)),),
            early_wins=(name,),
            open_items=(OpenItem("Shared solutions", name, "parked", name),))
        text = summary_markdown(summary)
        assert "<script" not in text and "<img" not in text
        assert "**bold**" not in text and "](http" not in text
        assert "\n# heading" not in text and "\n- second line" not in text
        for line in text.splitlines():
            # Only our own structure starts a line: headings, bullets, bold labels, plain words.
            assert not re.match(r"^(\d+[.)]|[>|`=])", line), line
        assert literal(name) in text


def test_literal_escapes_markdown_and_html_so_the_text_reads_back_exactly():
    for text in HOSTILE:
        escaped = literal(text)
        assert "\n" not in escaped
        assert _unescaped(escaped.replace("<br>", "\n")).splitlines() == [
            line.strip() for line in text.strip().splitlines()]
    assert literal("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert literal("**bold**") == "\\*\\*bold\\*\\*"
    assert literal("[link](http://x)") == "\\[link\\]\\(http://x\\)"
    assert literal("# heading") == "\\# heading"
    assert literal("- item") == "\\- item"
    assert literal("1. item") == "1\\. item"
    assert literal("a\nb") == "a<br>b"
