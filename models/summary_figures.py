"""The summary's charts as PNG images, for the exports that cannot carry a live Plotly chart.

Drawn with matplotlib on its Agg canvas: no display, no browser, no network. The lines are in
greys and black with distinct markers and dashes, so no line is mistaken for a partner's colour.
Only what the summary holds is drawn, so no private limit can reach an image.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from itertools import cycle

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

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


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _milestone_label(title: str, owner: str) -> str:
    """The title, and on a second line who owns it."""
    return f"{_shorten(title)}\n{_shorten(owner)}" if owner else _shorten(title)


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _png(figure: Figure) -> bytes:
    figure.set_layout_engine("constrained")
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def format_day(day: date) -> str:
    """A date as people write it in this app: 1 Feb 2027."""
    return f"{day.day} {day:%b %Y}"
