"""The summary's and the check-in report's charts as PNG images, for the exports that cannot
carry a live Plotly chart.

Drawn with matplotlib on its Agg canvas: no display, no browser, no network. The lines are in
greys and black with distinct markers and dashes, so no line is mistaken for a partner's colour.
Only what the summary holds is drawn, so no private limit can reach an image.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from itertools import cycle

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from models.checkin_report import CheckInReport, MilestoneProgress, ReadingLine
from models.convergence import WorkshopConvergence
from models.schema import Step
from models.summary import Summary

STEP_TITLES: dict[Step, str] = {
    Step.MISSION: "Shared mission",
    Step.EXPECTATIONS: "Expectations",
    Step.SOLUTIONS: "Shared solutions",
    Step.PACING: "Pacing",
}

# (colour, marker, dash) per line: told apart by shape as much as by shade.
_STEP_STYLES = (("#7f7f7f", "s", "--"), ("#4d4d4d", "^", "-."), ("#a6a6a6", "D", ":"))
_OVERALL_STYLE = ("#000000", "o", "-")

FONT_SIZE = 15
DPI = 150


def convergence_png(convergence: WorkshopConvergence) -> bytes:
    """Share of items at consensus in each step, and over the workshop, round by round."""
    figure = Figure(figsize=(10, 5.6), dpi=DPI)
    axes = figure.add_subplot()
    series = [(f"{STEP_TITLES.get(s.step, str(s.step))} ({_items(s.items)})", s.shares, style)
              for s, style in zip(convergence.steps, cycle(_STEP_STYLES))]
    series.append(("Whole workshop", convergence.overall, _OVERALL_STYLE))
    drawn = [(label, shares, style) for label, shares, style in series if shares]
    for label, shares, (colour, marker, dash) in drawn:
        rounds = range(1, len(shares) + 1)
        axes.plot(rounds, shares, color=colour, marker=marker, linestyle=dash, markersize=9,
                  linewidth=3.2 if label == "Whole workshop" else 2.4, label=label)
    axes.set_title("Share of items at consensus, round by round", fontsize=FONT_SIZE + 3)
    axes.set_xlabel("Round", fontsize=FONT_SIZE)
    axes.set_ylim(-0.03, 1.05)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(labelsize=FONT_SIZE - 2)
    axes.grid(True, color="#dddddd")
    if drawn:
        axes.legend(fontsize=FONT_SIZE - 3, loc="lower right", framealpha=0.95)
    else:
        axes.text(0.5, 0.5, "No rounds rated yet", transform=axes.transAxes, ha="center",
                  fontsize=FONT_SIZE)
    return _png(figure)


def milestones_png(summary: Summary) -> bytes:
    """The milestones on a timeline, each with the slack it may take drawn as a bar after it."""
    milestones = sorted(summary.milestones, key=lambda m: (m.due_on, m.title))
    height = max(3.0, 1.4 + 0.8 * len(milestones))
    figure = Figure(figsize=(10, height), dpi=DPI)
    axes = figure.add_subplot()
    if not milestones:
        axes.text(0.5, 0.5, "No milestones yet", transform=axes.transAxes, ha="center",
                  fontsize=FONT_SIZE)
        axes.set_axis_off()
        return _png(figure)
    rows = range(len(milestones))
    starts = [date2num(m.due_on) for m in milestones]
    axes.barh(rows, [max(m.slack_days, 0) for m in milestones], left=starts, height=0.45,
              color="#c8c8c8", edgecolor="#7f7f7f", label="May slip by")
    axes.plot(starts, rows, linestyle="", marker="D", color="#000000", markersize=9,
              label="Due")
    axes.set_yticks(list(rows), [_milestone_label(m.title, m.owner) for m in milestones],
                    fontsize=FONT_SIZE - 4)
    axes.invert_yaxis()
    first = min(m.due_on for m in milestones)
    last = max(m.due_on + timedelta(days=max(m.slack_days, 0)) for m in milestones)
    axes.set_xlim(date2num(first - timedelta(days=10)), date2num(last + timedelta(days=10)))
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))
    axes.tick_params(axis="x", labelsize=FONT_SIZE - 3, rotation=30)
    axes.grid(True, axis="x", color="#dddddd")
    axes.set_title("Milestones, with how far each may slip", fontsize=FONT_SIZE + 3)
    axes.legend(fontsize=FONT_SIZE - 4, loc="upper right", framealpha=0.95)
    return _png(figure)


MEASURES_PER_IMAGE = 8  # four rows of two: an image that still fits an A4 page


def measure_paths_pngs(report: CheckInReport) -> list[bytes]:
    """Each measure from its baseline toward its target over the check-ins, two to a row and
    eight to an image: the target dashed, the pilot period shaded, the re-evaluation dotted,
    each one labelled. One image saying so when no measure is agreed."""
    measures = list(report.measures)
    if not measures:
        figure = Figure(figsize=(10, 2.4), dpi=DPI)
        axes = figure.add_subplot()
        axes.text(0.5, 0.5, "No measure agreed yet", transform=axes.transAxes, ha="center",
                  fontsize=FONT_SIZE)
        axes.set_axis_off()
        return [_png(figure)]
    return [_measure_paths_png(measures[start:start + MEASURES_PER_IMAGE])
            for start in range(0, len(measures), MEASURES_PER_IMAGE)]


def _measure_paths_png(measures: list[ReadingLine]) -> bytes:
    rows = -(-len(measures) // 2)
    height = 0.7 + 3.3 * rows
    figure = Figure(figsize=(10, height), dpi=DPI)
    for index, measure in enumerate(measures, start=1):
        _measure_axes(figure.add_subplot(rows, 2, index), measure)
    figure.legend(handles=[
        Patch(color="#e6e6e6", label="pilot period"),
        Line2D([], [], color="#000000", linestyle=":", label="re-evaluation"),
        Line2D([], [], color="#000000", linestyle="--", label="target"),
        Line2D([], [], marker="s", markerfacecolor="#ffffff", markeredgecolor="#000000",
               linestyle="", label="baseline"),
        Line2D([], [], marker="o", color="#000000", label="check-ins")],
        loc="upper center", ncols=5, fontsize=FONT_SIZE - 5, frameon=False)
    # Fixed margins rather than the constrained layout: for many small plots it is several
    # times faster, and every plot here has the same furniture.
    figure.subplots_adjust(left=0.08, right=0.98, top=1 - 0.95 / height,
                           bottom=0.45 / height, hspace=0.62, wspace=0.25)
    return _png(figure, fit=False)


def _measure_axes(axes: Axes, measure: ReadingLine) -> None:
    small = FONT_SIZE - 5
    if measure.pilot_start and measure.pilot_end:
        axes.axvspan(date2num(measure.pilot_start), date2num(measure.pilot_end),
                     color="#e6e6e6")
    if measure.reevaluation:
        axes.axvline(date2num(measure.reevaluation), color="#000000", linestyle=":",
                     linewidth=1.6)
    if measure.target is not None:
        axes.axhline(measure.target, color="#000000", linestyle="--", linewidth=2)
        axes.annotate(f"target {measure.amount(measure.target)}", (0.01, measure.target),
                      xycoords=("axes fraction", "data"), xytext=(0, 4),
                      textcoords="offset points", fontsize=small - 1)
    points = list(measure.path)
    if measure.baseline is not None and measure.baseline_on is not None:
        axes.plot([date2num(measure.baseline_on)], [measure.baseline], marker="s",
                  markersize=9, markerfacecolor="#ffffff", markeredgecolor="#000000",
                  linestyle="")
        axes.annotate(f"baseline {measure.amount(measure.baseline)}",
                      (date2num(measure.baseline_on), measure.baseline), xytext=(7, -4),
                      textcoords="offset points", fontsize=small - 1, va="top")
        points.insert(0, (measure.baseline_on, measure.baseline))
    if measure.path:
        axes.plot([date2num(d) for d, _ in measure.path], [v for _, v in measure.path],
                  marker="o", color="#000000", linewidth=2.2, markersize=7)
        last_day, last = measure.path[-1]
        axes.annotate(f"now {measure.amount(last)}", (date2num(last_day), last),
                      xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                      fontsize=small - 1, fontweight="bold")
    values = [v for _, v in points] + ([measure.target] if measure.target is not None else [])
    if values:
        low, high = min(values), max(values)
        pad = max((high - low) * 0.25, abs(high) * 0.05, 1)
        axes.set_ylim(low - pad, high + pad)
    axes.set_title(f"{_shorten(measure.name, 44)}\n{measure.words}", fontsize=small + 1)
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=5))
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.tick_params(labelsize=small - 1)
    axes.grid(True, color="#eeeeee")


MILESTONES_PER_IMAGE = 18


def milestone_slips_pngs(report: CheckInReport) -> list[bytes]:
    """The milestones reported at the check-in, eighteen to an image: the slack agreed as a
    pale bar, the slip as a dark one (hatched past the slack), the state written after each."""
    rows = [m for m in report.milestones if m.state is not None]
    if not rows:
        figure = Figure(figsize=(10, 2.4), dpi=DPI)
        axes = figure.add_subplot()
        axes.text(0.5, 0.5, "No milestone reported at this check-in", transform=axes.transAxes,
                  ha="center", fontsize=FONT_SIZE)
        axes.set_axis_off()
        return [_png(figure)]
    return [_milestone_slips_png(rows[start:start + MILESTONES_PER_IMAGE])
            for start in range(0, len(rows), MILESTONES_PER_IMAGE)]


def _milestone_slips_png(rows: list[MilestoneProgress]) -> bytes:
    figure = Figure(figsize=(10, max(2.6, 1.2 + 0.7 * len(rows))), dpi=DPI)
    axes = figure.add_subplot()
    places = range(len(rows))
    axes.barh(places, [m.slack_days for m in rows], height=0.7, color="#eeeeee",
              edgecolor="#7f7f7f", label="slack agreed")
    axes.barh(places, [m.slip_days for m in rows], height=0.35, color="#4d4d4d",
              hatch=["xx" if m.beyond_slack else "" for m in rows], edgecolor="#ffffff",
              label="slipped")
    longest = max(max(m.slip_days, m.slack_days) for m in rows)
    for place, milestone in zip(places, rows, strict=True):
        axes.text(max(milestone.slip_days, milestone.slack_days) + longest * 0.03 + 0.3, place,
                  _state_words(milestone), va="center", fontsize=FONT_SIZE - 5)
    axes.set_yticks(list(places), [_shorten(m.title) for m in rows], fontsize=FONT_SIZE - 5)
    axes.invert_yaxis()
    axes.set_xlim(0, max(longest * 2.4, 20))
    axes.set_xlabel("days", fontsize=FONT_SIZE - 4)
    axes.set_title("Milestones: slipped against the slack agreed", fontsize=FONT_SIZE + 1)
    axes.legend(fontsize=FONT_SIZE - 6, loc="lower right", framealpha=0.95)
    return _png(figure)


def _state_words(milestone: MilestoneProgress) -> str:
    words = {"done": "done", "on_track": "on track", "at_risk": "at risk"}
    if milestone.state != "slipped":
        return words[milestone.state]
    text = f"slipped {milestone.slip_days} d of {milestone.slack_days} d"
    return text + (f", {milestone.beyond_slack} d beyond" if milestone.beyond_slack else "")


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _milestone_label(title: str, owner: str) -> str:
    """The title, and on a second line who owns it."""
    return f"{_shorten(title)}\n{_shorten(owner)}" if owner else _shorten(title)


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _png(figure: Figure, *, fit: bool = True) -> bytes:
    if fit:
        figure.set_layout_engine("constrained")
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def format_day(day: date) -> str:
    """A date as people write it in this app: 1 Feb 2027."""
    return f"{day.day} {day:%b %Y}"
