"""The agreed summary, and the report of a check-in, as Markdown documents for leaders to read,
file or paste elsewhere.

Every piece of text a person typed goes through ``literal``, so it prints as typed: a partner
named ``<script>`` or ``**bold**`` shows those characters, never HTML or bold type, and a line
break inside an answer cannot start a heading or a list of its own.
"""

from __future__ import annotations

import re
from datetime import date

from models.checkin_report import CheckInReport, HoursLine, LogLine, MilestoneProgress, ReadingLine
from models.summary import (
    CapacityLine,
    MeasureLine,
    MilestoneLine,
    OpenItem,
    PartnerLine,
    SolutionLine,
    Summary,
)

# Characters Markdown gives a meaning to anywhere in a line.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
# What makes a line a list item, a quote, a rule or a heading when it starts one.
_LINE_START = re.compile(r"^(\s*\d*)([-=.)])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_KINDS = {"behavioral_health": "Behavioral health", "primary_care": "Primary care",
          "other": "Other"}
_STEPS = {"mission": "Shared mission", "expectations": "Expectations",
          "solutions": "Shared solutions"}


def literal(text: str) -> str:
    """User text, escaped so Markdown and HTML print it exactly; line breaks become <br>."""
    lines = [_escape_line(line.strip()) for line in _LINE_BREAK.split(text.strip())]
    return "<br>".join(lines)


def _escape_line(line: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", line)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def summary_markdown(summary: Summary) -> str:
    """The whole summary: parties, mission, measures, solutions, pacing, open items and how
    the room converged."""
    sections = [
        _title(summary),
        _parties(summary.partners),
        _mission(summary),
        _measures(summary.measures),
        _solutions(summary.solutions),
        _pacing(summary),
        _open_items(summary.open_items),
        _convergence(summary),
    ]
    return "\n\n".join(section.rstrip() for section in sections) + "\n"


def _title(summary: Summary) -> str:
    return (f"# {literal(summary.name)}\n\n"
            f"Agreed summary of the workshop held on {_day(summary.held_on)}. "
            f"Version {literal(summary.version)}, made {_day(summary.made_at.date())}.\n\n"
            f"**Decision rule:** {literal(summary.decision_rule)}")


def _parties(partners: tuple[PartnerLine, ...]) -> str:
    lines = ["## Parties", ""]
    for partner in partners:
        people = "; ".join(literal(person) for person in partner.people) or "no one named yet"
        lines.append(f"- **{literal(partner.name)}** ({_KINDS.get(partner.kind, partner.kind)})"
                     f" — {people}")
    return "\n".join(lines)


def _mission(summary: Summary) -> str:
    if not summary.mission:
        return "## Shared mission\n\nNo joint mission has been adopted yet."
    text = f"## Shared mission\n\n{literal(summary.mission)}"
    if summary.mission_override:
        text += (f"\n\n*Adopted without meeting the decision rule, because:* "
                 f"{literal(summary.mission_override)}")
    return text


def _measures(measures: tuple[MeasureLine, ...]) -> str:
    if not measures:
        return "## Measures\n\nNo measure has been agreed yet."
    return "## Measures\n\n" + "\n\n".join(_measure(measure) for measure in measures)


def _measure(measure: MeasureLine) -> str:
    direction = ("Lower is better" if measure.direction == "lower_is_better"
                 else "Higher is better")
    fields = [
        ("Definition", literal(measure.definition)),
        ("Data source", literal(measure.data_source)),
        ("Unit", literal(measure.unit)),
        ("Direction", direction),
        ("Baseline", literal(measure.baseline)),
        ("Target", literal(measure.target)),
        ("Frequency", literal(measure.frequency)),
        ("Owner", literal(measure.owner)),
        ("Pilot", literal(measure.pilot)),
        ("Re-evaluation", _day(measure.reevaluation) if measure.reevaluation else ""),
    ]
    return f"### {literal(measure.name)}\n\n" + _field_list(fields)


def _solutions(solutions: tuple[SolutionLine, ...]) -> str:
    if not solutions:
        return "## Shared solutions\n\nNo solution has been agreed yet."
    return "## Shared solutions\n\n" + "\n\n".join(_solution(s) for s in solutions)


def _solution(solution: SolutionLine) -> str:
    lines = [f"### {literal(solution.topic)} ({literal(solution.category)})", "",
             _field_list([("Agreed", literal(solution.value) or literal(solution.outcome)),
                          ("Note", literal(solution.note))])]
    if solution.rules_honoured:
        lines.append("- **Fixed rules honoured:**")
        lines += [f"  - {literal(rule)}" for rule in solution.rules_honoured]
    if solution.shares:
        lines.append("- **Who gave and who gained:**")
        lines += [f"  - {literal(share.partner)} gave: {literal(share.gave) or 'nothing named'};"
                  f" gained: {literal(share.gained) or 'nothing named'}"
                  for share in solution.shares]
    return "\n".join(lines)


def _pacing(summary: Summary) -> str:
    return "\n\n".join([
        "## Pacing",
        "### Milestones\n\n" + _bullets([_milestone(m) for m in summary.milestones],
                                        "No milestones yet."),
        "### Capacity\n\n" + _bullets([_capacity(c) for c in summary.capacity],
                                      "No capacity shared yet."),
        "### Check-ins\n\n" + (f"Every {summary.checkin_every_weeks} weeks."
                               if summary.checkin_every_weeks else "No check-in cadence set yet."),
        "### Early wins\n\n" + _bullets([literal(win) for win in summary.early_wins],
                                        "No early wins named yet."),
    ])


def _milestone(milestone: MilestoneLine) -> str:
    slack = ("may not slip" if milestone.slack_days == 0
             else f"may slip {milestone.slack_days} day{'s' if milestone.slack_days != 1 else ''}")
    owner = f"owner {literal(milestone.owner)}; " if milestone.owner else ""
    return (f"{_day(milestone.due_on)}: {literal(milestone.title)} "
            f"({milestone.kind.replace('_', ' ')}; {owner}{slack}; "
            f"{milestone.demand_hours:g} hours)")


def _capacity(line: CapacityLine) -> str:
    month = f"{line.month:%b %Y}"
    hours = "unavailable" if line.unavailable else f"{line.hours:g} hours"
    note = f" ({literal(line.note)})" if line.note else ""
    return f"{literal(line.partner)}, {month}: {hours}{note}"


def _open_items(items: tuple[OpenItem, ...]) -> str:
    return "## Open items\n\n" + _bullets(
        [f"{literal(item.step)}: {literal(item.item)} — {literal(item.state)}"
         + (f". {literal(item.note)}" if item.note else "") for item in items],
        "Nothing is parked, escalated or open.")


def _convergence(summary: Summary) -> str:
    lines = []
    for step in summary.convergence.steps:
        name = _STEPS.get(str(step.step), str(step.step).capitalize())
        lines.append(f"{name}: {_shares(step.shares, step.items)}")
    if summary.convergence.overall:
        lines.append(f"All items: {_shares(summary.convergence.overall, None)}")
    return "## How the room converged\n\n" + _bullets(lines, "No ratings yet.")


def _shares(shares: tuple[float, ...], items: int | None) -> str:
    counted = f"{items} item{'s' if items != 1 else ''}; " if items is not None else ""
    if not shares:
        return f"{counted}no rounds yet"
    path = " → ".join(f"{round(share * 100)} %" for share in shares)
    return f"{counted}at consensus after each round: {path}"


# --- the report of a check-in --------------------------------------------------------------------

_STATES = {"done": "done", "on_track": "on track", "slipped": "slipped", "at_risk": "at risk"}


def checkin_markdown(report: CheckInReport) -> str:
    """One check-in: successes first, then the measures, milestones, hours, disappointments and
    what was recalibrated."""
    sections = [
        _checkin_title(report),
        f"## Successes {report.since}\n\n"
        + _bullets([_log(line) for line in report.successes], "None logged."),
        "## Measures\n\n" + ("\n\n".join(_reading(m) for m in report.measures)
                              or "No measure has been agreed yet."),
        "## Milestones\n\n" + _milestones_at(report.milestones),
        "## Hours given against hours planned\n\n" + _bullets(
            [_hours(line) for line in report.capacity], "No hours planned or reported yet."),
        "## Disappointments and what we learned\n\n" + _bullets(
            [_log(line) for line in report.disappointments], "None this time."),
        "## Recalibrations\n\n" + _bullets(
            [f"**{literal(r.subject)}**: {literal(r.before)} → {literal(r.after)}. "
             f"Why: {literal(r.reason)}" for r in report.recalibrations],
            "Nothing in the plan was changed."),
    ]
    return "\n\n".join(section.rstrip() for section in sections) + "\n"


def _checkin_title(report: CheckInReport) -> str:
    lines = [f"# {literal(report.workshop)}: check-in of {_day(report.held_on)}", ""]
    dates = [f"Previous check-in: {_day(report.previous_on)}." if report.previous_on
             else "The first check-in since the workshop."]
    if report.next_on:
        dates.append(f"Next check-in: {_day(report.next_on)}.")
    lines.append(" ".join(dates))
    if report.note:
        lines += ["", literal(report.note)]
    return "\n".join(lines)


def _log(line: LogLine) -> str:
    text = f"{_day(line.happened_on)}: {literal(line.text)}"
    if line.kind == "early win":
        text += " (an early win reached)"
    if line.partner:
        text += f" — {literal(line.partner)}"
    if line.lesson:
        text += f". **What we learned:** {literal(line.lesson)}"
    return text


def _reading(line: ReadingLine) -> str:
    now = "not reported at this check-in"
    if line.value is not None and line.measured_on is not None:
        now = f"{literal(line.amount(line.value))} on {_day(line.measured_on)}"
        if line.source:
            now += f" (source: {literal(line.source)})"
    baseline = literal(line.amount(line.baseline))
    if line.baseline is not None and line.baseline_on is not None:
        baseline += f" on {_day(line.baseline_on)}"
    direction = ("lower is better" if line.direction == "lower_is_better"
                 else "higher is better")
    return f"### {literal(line.name)}\n\n" + _field_list([
        ("Now", now), ("Baseline", baseline),
        ("Target", f"{literal(line.amount(line.target))} ({direction})"),
        ("Progress", literal(line.words))])


def _milestones_at(milestones: tuple[MilestoneProgress, ...]) -> str:
    reported = [m for m in milestones if m.state is not None]
    lines = []
    for m in reported:
        state = _STATES[m.state]
        if m.slip_days:
            state += f" {m.slip_days} days (it may slip {m.slack_days})"
            if m.beyond_slack:
                state += f", {m.beyond_slack} days beyond its slack"
        reason = f" — {literal(m.reason)}" if m.reason else ""
        lines.append(f"{literal(m.title)}, due {_day(m.due_on)}: {state}{reason}")
    text = _bullets(lines, "No milestone was reported at this check-in.")
    quiet = len(milestones) - len(reported)
    if quiet:
        text += (f"\n\n{quiet} other milestone{'s were' if quiet != 1 else ' was'} not "
                 "reported at this check-in.")
    return text


def _hours(line: HoursLine) -> str:
    month = f"{line.month:%b %Y}"
    given = f"gave {line.given:g} h" if line.given is not None else "not reported yet"
    planned = f" of {line.planned:g} h planned" if line.planned is not None else ""
    note = f" ({literal(line.note)})" if line.note else ""
    return f"{literal(line.partner)}, {month}: {given}{planned}{note}"


def _field_list(fields: list[tuple[str, str]]) -> str:
    return "\n".join(f"- **{label}:** {value}" for label, value in fields if value)


def _bullets(lines: list[str], empty: str) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else empty


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"
