"""A check-in's progress on screen, read-only: the check-ins page and the leadership review draw
it the same way. Every piece of user text goes through ``plain`` (Markdown) or ``escape``
(HTML), so whatever was typed prints literally."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
import streamlit as st

from models.checkin_report import CheckInReport, LogLine, MilestoneProgress, ReadingLine
from models.summary import day
from ui import charts
from ui.text import plain

STATES = {"done": "✓ done", "on_track": "◆ on track", "slipped": "✕ slipped",
          "at_risk": "▲ at risk"}
RECALIBRATED = {"target": "Target", "date": "Date", "capacity": "Hours planned",
                "topic": "Topic reopened"}


def successes_panel(successes: Sequence[LogLine], since: str) -> None:
    """What to celebrate first: every success since the last check-in, early wins included."""
    st.subheader(f":material/celebration: Successes {since}")
    if not successes:
        st.write("Nothing logged yet. Who has something to celebrate? Start with that.")
        return
    with st.container(border=True):
        st.markdown("\n".join(_success(line) for line in successes))


def _success(line: LogLine) -> str:
    text = f"- **{day(line.happened_on)}** · {plain(line.text)}"
    if line.kind == "early win":
        text += " · *an early win reached*"
    if line.partner:
        text += f" — {plain(line.partner)}"
    return text


def show_progress(report: CheckInReport, *, projector: bool, key: str) -> None:
    """Measures, milestones, hours, disappointments and recalibrations of one check-in."""
    st.header(f"Where we stand on {day(report.held_on)}")
    _measures(report.measures, projector=projector, key=key)
    _milestones(report.milestones, projector=projector, key=key)
    if report.capacity:
        st.subheader("Hours given against hours planned")
        charts.show(charts.capacity_given(report.capacity, report.partners, projector=projector),
                    f"{key}_hours")
    st.subheader("Disappointments and what we learned")
    if report.disappointments:
        st.markdown("\n".join(
            f"- **{day(line.happened_on)}** · {plain(line.text)}"
            + (f" — {plain(line.partner)}" if line.partner else "")
            + (f"  \n  *What we learned:* {plain(line.lesson)}" if line.lesson else "")
            for line in report.disappointments))
    else:
        st.write("None this time.")
    if report.recalibrations:
        st.subheader("What we recalibrated")
        table(["What", "Was", "Now", "Why"],
              [[f"<strong>{RECALIBRATED[r.kind]}</strong><br>{escape(r.subject)}",
                escape(r.before), escape(r.after), escape(r.reason)]
               for r in report.recalibrations], one_line=(1, 2))


def _measures(measures: Sequence[ReadingLine], *, projector: bool, key: str) -> None:
    st.subheader("Our measures")
    if not measures:
        st.write("No measure has been agreed yet.")
        return
    table(["Measure", "Baseline", "Target", "This check-in", "How far"],
          [[escape(m.name), _baseline(m), escape(m.amount(m.target)), _now(m),
            f"<strong>{escape(m.words)}</strong>"] for m in measures], one_line=(2,))
    charts.show(charts.progress_overview(measures, projector=projector), f"{key}_overview")
    charts.show(_paths(tuple(measures), projector), f"{key}_paths")


@st.cache_resource(max_entries=16, show_spinner=False)
def _paths(measures: tuple[ReadingLine, ...], projector: bool) -> go.Figure:
    """Every measure's path, built once for the same measures: sixty small plots take Plotly
    about a second, too long for each click on the page. Drawing never changes a figure."""
    return charts.measure_paths(measures, projector=projector, columns=1 if projector else 2)


def _baseline(line: ReadingLine) -> str:
    if line.baseline is None:
        return "none yet"
    on = f"<br><small>{day(line.baseline_on)}</small>" if line.baseline_on else ""
    return escape(line.amount(line.baseline)) + on


def _now(line: ReadingLine) -> str:
    if line.value is None or line.measured_on is None:
        return "not reported"
    source = f", {escape(line.source)}" if line.source else ""
    return (f"{escape(line.amount(line.value))}<br><small>{day(line.measured_on)}{source}"
            "</small>")


def _milestones(milestones: Sequence[MilestoneProgress], *, projector: bool, key: str) -> None:
    st.subheader("Milestones")
    reported = [m for m in milestones if m.state is not None]
    if not reported:
        st.write("No milestone reported at this check-in yet.")
        return
    table(["Milestone", "Due", "May slip", "Where it stands", "Why"],
          [[escape(m.title), day(m.due_on), f"{m.slack_days} d", _state(m),
            escape(m.reason) or "—"] for m in reported], one_line=(1, 2))
    charts.show(charts.milestone_slips(reported, projector=projector), f"{key}_slips")
    quiet = len(milestones) - len(reported)
    if quiet:
        st.caption(f"{quiet} other milestone{'s were' if quiet != 1 else ' was'} not reported "
                   "at this check-in.")


def _state(milestone: MilestoneProgress) -> str:
    words = STATES[milestone.state]
    if milestone.slip_days:
        words += f" {milestone.slip_days} d"
    if milestone.beyond_slack:
        words += f"<br><strong>{milestone.beyond_slack} d beyond its slack</strong>"
    return words


def table(headers: list[str], rows: list[list[str]], one_line: tuple[int, ...] = ()) -> None:
    """A plain table; every cell is HTML already escaped by its caller. Columns in ``one_line``
    never wrap, so "26 Apr 2027" stays whole."""
    def cell(tag: str, column: int, content: str) -> str:
        style = ' style="white-space:nowrap"' if column in one_line else ""
        return f"<{tag}{style}>{content}</{tag}>"

    head = "".join(cell("th", i, content) for i, content in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, content) for i, content in enumerate(row))
                   + "</tr>" for row in rows)
    st.markdown(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
                unsafe_allow_html=True)
