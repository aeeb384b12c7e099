"""The agreed summary on screen: the facilitator's summary page and the leadership review draw
it the same way. Every piece of user text goes through ``plain`` (Markdown) or ``escape`` (HTML),
so a partner named ``<script>`` or ``**bold**`` prints literally."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import streamlit as st

from models.convergence import Movement
from models.schema import PartnerKind
from models.summary import CapacityLine, MeasureLine, SolutionLine, Summary, day
from ui import charts
from ui.labels import PARTNER_KINDS
from ui.partners import chip
from ui.text import plain

MILESTONE_KINDS = {"pilot_start": "pilot start", "pilot_end": "pilot end",
                   "baseline": "baseline", "reevaluation": "re-evaluation",
                   "check_in": "check-in", "other": ""}


def show_summary(summary: Summary, *, projector: bool,
                 balance: Mapping[int, Sequence[Movement]] | None = None) -> None:
    """The whole summary, top to bottom; ``balance`` is the balance of wins, when known."""
    _parties(summary)
    _mission(summary)
    _measures(summary)
    _solutions(summary)
    _pacing(summary)
    _open_items(summary)
    _charts(summary, projector=projector, balance=balance or {})


def _parties(summary: Summary) -> None:
    st.header("The partners")
    for partner in summary.partners:
        st.html(f"<p>{chip(partner.name, partner.colour)} "
                f"{escape(PARTNER_KINDS.get(PartnerKind(partner.kind), ''))}</p>")
        if partner.people:
            st.markdown("\n".join(f"- {plain(person)}" for person in partner.people))
    st.caption(f"Workshop held on {day(summary.held_on)}. Decision rule: "
               f"{summary.decision_rule}")


def _mission(summary: Summary) -> None:
    st.header("Our shared mission")
    if not summary.mission:
        st.write("No mission statement has been adopted yet.")
        return
    st.markdown(f"> {plain(summary.mission)}")
    if summary.mission_override:
        st.caption("Adopted without meeting the decision rule, because: "
                   + plain(summary.mission_override))


def _measures(summary: Summary) -> None:
    st.header("How we will measure success")
    if not summary.measures:
        st.write("No measures have been agreed yet.")
        return
    # One block for the whole list: a long program has hundreds of items, and each element
    # drawn costs the rerun time.
    st.markdown("\n\n".join(f"### {_heading(measure.name)}\n\n{_measure_lines(measure)}"
                             for measure in summary.measures))


def _measure_lines(measure: MeasureLine) -> str:
    facts = (("What we count", measure.definition), ("Where the data comes from",
                                                       measure.data_source),
             ("Baseline", measure.baseline), ("Target", measure.target),
             ("How often", measure.frequency), ("Owner", measure.owner),
             ("Pilot", measure.pilot),
             ("Re-evaluation", day(measure.reevaluation) if measure.reevaluation else ""))
    return "\n".join(f"- **{label}:** {plain(value)}" for label, value in facts if value)


def _solutions(summary: Summary) -> None:
    st.header("What we agreed")
    if not summary.solutions:
        st.write("No topic has been agreed yet.")
        return
    st.markdown("\n\n".join(f"### {_heading(solution.topic)}\n\n{_solution_lines(solution)}"
                             for solution in summary.solutions))


def _solution_lines(solution: SolutionLine) -> str:
    lines = [f"**Agreed:** {plain(solution.value)}" if solution.value else "**Agreed.**"]
    if solution.note:
        lines.append(plain(solution.note))
    if solution.rules_honoured:
        lines.append("**Rules it honours:**\n" + "\n".join(f"- {plain(rule)}"
                                                          for rule in solution.rules_honoured))
    if solution.shares:
        lines.append("**Who gave and who gained:**\n" + "\n".join(
            f"- {plain(share.partner)} gave {plain(share.gave or 'nothing named')}; gained "
            f"{plain(share.gained or 'nothing named')}" for share in solution.shares))
    return "\n\n".join(lines)


def _pacing(summary: Summary) -> None:
    st.header("Our pace")
    if summary.checkin_every_weeks:
        weeks = summary.checkin_every_weeks
        st.write(f"We check in every {weeks} week{'s' if weeks != 1 else ''}.")
    if summary.milestones:
        st.subheader("Milestones")
        st.markdown("\n".join(
            f"- **{day(m.due_on)}**: {plain(m.title)}"
            + (f" ({MILESTONE_KINDS.get(m.kind, '')})" if MILESTONE_KINDS.get(m.kind) else "")
            + (f", {plain(m.owner)}" if m.owner else "")
            + (f"; may slip {m.slack_days} day{'s' if m.slack_days != 1 else ''}"
               if m.slack_days else "; no slack")
            for m in summary.milestones))
    else:
        st.write("No milestones yet.")
    if summary.capacity:
        st.subheader("What each partner can commit")
        st.markdown(_capacity_lines(summary.capacity))
    if summary.early_wins:
        st.subheader("Early wins we aim for")
        st.markdown("\n".join(f"- {plain(win)}" for win in summary.early_wins))


def _capacity_lines(capacity: Sequence[CapacityLine]) -> str:
    partners = list(dict.fromkeys(line.partner for line in capacity))
    lines = []
    for partner in partners:
        months = [f"{line.month:%b %Y}: "
                  + ("not available" if line.unavailable else f"{line.hours:g} hours")
                  + (f" ({plain(line.note)})" if line.note else "")
                  for line in capacity if line.partner == partner]
        lines.append(f"- **{plain(partner)}**: " + "; ".join(months))
    return "\n".join(lines)


def _open_items(summary: Summary) -> None:
    st.header("Still open")
    if not summary.open_items:
        st.write("Nothing is left open.")
        return
    st.markdown("\n".join(
        f"- **{plain(item.item)}** ({plain(item.step)}): {plain(item.state)}"
        + (f". {plain(item.note)}" if item.note else "") for item in summary.open_items))


def _charts(summary: Summary, *, projector: bool,
            balance: Mapping[int, Sequence[Movement]]) -> None:
    st.header("How we got here")
    if summary.convergence.overall:
        charts.show(charts.workshop_convergence(summary.convergence, projector=projector),
                    "summary_chart_convergence")
    else:
        st.write("No rounds have been rated yet.")
    if balance:
        charts.show(charts.balance_of_wins(balance, summary.partners, projector=projector),
                    "summary_chart_balance")


def _heading(text: str) -> str:
    """A name as a Markdown heading: on one line, its Markdown characters shown as typed."""
    return plain(" ".join(text.split()))
