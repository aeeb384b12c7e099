"""The agreed summary, and the report of a check-in, as PDFs that leadership can read, print
and file.

fpdf2 lays it out with the DejaVu Sans fonts that ship inside matplotlib, so names such as
"Clínica Señora Ñandú" or "Łódź" print correctly with no font download. Markdown is off
everywhere: whatever a partner typed, `<script>` or `**bold**`, prints exactly as typed.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from models.checkin_report import (
    CheckInReport,
    HoursLine,
    LogLine,
    MilestoneProgress,
    ReadingLine,
)
from models.summary import CapacityLine, MeasureLine, SolutionLine, Summary
from models.summary_figures import (
    convergence_png,
    format_day,
    measure_paths_pngs,
    milestone_slips_pngs,
    milestones_png,
)

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"

CAPACITY_MONTHS_PER_TABLE = 6
OUTCOME_WORDS = {"agreed": "Agreed", "parked": "Parked", "escalated": "Escalated",
                 "no_agreement": "No agreement", "open": "Open"}


class _SummaryDocument(FPDF):
    """A page with the summary's version (or what the document is) and the page number at its
    foot."""

    def __init__(self, version: str, foot: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.version = version
        self.foot = foot or f"Summary version {version}"
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 9)
        self.set_text_color(90)
        self.cell(0, 6, f"{self.foot} · page {self.page_no()}", align="C")
        self.set_text_color(0)


def summary_pdf(summary: Summary) -> bytes:
    """The whole agreed summary, charts included, as the bytes of a PDF file."""
    pdf = _SummaryDocument(summary.version)
    _title_page(pdf, summary)
    pdf.add_page()
    _mission(pdf, summary)
    _measures(pdf, summary.measures)
    _solutions(pdf, summary.solutions)
    _pacing(pdf, summary)
    _open_items(pdf, summary)
    _charts(pdf, summary)
    return bytes(pdf.output())


# --- the sections, in the order they print -------------------------------------------------------


def _title_page(pdf: _SummaryDocument, summary: Summary) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 24)
    _text(pdf, summary.name, height=11)
    pdf.set_font(FONT, "", 14)
    _text(pdf, f"Agreed summary of the workshop held on {format_day(summary.held_on)}")
    _text(pdf, f"Summary version {summary.version}, made {format_day(summary.made_at.date())}")
    pdf.ln(4)
    _label_value(pdf, "How the room decided", summary.decision_rule)
    _heading(pdf, "Parties")
    for partner in summary.partners:
        pdf.set_font(FONT, "B", 12)
        _text(pdf, partner.name)
        pdf.set_font(FONT, "", 11)
        for person in partner.people:
            _text(pdf, f"    {person}")
        pdf.ln(2)


def _mission(pdf: _SummaryDocument, summary: Summary) -> None:
    _heading(pdf, "Shared mission")
    pdf.set_font(FONT, "", 12)
    _text(pdf, summary.mission or "No joint mission was adopted.")
    if summary.mission_override:
        _label_value(pdf, "Adopted without meeting the decision rule, because",
                     summary.mission_override)


def _measures(pdf: _SummaryDocument, measures: Sequence[MeasureLine]) -> None:
    _heading(pdf, "Agreed measures")
    if not measures:
        _plain(pdf, "No measure was agreed.")
    for measure in measures:
        _subheading(pdf, measure.name)
        direction = "Higher is better" if measure.direction == "higher_is_better" \
            else "Lower is better"
        rows = [("Definition", measure.definition), ("Data source", measure.data_source),
                ("Unit", measure.unit), ("Direction", direction),
                ("Baseline", measure.baseline), ("Target", measure.target),
                ("Frequency", measure.frequency), ("Owner", measure.owner),
                ("Pilot", measure.pilot or "—"),
                ("Re-evaluation", format_day(measure.reevaluation)
                 if measure.reevaluation else "—")]
        _table(pdf, rows, col_widths=(1, 3), headings=None)


def _solutions(pdf: _SummaryDocument, solutions: Sequence[SolutionLine]) -> None:
    _heading(pdf, "Agreed solutions")
    if not solutions:
        _plain(pdf, "No solution was agreed.")
    for solution in solutions:
        _subheading(pdf, f"{solution.topic} ({solution.category})")
        outcome = OUTCOME_WORDS.get(solution.outcome, solution.outcome)
        _label_value(pdf, outcome, solution.value or "—")
        if solution.note:
            _label_value(pdf, "Note", solution.note)
        if solution.rules_honoured:
            pdf.set_font(FONT, "B", 11)
            _text(pdf, "Fixed rules honoured")
            pdf.set_font(FONT, "", 11)
            for rule in solution.rules_honoured:
                _text(pdf, f"•  {rule}")
        if solution.shares:
            pdf.ln(1)
            _table(pdf, [(s.partner, s.gave or "—", s.gained or "—") for s in solution.shares],
                   col_widths=(2, 3, 3), headings=("Partner", "Gave", "Gained"))


def _pacing(pdf: _SummaryDocument, summary: Summary) -> None:
    _heading(pdf, "Pacing plan")
    _subheading(pdf, "Milestones")
    milestones = sorted(summary.milestones, key=lambda m: (m.due_on, m.title))
    if milestones:
        _table(pdf, [(format_day(m.due_on), m.title, m.owner, _days(m.slack_days),
                      f"{m.demand_hours:g} h") for m in milestones],
               col_widths=(2.2, 4, 3, 1.8, 1.5),
               headings=("Due", "Milestone", "Owner", "May slip", "Hours"))
    else:
        _plain(pdf, "No milestones yet.")
    _subheading(pdf, "Capacity each partner commits")
    if summary.capacity:
        _capacity(pdf, summary.capacity)
    else:
        _plain(pdf, "No capacity recorded yet.")
    _subheading(pdf, "Check-ins")
    _plain(pdf, f"Every {summary.checkin_every_weeks} weeks." if summary.checkin_every_weeks
           else "No check-in cadence set yet.")
    _subheading(pdf, "Early wins to aim for")
    if summary.early_wins:
        for win in summary.early_wins:
            _plain(pdf, f"•  {win}")
    else:
        _plain(pdf, "None named yet.")


def _capacity(pdf: _SummaryDocument, capacity: Sequence[CapacityLine]) -> None:
    """Hours per month, a row per partner and a column per month, six months to a table."""
    partners = list(dict.fromkeys(c.partner for c in capacity))
    months = sorted({c.month for c in capacity})
    cells = {(c.partner, c.month): "Unavailable" if c.unavailable else f"{c.hours:g} h"
             for c in capacity}
    for start in range(0, len(months), CAPACITY_MONTHS_PER_TABLE):
        shown = months[start:start + CAPACITY_MONTHS_PER_TABLE]
        _table(pdf, [(partner, *(cells.get((partner, month), "—") for month in shown))
                     for partner in partners],
               col_widths=(3.2, *([1.3] * len(shown))),
               headings=("Partner", *(f"{month:%b %Y}" for month in shown)))
    for line in capacity:
        if line.note:
            _plain(pdf, f"•  {line.partner}, {line.month:%b %Y}: {line.note}")


def _open_items(pdf: _SummaryDocument, summary: Summary) -> None:
    _heading(pdf, "Parked, escalated or without agreement")
    if not summary.open_items:
        _plain(pdf, "Nothing is left open.")
        return
    _table(pdf, [(i.step, i.item, i.state, i.note) for i in summary.open_items],
           col_widths=(2, 3, 1.6, 4), headings=("Step", "Item", "State", "Note"))


def _charts(pdf: _SummaryDocument, summary: Summary) -> None:
    pdf.add_page()
    _heading(pdf, "How the room converged")
    pdf.image(BytesIO(convergence_png(summary.convergence)), w=pdf.epw)
    pdf.ln(6)
    pdf.image(BytesIO(milestones_png(summary)), w=pdf.epw)


# --- the report of a check-in --------------------------------------------------------------------

_STATES = {"done": "Done", "on_track": "On track", "slipped": "Slipped", "at_risk": "At risk"}


def checkin_pdf(report: CheckInReport) -> bytes:
    """One check-in, successes first, with its charts, as the bytes of a PDF file."""
    pdf = _SummaryDocument("", foot=f"{report.workshop}: check-in of "
                                    f"{format_day(report.held_on)}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    _text(pdf, report.workshop, height=10)
    pdf.set_font(FONT, "", 14)
    _text(pdf, f"Check-in of {format_day(report.held_on)}")
    _plain(pdf, " ".join(part for part in (
        f"Previous check-in: {format_day(report.previous_on)}." if report.previous_on
        else "The first check-in since the workshop.",
        f"Next check-in: {format_day(report.next_on)}." if report.next_on else "") if part))
    if report.note:
        _plain(pdf, report.note)
    _heading(pdf, f"Successes {report.since}")
    _log_lines(pdf, report.successes, "None logged.")
    _checkin_measures(pdf, report.measures)
    _checkin_milestones(pdf, report.milestones)
    _checkin_hours(pdf, report.capacity)
    _heading(pdf, "Disappointments and what we learned")
    _log_lines(pdf, report.disappointments, "None this time.")
    _heading(pdf, "Recalibrations")
    if report.recalibrations:
        _table(pdf, [(r.subject, r.before, r.after, r.reason) for r in report.recalibrations],
               col_widths=(3, 1.6, 1.6, 4), headings=("What", "Was", "Now", "Why"))
    else:
        _plain(pdf, "Nothing in the plan was changed.")
    pdf.add_page()
    _heading(pdf, "Each measure over the check-ins")
    for image in measure_paths_pngs(report) + milestone_slips_pngs(report):
        _full_width_image(pdf, image)
    return bytes(pdf.output())


def _full_width_image(pdf: _SummaryDocument, png: bytes) -> None:
    """An image across the page, on a new page when it does not fit under what is there."""
    width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR
    if pdf.get_y() + pdf.epw * height / width > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(BytesIO(png), w=pdf.epw)
    pdf.ln(4)


def _log_lines(pdf: _SummaryDocument, lines: Sequence[LogLine], empty: str) -> None:
    if not lines:
        _plain(pdf, empty)
    for line in lines:
        who = f" ({line.partner})" if line.partner else ""
        win = " An early win reached." if line.kind == "early win" else ""
        _plain(pdf, f"•  {format_day(line.happened_on)}: {line.text}{who}{win}")
        if line.lesson:
            _label_value(pdf, "    What we learned", line.lesson)


def _checkin_measures(pdf: _SummaryDocument, measures: Sequence[ReadingLine]) -> None:
    _heading(pdf, "Measures")
    if not measures:
        _plain(pdf, "No measure has been agreed yet.")
        return
    _table(pdf, [(m.name, _baseline(m), m.amount(m.target), _now(m), m.words)
                 for m in measures],
           col_widths=(3, 2.2, 1.3, 2.6, 2.4),
           headings=("Measure", "Baseline", "Target", "Now (source)", "Progress"))


def _baseline(line: ReadingLine) -> str:
    if line.baseline is None:
        return "—"
    on = f" on {format_day(line.baseline_on)}" if line.baseline_on else ""
    return line.amount(line.baseline) + on


def _now(line: ReadingLine) -> str:
    if line.value is None or line.measured_on is None:
        return "Not reported"
    source = f" ({line.source})" if line.source else ""
    return f"{line.amount(line.value)} on {format_day(line.measured_on)}{source}"


def _checkin_milestones(pdf: _SummaryDocument, milestones: Sequence[MilestoneProgress]) -> None:
    _heading(pdf, "Milestones")
    reported = [m for m in milestones if m.state is not None]
    if not reported:
        _plain(pdf, "No milestone was reported at this check-in.")
        return
    _table(pdf, [(m.title, format_day(m.due_on), _days(m.slack_days), _slip(m), m.reason or "—")
                 for m in reported],
           col_widths=(3.2, 2, 1.5, 2.4, 3.4),
           headings=("Milestone", "Due", "May slip", "State", "Why"))
    quiet = len(milestones) - len(reported)
    if quiet:
        _plain(pdf, f"{quiet} other milestone{'s were' if quiet != 1 else ' was'} not reported "
                    "at this check-in.")


def _slip(milestone: MilestoneProgress) -> str:
    state = _STATES[milestone.state]
    if milestone.slip_days:
        state += f" {_days(milestone.slip_days)}"
    if milestone.beyond_slack:
        state += f", {_days(milestone.beyond_slack)} beyond its slack"
    return state


def _checkin_hours(pdf: _SummaryDocument, capacity: Sequence[HoursLine]) -> None:
    _heading(pdf, "Hours given against hours planned")
    if not capacity:
        _plain(pdf, "No hours planned or reported yet.")
        return
    _table(pdf, [(c.partner, f"{c.month:%b %Y}",
                  f"{c.planned:g} h" if c.planned is not None else "—",
                  f"{c.given:g} h" if c.given is not None else "Not reported", c.note or "")
                 for c in capacity],
           col_widths=(3.4, 1.5, 1.4, 1.6, 3), headings=("Partner", "Month", "Planned", "Given",
                                                          "Note"))


# --- building blocks -----------------------------------------------------------------------------


def _heading(pdf: _SummaryDocument, title: str) -> None:
    _keep_with_next(pdf, 45)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 17)
    _text(pdf, title, height=9)
    pdf.ln(1)


def _subheading(pdf: _SummaryDocument, title: str) -> None:
    _keep_with_next(pdf, 30)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 13)
    _text(pdf, title, height=7)


def _keep_with_next(pdf: _SummaryDocument, room: float) -> None:
    """Start a new page rather than leave a heading alone at the foot of one."""
    if pdf.get_y() + room > pdf.page_break_trigger:
        pdf.add_page()


def _plain(pdf: _SummaryDocument, text: str) -> None:
    pdf.set_font(FONT, "", 11)
    _text(pdf, text)


def _label_value(pdf: _SummaryDocument, label: str, value: str) -> None:
    pdf.set_font(FONT, "B", 11)
    _text(pdf, label)
    pdf.set_font(FONT, "", 11)
    _text(pdf, value)


def _text(pdf: _SummaryDocument, text: str, height: float = 6) -> None:
    """Text that wraps across the page width, printed literally (markdown is off)."""
    pdf.multi_cell(0, height, text, align="L", markdown=False,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: _SummaryDocument, rows: Sequence[Sequence[str]], *,
           col_widths: Sequence[float], headings: Sequence[str] | None) -> None:
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=tuple(col_widths), text_align="LEFT", v_align="TOP",
                   first_row_as_headings=headings is not None, markdown=False,
                   line_height=5.2, padding=1.2) as table:
        for values in ([headings] if headings else []) + list(rows):
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(2)


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
