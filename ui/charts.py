"""Plotly figures for the wall. Each takes what a page already holds and returns a figure.

Partners keep their colour everywhere, and also a marker shape and a written label, so no chart
carries meaning by colour alone. Figures are drawn by the Plotly library bundled with Streamlit:
no internet is needed. Private limits never reach a figure: range charts draw only what
``StanceView`` carries, where a private range is absent.

Each figure is written out as plain data, ``{"data": [...], "layout": {...}}``, and handed to
``go.Figure`` unvalidated. Plotly's own builders (``go.Scatter``, ``update_layout``,
``add_vline``, ``make_subplots``) check every property as it is set, which cost about 30 ms a
figure, and a wall page draws several on every rerun. The tests pass every figure through the
validating constructor, so a misspelt property still fails there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import plotly.graph_objects as go
import streamlit as st

from models.checkin_report import HoursLine, MilestoneProgress, PartnerMark, ReadingLine
from models.convergence import Movement, RoundStats, WorkshopConvergence
from models.pacing import MonthBalance
from models.schema import (
    ExpectedResult,
    FixedConstraint,
    Milestone,
    Partner,
    StanceKind,
    Step,
    Topic,
    TopicKind,
)
from models.solutions import MapCell, StanceView

SYMBOLS = ("circle", "square", "diamond", "triangle-up", "star", "hexagon", "cross", "x")
STEP_NAMES = {Step.MISSION: "Shared mission", Step.EXPECTATIONS: "Expectations",
              Step.SOLUTIONS: "Shared solutions", Step.PACING: "Pacing"}
INK = "#111111"
MAX_SEGMENTS = 20  # a stacked bar shows at most this many topics, the smallest added up
# Our own small template: plotly's "simple_white" carries styling for map, polar and 3-D plots
# too, and applying it cost about 30 ms per figure on every rerun. It goes into each figure
# itself: an unvalidated figure would send a template's name as it is, which the browser does
# not know.
_AXES = {"showline": True, "linecolor": "rgb(36,36,36)", "ticks": "outside", "showgrid": False,
         "zeroline": False, "automargin": True, "title": {"standoff": 15}}
TEMPLATE = {"layout": {"xaxis": _AXES, "yaxis": _AXES, "paper_bgcolor": "white",
                       "plot_bgcolor": "white"}}


def font_size(projector: bool) -> int:
    return 22 if projector else 16


def _styled(data: list[dict], layout: dict, title: str, *, projector: bool, height: int,
            label_lines_on_top: int = 0) -> go.Figure:
    """The figure: title at the top, the legend (if any) on its own line under it, then the
    plot. Axis labels drawn above the plot need their own room: ``label_lines_on_top`` lines of
    it."""
    size = font_size(projector)
    top = (2 * size + 30 + _legend_lines(data, size) * (size + 16)
           + label_lines_on_top * int(size * 1.3))
    layout.update(template=TEMPLATE,
                  title={"text": title, "font": {"size": size + 4}, "x": 0, "xanchor": "left",
                         "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 10}},
                  font={"size": size, "color": INK}, height=height + top,
                  margin={"l": 10, "r": 20, "t": top, "b": 10},
                  legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                          "font": {"size": size}},
                  hoverlabel={"font": {"size": size}})
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _wrapped(name: str, width: int = 16) -> str:
    return "<br>".join(textwrap.wrap(name, width)) or name


def _legend_lines(data: Sequence[dict], size: int, width: int = 1000) -> int:
    """How many lines a horizontal legend takes: long partner names wrap onto several."""
    names = [trace["name"] for trace in data
             if trace.get("showlegend") is not False and trace.get("name")]
    if len(names) < 2 and not any(trace.get("showlegend") for trace in data):
        return 0
    lines, used = 1, 0.0
    for name in names:
        item = len(name) * size * 0.62 + 60
        if used and used + item > width:
            lines, used = lines + 1, 0.0
        used += item
    return lines


def _label_lines(names: Iterable[str]) -> int:
    return max((_wrapped(name, 12).count("<br>") + 1 for name in names), default=1) + 1


def _symbol(partners: Sequence[Partner], partner_id: int) -> str:
    ids = [p.id for p in partners]
    return SYMBOLS[ids.index(partner_id) % len(SYMBOLS)] if partner_id in ids else "circle"


def _partner(partners: Sequence[Partner], partner_id: int) -> Partner | None:
    return next((p for p in partners if p.id == partner_id), None)


def _title(text: str | None) -> dict:
    """An axis title; none at all when there are no words for it."""
    return {"text": text} if text else {}


# Where a vertical line's note sits: (y on the plot's height, xanchor, yanchor).
_VLINE_NOTES = {"top": (1, "center", "bottom"), "top left": (1, "right", "top"),
                "bottom right": (0, "left", "bottom")}


def _vline(layout: dict, x: float, line: dict, note: dict | None = None,
           at: str = "top") -> None:
    """A line at ``x`` across the plot's whole height, and its note, if any, ``at`` one end."""
    layout.setdefault("shapes", []).append({"type": "line", "xref": "x", "x0": x, "x1": x,
                                            "yref": "y domain", "y0": 0, "y1": 1, "line": line})
    if note is not None:
        y, xanchor, yanchor = _VLINE_NOTES[at]
        layout.setdefault("annotations", []).append({
            **note, "xref": "x", "x": x, "yref": "y domain", "y": y, "xanchor": xanchor,
            "yanchor": yanchor, "showarrow": False})


def _axis(number: int) -> str:
    """The suffix of a subplot's axes: "" for the first (x, y), then "2" (x2, y2) and on."""
    return "" if number == 1 else str(number)


def _subplots(rows: int, columns: int, *, vertical: float, horizontal: float = 0.0,
              titles: Sequence[str] = (), title_size: int, shared_x: bool = False) -> dict:
    """A layout with a grid of plots, numbered row by row from the top left, each with its own
    x and y axis and its title above it. The sums are done the way plotly's ``make_subplots``
    does them, so the plots sit exactly where they did. ``shared_x`` (one column): every row
    follows the bottom row's x axis, and only the bottom row writes its ticks."""
    width = (1.0 - horizontal * (columns - 1)) / columns
    height = (1.0 - vertical * (rows - 1)) / rows
    layout: dict = {}
    notes = []
    for row in range(rows):
        below = rows - 1 - row
        bottom = sum([height] * below) + below * vertical
        for column in range(columns):
            number = row * columns + column + 1
            left = sum([width] * column) + column * horizontal
            x_domain = [_within(left), _within(left + width)]
            y_domain = [_within(bottom), _within(bottom + height)]
            layout[f"xaxis{_axis(number)}"] = {"anchor": f"y{_axis(number)}", "domain": x_domain}
            layout[f"yaxis{_axis(number)}"] = {"anchor": f"x{_axis(number)}", "domain": y_domain}
            if number <= len(titles) and titles[number - 1]:
                notes.append({"text": titles[number - 1], "xref": "paper",
                              "x": sum(x_domain) / 2.0, "yref": "paper", "y": y_domain[1],
                              "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                              "font": {"size": title_size}})
    if shared_x:
        for row in range(1, rows):
            layout[f"xaxis{_axis(row)}"].update(matches=f"x{_axis(rows)}", showticklabels=False)
    if notes:
        layout["annotations"] = notes
    return layout


def _within(share: float) -> float:
    return min(max(share, 0.0), 1.0)


# --- step 3: where partners can flex, and where they meet ----------------------------------------


def flex_fixed_map(topics: Sequence[Topic], partners: Sequence[Partner],
                   stances: Mapping[tuple[int, int], MapCell], *,
                   projector: bool = False) -> go.Figure:
    """Topics down, partners across: FLEX with how much it matters, or FIXED, in each cell."""
    grey, flex_colour, fixed_colour = "#f2f2f2", "#cfe8f3", "#4d4d4d"
    z, text = [], []
    for topic in topics:
        row_z, row_text = [], []
        for partner in partners:
            stance = stances.get((topic.id, partner.id))
            if stance is None:
                row_z.append(0)
                row_text.append("no position")
            elif stance.kind == StanceKind.FIXED:
                row_z.append(2)
                row_text.append("FIXED rule")
            else:
                row_z.append(1)
                row_text.append(f"flex · matters {stance.weight}/5")
        z.append(row_z)
        text.append(row_text)
    size = font_size(projector)
    columns = [_wrapped(p.name) for p in partners]
    heatmap = {"type": "heatmap", "z": z, "x": columns, "y": [t.title for t in topics],
               "text": text, "texttemplate": "%{text}",
               "textfont": {"size": size - 2, "color": INK}, "showscale": False, "zmin": 0,
               "zmax": 2, "colorscale": [[0, grey], [0.5, flex_colour], [1, fixed_colour]],
               "xgap": 3, "ygap": 3, "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>"}
    layout: dict = {"xaxis": {"side": "top", "tickfont": {"size": size - 2}, "tickangle": 0},
                    "yaxis": {"autorange": "reversed", "tickfont": {"size": size - 2}}}
    # A fixed cell is dark, so its words are written white on it.
    fixed = [{"x": columns[column], "y": topic.title, "text": "FIXED rule", "showarrow": False,
              "font": {"color": "#ffffff", "size": size - 2}}
             for row, topic in enumerate(topics) for column in range(len(partners))
             if z[row][column] == 2]
    if fixed:
        layout["annotations"] = fixed
    return _styled([heatmap], layout, "Where each partner can flex, and where a rule is fixed",
                   projector=projector, height=40 + 46 * max(len(topics), 1),
                   label_lines_on_top=_label_lines(p.name for p in partners))


def topic_ranges(topic: Topic, partners: Sequence[Partner], stances: Mapping[int, StanceView],
                 rules: Sequence[FixedConstraint], *, fair_point: float | None = None,
                 agreed: float | None = None, projector: bool = False) -> go.Figure:
    """A numeric topic: each partner's shared range, its preferred value, every fixed rule as a
    hard line, the fair point and the agreed value. A private range is not drawn at all."""
    data: list[dict] = []
    names = [p.name for p in partners]
    for partner in partners:
        stance = stances.get(partner.id)
        if stance is None or stance.kind != StanceKind.FLEX:
            continue
        if stance.public_min is not None and stance.public_max is not None:
            data.append({
                "type": "scatter", "x": [stance.public_min, stance.public_max],
                "y": [partner.name, partner.name], "mode": "lines",
                "line": {"color": partner.colour, "width": 14},
                "name": f"{partner.name}: can accept", "showlegend": False,
                "hovertemplate": f"{partner.name} can accept %{{x}}<extra></extra>"})
        label = "prefers" + ("" if stance.public_min is not None else " (range private)")
        data.append({
            "type": "scatter", "x": [stance.preferred_number], "y": [partner.name],
            "mode": "markers+text",
            "marker": {"symbol": _symbol(partners, partner.id), "size": 20,
                       "color": partner.colour, "line": {"color": INK, "width": 2}},
            "text": [f"{label} {stance.preferred_number:g}"], "textposition": "top center",
            "name": partner.name, "showlegend": False, "cliponaxis": False})
    layout: dict = {"xaxis": {"range": [topic.lower_bound, topic.upper_bound],
                              "title": _title(topic.unit)},
                    "yaxis": {"categoryorder": "array", "categoryarray": list(reversed(names))}}
    for rule in rules:
        for bound, word in ((rule.allowed_min, "at least"), (rule.allowed_max, "at most")):
            if bound is not None:
                _vline(layout, bound, {"color": INK, "width": 4},
                       {"text": f"rule: {word} {bound:g}",
                        "font": {"size": font_size(projector) - 2}}, at="top left")
    if fair_point is not None and agreed is None:
        _vline(layout, fair_point, {"color": INK, "width": 2, "dash": "dot"},
               {"text": f"fair point {round(fair_point, 1):g}"}, at="bottom right")
    if agreed is not None:
        _vline(layout, agreed, {"color": "#00542a", "width": 4, "dash": "dash"},
               {"text": f"agreed {agreed:g}", "font": {"color": "#00542a"}}, at="bottom right")
    return _styled(data, layout, f"{topic.title}: where each partner stands",
                   projector=projector, height=170 + 70 * max(len(partners), 1))


def options_positions(topic: Topic, partners: Sequence[Partner],
                      stances: Mapping[int, StanceView], rules: Sequence[FixedConstraint], *,
                      agreed: str | None = None, projector: bool = False) -> go.Figure:
    """An options topic: for each option, who prefers it, who shares it can accept it, and
    whether a fixed rule rules it out — in words in every cell."""
    allowed = set(topic.options)
    for rule in rules:
        if rule.allowed_options:
            allowed &= set(rule.allowed_options)
    columns = [*[_wrapped(p.name, 12) for p in partners], "Fixed<br>rules"]
    z, text = [], []
    for option in topic.options:
        row_z, row_text = [], []
        for partner in partners:
            stance = stances.get(partner.id)
            if stance is None:
                word, level = ("no position", 0)
            elif stance.kind != StanceKind.FLEX:
                word, level = ("fixed rule", 0)
            elif stance.preferred_option == option:
                word, level = ("prefers", 3)
            elif option in stance.public_options:
                word, level = ("can accept", 2)
            else:
                word, level = ("", 0)
            row_z.append(level)
            row_text.append(word)
        row_z.append(0 if option in allowed else 1)
        row_text.append("allowed" if option in allowed else "RULED OUT")
        z.append(row_z)
        text.append(row_text)
    labels = [_wrapped(f"{o}  ← agreed" if o == agreed else o, 30) for o in topic.options]
    size = font_size(projector)
    heatmap = {"type": "heatmap", "z": z, "x": columns, "y": labels, "text": text,
               "texttemplate": "%{text}", "textfont": {"size": size - 2, "color": INK},
               "showscale": False, "zmin": 0, "zmax": 3, "xgap": 3, "ygap": 3,
               "colorscale": [[0, "#f7f7f7"], [0.34, "#fde0c5"], [0.67, "#cfe8f3"],
                              [1, "#8cc5e3"]], "hoverinfo": "skip"}
    layout = {"xaxis": {"side": "top", "tickangle": 0}, "yaxis": {"autorange": "reversed"}}
    return _styled([heatmap], layout, f"{topic.title}: the options", projector=projector,
                   height=40 + 80 * len(topic.options),
                   label_lines_on_top=_label_lines([*(p.name for p in partners), "Fixed rules"]))


def topic_convergence(topic: Topic, partners: Sequence[Partner], stats: Sequence[RoundStats],
                      positions: Sequence[Mapping[int, float]], *, agreed: float | None = None,
                      projector: bool = False) -> go.Figure:
    """Round by round. Above: the ratings' median with its middle half, and support. Below (a
    numeric topic): each partner's offer moving toward agreement."""
    rounds = [s.round_no for s in stats]
    offers = topic.kind == TopicKind.NUMERIC and any(positions)
    size = font_size(projector)
    layout = _subplots(2 if offers else 1, 1, vertical=0.12, shared_x=True, title_size=size,
                       titles=["Ratings (1 whole-hearted … 8 block)",
                               "Each partner's offer"] if offers else ())
    data = [{
        "type": "scatter", "x": rounds, "y": [s.median for s in stats],
        "mode": "lines+markers+text", "showlegend": False, "name": "median rating",
        "marker": {"size": 16, "color": INK}, "line": {"color": INK, "width": 3},
        "error_y": {"type": "data", "symmetric": False, "thickness": 3, "width": 10,
                    "array": [(s.q3 - s.median) if s.q3 is not None else 0 for s in stats],
                    "arrayminus": [(s.median - s.q1) if s.q1 is not None else 0
                                   for s in stats]},
        "text": [f"  median {s.median:g} · {round(s.support_share * 100)} % support"
                 if s.median is not None else "  no ratings" for s in stats],
        "textposition": "middle right", "cliponaxis": False, "xaxis": "x", "yaxis": "y"}]
    layout["yaxis"].update(range=[8.5, 0.5], dtick=1, title={"text": "rating"})
    if offers:
        for partner in partners:
            xs = [r for r, p in zip(rounds, positions, strict=False) if partner.id in p]
            ys = [p[partner.id] for p in positions if partner.id in p]
            if xs:
                data.append({
                    "type": "scatter", "x": xs, "y": ys, "mode": "lines+markers",
                    "name": partner.name,
                    "marker": {"symbol": _symbol(partners, partner.id), "size": 16,
                               "color": partner.colour, "line": {"color": INK, "width": 1}},
                    "line": {"color": partner.colour, "width": 3},
                    "xaxis": "x2", "yaxis": "y2"})
        layout["yaxis2"].update(range=[topic.lower_bound, topic.upper_bound],
                                title=_title(topic.unit))
        if agreed is not None:
            layout["shapes"] = [{"type": "line", "xref": "x2 domain", "x0": 0, "x1": 1,
                                 "yref": "y2", "y0": agreed, "y1": agreed,
                                 "line": {"color": "#00542a", "dash": "dash", "width": 3}}]
            layout["annotations"].append({
                "text": f"agreed {agreed:g}", "font": {"color": "#00542a", "size": size},
                "xref": "x2 domain", "x": 1, "yref": "y2", "y": agreed, "xanchor": "right",
                "yanchor": "bottom", "showarrow": False})
    for axis in ("xaxis", "xaxis2") if offers else ("xaxis",):
        layout[axis].update(dtick=1, range=[0.7, max(rounds, default=1) + 0.8])
    layout["xaxis2" if offers else "xaxis"]["title"] = {"text": "round"}
    return _styled(data, layout, f"{topic.title}: round by round", projector=projector,
                   height=520 if offers else 300)


# --- the workshop as a whole ---------------------------------------------------------------------


def workshop_convergence(convergence: WorkshopConvergence, *,
                         projector: bool = False) -> go.Figure:
    data: list[dict] = []
    # Steps are not partners: shades of grey with their own dash and marker, never a partner's
    # colour.
    looks = (("#5a5a5a", "dot", "square"), ("#7a7a7a", "dash", "diamond"),
             ("#9a9a9a", "longdash", "triangle-up"))
    for (colour, dash, symbol), step in zip(looks, convergence.steps, strict=False):
        if not step.shares:
            continue
        items = f"{step.items} item{'s' if step.items != 1 else ''}"
        data.append({
            "type": "scatter", "x": list(range(1, len(step.shares) + 1)),
            "y": [100 * v for v in step.shares], "mode": "lines+markers",
            "name": f"{STEP_NAMES[step.step]} ({items})",
            "line": {"dash": dash, "width": 3, "color": colour},
            "marker": {"size": 14, "symbol": symbol, "color": colour}})
    if convergence.overall:
        data.append({
            "type": "scatter", "x": list(range(1, len(convergence.overall) + 1)),
            "y": [100 * v for v in convergence.overall], "mode": "lines+markers+text",
            "name": "whole workshop", "line": {"color": INK, "width": 5}, "marker": {"size": 14},
            "text": [f"{round(100 * v)} %" for v in convergence.overall],
            "textposition": "top center"})
    layout = {"yaxis": {"range": [0, 110], "title": {"text": "items at consensus (%)"}},
              "xaxis": {"title": {"text": "round"}, "dtick": 1}}
    return _styled(data, layout, "How much is settled, round by round", projector=projector,
                   height=440)


def balance_of_wins(balance: Mapping[int, Sequence[Movement]], partners: Sequence[Partner], *,
                    projector: bool = False) -> go.Figure:
    """How far each partner moved from where it started, weighted by how much each topic
    mattered to it: one bar per partner, one segment per topic it gave on. A long bar means it
    did much of the giving."""
    rows = [p for p in partners if p.id in balance]
    names = [_wrapped(p.name, 22) for p in rows]
    data: list[dict] = []
    given = {p.id: {m.title: m.weighted for m in balance[p.id]} for p in rows}
    titles = list(dict.fromkeys(m.title for p in rows for m in balance[p.id] if m.weighted > 0))
    if len(titles) > MAX_SEGMENTS:  # thin slivers are unreadable: the largest, then the rest
        largest = sorted(titles, key=lambda t: -sum(given[p.id].get(t, 0) for p in rows))
        rest = largest[MAX_SEGMENTS - 1:]
        kept_titles = set(largest[:MAX_SEGMENTS - 1])
        titles = [t for t in titles if t in kept_titles]
        other = f"{len(rest)} other topics"
        for p in rows:
            given[p.id][other] = sum(given[p.id].get(t, 0) for t in rest)
        titles.append(other)
    for title in titles:
        values = [given[p.id].get(title, 0) for p in rows]
        data.append({
            "type": "bar", "y": names, "x": values, "orientation": "h", "showlegend": False,
            "marker": {"color": [p.colour for p in rows],
                       "line": {"color": "#ffffff", "width": 3}},
            "hovertemplate": f"{title}: %{{x:.2f}}<extra></extra>"})
    totals = [sum(m.weighted for m in balance[p.id]) for p in rows]
    data.append({
        "type": "scatter", "y": names, "x": totals, "mode": "text", "showlegend": False,
        "textposition": "middle right",
        "text": [f"  gave {t:.2f} on {sum(m.weighted > 0 for m in balance[p.id])} topic(s)"
                 if t > 0 else "  kept its opening position everywhere"
                 for p, t in zip(rows, totals, strict=True)]})
    layout = {"barmode": "stack",
              "xaxis": {"range": [0, max(max(totals, default=0) * 1.9, 0.5)],
                        "title": {"text": "how far it moved, weighted by importance"}},
              "yaxis": {"autorange": "reversed"}}
    return _styled(data, layout, "Balance of wins: who did the giving", projector=projector,
                   height=110 + 80 * max(len(rows), 1))


# --- step 2 and step 4 ---------------------------------------------------------------------------


def expectations_side_by_side(partners: Sequence[Partner],
                              results: Mapping[int, Sequence[ExpectedResult]], *,
                              projector: bool = False) -> go.Figure:
    """Every partner's expected results, by how much each matters (1 to 5)."""
    data: list[dict] = []
    for partner in partners:
        own = results.get(partner.id, [])
        if not own:
            continue
        data.append({
            "type": "bar", "y": [_short(r.text) for r in own], "x": [r.importance for r in own],
            "orientation": "h", "name": partner.name,
            "marker": {"color": partner.colour, "line": {"color": INK, "width": 1.5}},
            "text": [f"{r.importance}/5 · {r.theme or 'no theme yet'}" for r in own],
            "textposition": "inside", "insidetextanchor": "start"})
    layout = {"xaxis": {"range": [0, 5], "dtick": 1, "title": {"text": "how much it matters"}},
              "yaxis": {"autorange": "reversed"}}
    count = sum(len(v) for v in results.values())
    return _styled(data, layout, "What each partner expects, and how much it matters",
                   projector=projector, height=160 + 48 * max(count, 1))


def milestone_timeline(milestones: Sequence[Milestone], partners: Sequence[Partner], *,
                       projector: bool = False) -> go.Figure:
    """Each milestone on its date, with a bar for how long it may slip; the owner by colour,
    shape and the legend's words."""
    data: list[dict] = []
    owners = {m.owner_partner_id for m in milestones}
    for partner in partners:
        if partner.id in owners:
            data.append({
                "type": "scatter", "x": [None], "y": [None], "mode": "markers",
                "name": partner.name, "showlegend": True,
                "marker": {"symbol": _symbol(partners, partner.id), "size": 16,
                           "color": partner.colour, "line": {"color": INK, "width": 2}}})
    # One trace of slack bars and one of markers per owner, not two per milestone: a program
    # has dozens of milestones, and every trace is one more for the browser to lay out.
    by_owner: dict[int | None, list[Milestone]] = {}
    for milestone in milestones:
        by_owner.setdefault(milestone.owner_partner_id, []).append(milestone)
    for owner_id, owned in by_owner.items():
        owner = _partner(partners, owner_id)
        colour = owner.colour if owner else "#999999"
        bars_x: list[date | None] = []
        bars_y: list[str | None] = []
        for milestone in owned:
            if milestone.slack_days:
                bars_x += [milestone.due_on,
                           milestone.due_on + timedelta(days=milestone.slack_days), None]
                bars_y += [milestone.title, milestone.title, None]
        if bars_x:
            data.append({"type": "scatter", "x": bars_x, "y": bars_y, "mode": "lines",
                         "showlegend": False, "line": {"color": colour, "width": 12},
                         "hoverinfo": "skip", "connectgaps": False})
        data.append({
            "type": "scatter", "x": [m.due_on for m in owned], "y": [m.title for m in owned],
            "mode": "markers+text", "showlegend": False,
            "marker": {"symbol": _symbol(partners, owner.id) if owner else "circle",
                       "size": 18, "color": colour, "line": {"color": INK, "width": 2}},
            "text": [f"  {m.due_on:%d %b} · "
                     + (f"may slip {m.slack_days} d" if m.slack_days else "no slack")
                     for m in owned],
            "textposition": "middle right", "cliponaxis": False})
    # The legend's placeholder points have no position, so the axes are typed explicitly.
    layout: dict = {"xaxis": {"type": "date"},
                    "yaxis": {"type": "category", "autorange": "reversed",
                              "categoryorder": "array",
                              "categoryarray": list(dict.fromkeys(m.title for m in milestones))}}
    if milestones:
        first = min(m.due_on for m in milestones)
        last = max(m.due_on + timedelta(days=m.slack_days) for m in milestones)
        span = max((last - first).days, 30)
        layout["xaxis"]["range"] = [first - timedelta(days=10),
                                    last + timedelta(days=int(span * 0.45) + 20)]
    return _styled(data, layout, "Milestones, and how long each may slip", projector=projector,
                   height=60 + 52 * max(len(milestones), 1))


def capacity_against_demand(balance: Mapping[tuple[int, date], MonthBalance],
                            partners: Sequence[Partner], *,
                            projector: bool = False) -> go.Figure:
    """One row per partner, month by month: bars for the hours it can give, a dash for the
    hours the plan asks; an overload is written above its month, not only coloured."""
    rows = [p for p in partners if any(pid == p.id for pid, _ in balance)]
    months = sorted({month for _, month in balance})
    layout = _subplots(max(len(rows), 1), 1, vertical=0.22 / max(len(rows), 1), shared_x=True,
                       titles=[p.name for p in rows], title_size=font_size(projector))
    data: list[dict] = []
    for row, partner in enumerate(rows, start=1):
        cells = [balance.get((partner.id, month)) for month in months]
        x, y = f"x{_axis(row)}", f"y{_axis(row)}"
        data.append({
            "type": "bar", "x": months, "y": [c.committed if c else 0 for c in cells],
            "showlegend": False,
            "marker": {"color": partner.colour, "line": {"color": INK, "width": 1}},
            "text": ["cannot commit" if c and c.unavailable else "" for c in cells],
            "textposition": "outside", "cliponaxis": False,
            "hovertemplate": "%{x|%b %Y}: can give %{y} h<extra></extra>", "xaxis": x,
            "yaxis": y})
        data.append({
            "type": "scatter", "x": months, "y": [c.demanded if c else 0 for c in cells],
            "mode": "markers+text", "showlegend": False,
            "marker": {"symbol": "line-ew", "size": 26, "line": {"color": INK, "width": 4}},
            "text": ["⚠ over" if c and c.overloaded else "" for c in cells],
            "textposition": "top center", "cliponaxis": False,
            "hovertemplate": "%{x|%b %Y}: asked %{y} h<extra></extra>", "xaxis": x,
            "yaxis": y})
        layout[f"yaxis{_axis(row)}"]["title"] = {"text": "hours"}
    _monthly(layout, max(len(rows), 1))
    return _styled(data, layout, "Capacity against demand (bars: can give · dash: asked)",
                   projector=projector, height=40 + 170 * max(len(rows), 1))


def _monthly(layout: dict, rows: int) -> None:
    """A tick for every month on each row's x axis."""
    for row in range(1, rows + 1):
        layout[f"xaxis{_axis(row)}"].update(dtick="M1", tickformat="%b %y")


# --- check-ins after the workshop ----------------------------------------------------------------


def progress_overview(measures: Sequence[ReadingLine], *, projector: bool = False) -> go.Figure:
    """How far each measure has come from its baseline toward its target, in percent: each bar
    says its share, each name says where the measure is now and where it is headed, and the
    target is a dashed line at 100 %."""
    rows = list(measures)
    names = [f"<b>{_short(m.name, 44)}</b><br>now {m.amount(m.value)} · target "
             f"{m.amount(m.target)}" for m in rows]
    shown = [max(min(m.percent, 150.0), -50.0) if m.percent is not None else 0 for m in rows]
    bar = {"type": "bar", "y": names, "x": shown, "orientation": "h", "showlegend": False,
           "cliponaxis": False,
           "marker": {"color": ["#4d4d4d" if (m.percent or 0) >= 100 else "#8cc5e3"
                                for m in rows],
                      "line": {"color": INK, "width": 1.5},
                      "pattern": {"shape": ["/" if (m.percent or 0) < 0 else "" for m in rows]}},
           "text": [_share_words(m) for m in rows], "textposition": "outside",
           "textfont": {"size": font_size(projector)}, "hoverinfo": "skip"}
    layout: dict = {"xaxis": {"range": [-50, 200], "tickvals": [-50, 0, 50, 100, 150],
                              "title": {"text": "% of the way from the baseline to the target"}},
                    "yaxis": {"autorange": "reversed"}}
    _vline(layout, 100, {"color": "#00542a", "width": 3, "dash": "dash"},
           {"text": "target", "font": {"size": font_size(projector) - 2, "color": "#00542a"}})
    _vline(layout, 0, {"color": INK, "width": 1})
    return _styled([bar], layout, "How far each measure has come", projector=projector,
                   height=60 + 70 * max(len(rows), 1))


def _share_words(measure: ReadingLine) -> str:
    """The bar's label: its share, or why there is none."""
    if measure.percent is not None:
        return f"{round(measure.percent)} %" + (" ✓" if measure.percent >= 100 else "")
    return measure.words[:1].lower() + measure.words[1:]


def measure_paths(measures: Sequence[ReadingLine], *, projector: bool = False,
                  columns: int = 2) -> go.Figure:
    """Each measure from its baseline toward its target over the check-ins: the target as a
    dashed line, the pilot period shaded, the re-evaluation a dotted line, each one named."""
    rows = list(measures)
    count = max(len(rows), 1)
    columns = min(columns, count)
    lines = -(-count // columns)
    size = font_size(projector)
    # Each row is 360 px tall, of which about 120 px go to its title and its dates.
    layout = _subplots(lines, columns, vertical=min(0.33 / lines, 0.3), horizontal=0.08,
                       titles=[_wrapped(_short(m.name, 56), 40) for m in rows], title_size=size)
    parts = _PathParts()
    for number, measure in enumerate(rows, start=1):
        _measure_path(parts, layout, measure, _axis(number), size)
    if parts.shapes:
        layout["shapes"] = parts.shapes
    if parts.notes:
        layout["annotations"] = [*layout.get("annotations", []), *parts.notes]
    return _styled(parts.traces, layout, "Each measure over the check-ins", projector=projector,
                   height=360 * lines)


@dataclass
class _PathParts:
    traces: list[dict] = field(default_factory=list)
    shapes: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)


def _measure_path(parts: _PathParts, layout: dict, measure: ReadingLine, axis: str,
                  size: int) -> None:
    """One measure's subplot, on the axes x{axis} and y{axis}."""
    x, y = f"x{axis}", f"y{axis}"
    points = list(measure.path)
    if measure.baseline is not None and measure.baseline_on is not None:
        parts.traces.append({
            "type": "scatter", "x": [measure.baseline_on], "y": [measure.baseline],
            "mode": "markers+text", "xaxis": x, "yaxis": y,
            "marker": {"symbol": "square", "size": 14, "color": "#ffffff",
                       "line": {"color": INK, "width": 3}},
            "text": [f"baseline {measure.amount(measure.baseline)}"],
            "textposition": "bottom right", "showlegend": False, "cliponaxis": False})
        points.insert(0, (measure.baseline_on, measure.baseline))
    if measure.path:
        dates, values = zip(*measure.path, strict=True)
        parts.traces.append({
            "type": "scatter", "x": list(dates), "y": list(values),
            "mode": "lines+markers+text", "xaxis": x, "yaxis": y, "showlegend": False,
            "cliponaxis": False, "marker": {"symbol": "circle", "size": 13, "color": INK},
            "line": {"color": INK, "width": 3}, "textposition": "middle right",
            "text": [""] * (len(values) - 1) + [f"  now {measure.amount(values[-1])}"]})
    if measure.target is not None:
        parts.shapes.append({"type": "line", "xref": f"{x} domain", "x0": 0, "x1": 1,
                             "yref": y, "y0": measure.target, "y1": measure.target,
                             "line": {"color": "#00542a", "width": 3, "dash": "dash"}})
        parts.notes.append({"text": f"target {measure.amount(measure.target)}",
                            "xref": f"{x} domain", "x": 0, "yref": y, "y": measure.target,
                            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                            "font": {"color": "#00542a", "size": size - 2}})
    if measure.pilot_start and measure.pilot_end:
        parts.shapes.append({"type": "rect", "xref": x, "x0": measure.pilot_start,
                             "x1": measure.pilot_end, "yref": f"{y} domain", "y0": 0, "y1": 1,
                             "fillcolor": "#d9d9d9", "opacity": 0.45, "line": {"width": 0},
                             "layer": "below"})
        parts.notes.append(_date_note(measure.pilot_start, "pilot", x, y, size, "left"))
    if measure.reevaluation:
        parts.shapes.append({"type": "line", "xref": x, "x0": measure.reevaluation,
                             "x1": measure.reevaluation, "yref": f"{y} domain", "y0": 0,
                             "y1": 1, "line": {"color": INK, "width": 2, "dash": "dot"}})
        parts.notes.append(_date_note(measure.reevaluation, "re-evaluate", x, y, size,
                                      "right"))
    values = [v for _, v in points] + [v for v in (measure.target,) if v is not None]
    if values:
        low, high = min(values), max(values)
        pad = max((high - low) * 0.25, abs(high) * 0.05, 1)
        layout[f"yaxis{axis}"].update(
            range=[low - pad, high + pad],
            title={"text": "lower is better" if measure.direction == "lower_is_better"
                   else "higher is better", "font": {"size": size - 4}})
    days = [d for d, _ in points] + [d for d in (measure.pilot_start, measure.pilot_end,
                                                 measure.reevaluation) if d is not None]
    if days:
        layout[f"xaxis{axis}"].update(type="date", tickformat="%b %Y",
                                      range=[min(days) - timedelta(days=12),
                                             max(days) + timedelta(days=12)])


def _date_note(day: date, text: str, x: str, y: str, size: int, side: str) -> dict:
    """A label at the foot of a date's line or band, inside the plot."""
    return {"text": text, "xref": x, "x": day, "yref": f"{y} domain", "y": 0,
            "showarrow": False, "xanchor": "left" if side == "left" else "right",
            "yanchor": "bottom", "font": {"size": size - 2}}


MILESTONE_LOOKS: dict[str, tuple[str, str, str]] = {
    # state: (colour, marker, words)
    "done": ("#00542a", "circle", "done"),
    "on_track": ("#0072B2", "diamond", "on track"),
    "slipped": ("#b35900", "x", "slipped"),
    "at_risk": ("#b35900", "triangle-up", "at risk"),
}


def milestone_slips(milestones: Sequence[MilestoneProgress], *,
                    projector: bool = False) -> go.Figure:
    """Each milestone reported at the check-in: the slack it was given as a pale bar, how far it
    slipped as a dark one, and its state in words; a slip past its slack says so."""
    rows = [m for m in milestones if m.state is not None]
    names = [_wrapped(_short(m.title, 60), 30) for m in rows]
    data: list[dict] = [
        {"type": "bar", "y": names, "x": [m.slack_days for m in rows], "orientation": "h",
         "name": "slack agreed",
         "marker": {"color": "#eeeeee", "line": {"color": "#7f7f7f", "width": 1.5}},
         "width": 0.7, "hovertemplate": "may slip %{x} days<extra></extra>"},
        {"type": "bar", "y": names, "x": [m.slip_days for m in rows], "orientation": "h",
         "name": "slipped",
         "marker": {"color": ["#b35900" if m.beyond_slack else "#4d4d4d" for m in rows],
                    "pattern": {"shape": ["x" if m.beyond_slack else "" for m in rows]}},
         "width": 0.35, "hovertemplate": "slipped %{x} days<extra></extra>"}]
    for state, (colour, symbol, words) in MILESTONE_LOOKS.items():
        chosen = [(name, m) for name, m in zip(names, rows, strict=True) if m.state == state]
        if chosen:
            data.append({
                "type": "scatter", "y": [name for name, _ in chosen],
                "x": [max(m.slip_days, m.slack_days) for _, m in chosen],
                "mode": "markers+text", "name": words,
                "marker": {"symbol": symbol, "size": 16, "color": colour,
                           "line": {"color": INK, "width": 1.5}},
                "text": [f"  {_slip_words(m)}" for _, m in chosen],
                "textposition": "middle right", "cliponaxis": False})
    longest = max((max(m.slip_days, m.slack_days) for m in rows), default=0)
    layout = {"barmode": "overlay",
              "xaxis": {"range": [0, max(longest * 2.2, 20)], "title": {"text": "days"}},
              "yaxis": {"autorange": "reversed"}}
    return _styled(data, layout, "Milestones: slipped against the slack agreed",
                   projector=projector, height=60 + 56 * max(len(rows), 1))


def _slip_words(milestone: MilestoneProgress) -> str:
    if milestone.state != "slipped":
        return MILESTONE_LOOKS[milestone.state][2]
    words = f"slipped {milestone.slip_days} d of {milestone.slack_days} d slack"
    if milestone.beyond_slack:
        words += f" · {milestone.beyond_slack} d beyond it"
    return words


def capacity_given(capacity: Sequence[HoursLine], partners: Sequence[PartnerMark], *,
                   projector: bool = False) -> go.Figure:
    """One row per partner, month by month: bars for the hours it gave, a dash for the hours it
    planned; a shortfall is written above its month, not only drawn."""
    rows = [p for p in partners if any(c.partner_id == p.id for c in capacity)]
    months = sorted({c.month for c in capacity})
    layout = _subplots(max(len(rows), 1), 1, vertical=0.22 / max(len(rows), 1), shared_x=True,
                       titles=[p.name for p in rows], title_size=font_size(projector))
    data: list[dict] = []
    for row, partner in enumerate(rows, start=1):
        cells = {c.month: c for c in capacity if c.partner_id == partner.id}
        given = [cells[m].given if m in cells else None for m in months]
        planned = [cells[m].planned if m in cells else None for m in months]
        x, y = f"x{_axis(row)}", f"y{_axis(row)}"
        data.append({
            "type": "bar", "x": months, "y": [g or 0 for g in given], "showlegend": False,
            "marker": {"color": partner.colour, "line": {"color": INK, "width": 1}},
            "text": ["not reported" if g is None else "" for g in given],
            "textposition": "outside", "cliponaxis": False,
            "hovertemplate": "%{x|%b %Y}: gave %{y} h<extra></extra>", "xaxis": x, "yaxis": y})
        data.append({
            "type": "scatter", "x": months, "y": planned, "mode": "markers+text",
            "showlegend": False,
            "marker": {"symbol": "line-ew", "size": 26, "line": {"color": INK, "width": 4}},
            "text": [_gap_words(g, p) for g, p in zip(given, planned, strict=True)],
            "textposition": "top center", "cliponaxis": False,
            "hovertemplate": "%{x|%b %Y}: planned %{y} h<extra></extra>", "xaxis": x,
            "yaxis": y})
        highest = max([v for v in given + planned if v is not None], default=0)
        layout[f"yaxis{_axis(row)}"].update(title={"text": "hours"},
                                            range=[0, max(highest * 1.45, 10)])
    _monthly(layout, max(len(rows), 1))
    return _styled(data, layout, "Bars: hours given · dash: hours planned", projector=projector,
                   height=40 + 190 * max(len(rows), 1))


def _gap_words(given: float | None, planned: float | None) -> str:
    if given is None or planned is None or given == planned:
        return ""
    return f"{planned - given:g} h short" if given < planned else f"{given - planned:g} h more"


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(fig: go.Figure, key: str) -> None:
    """Draw a figure with our own styling (not Streamlit's theme) and no toolbar on the wall."""
    st.plotly_chart(fig, theme=None, key=key, config={"displayModeBar": False})
