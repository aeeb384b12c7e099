"""The figures: each one builds from the demo, plotly's validation accepts it, and no private
limit is anywhere in its data."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from sqlmodel import select

from models import checkin_report, convergence, expectations, pacing, solutions, steps
from models.convergence import WorkshopConvergence
from models.db import reading, writing
from models.schema import (
    FixedConstraint,
    Partner,
    RuleKind,
    Stance,
    Step,
    Topic,
    TopicKind,
    Workshop,
)
from tests.checkin_story import record_story
from ui import charts


@pytest.fixture
def demo(demo_engine):
    with writing(demo_engine) as session:
        workshop_id = session.exec(select(Workshop.id).where(Workshop.is_demo)).one()
        for step in Step:
            steps.reveal(session, workshop_id=workshop_id, step=step, actor="test")
    return demo_engine, workshop_id


def private_limits(session, topic_id) -> set[float]:
    rows = session.exec(select(Stance).where(Stance.limit_private,
                                             Stance.topic_id == topic_id)).all()
    return {value for row in rows for value in (row.accept_min, row.accept_max)
            if value is not None}


def all_figures(session, workshop_id, projector):
    partners = solutions.partners_of(session, workshop_id)
    rows = solutions.topic_rows(session, workshop_id)
    stance_map = solutions.stance_map(session, workshop_id)
    figures = [charts.flex_fixed_map([r.topic for r in rows], partners, stance_map,
                                     projector=projector)]
    for row in rows:
        view = solutions.topic_view(session, workshop_id, row.topic.id)
        if row.topic.kind == TopicKind.NUMERIC:
            figures.append(charts.topic_ranges(row.topic, partners, view.stances, view.rules,
                                               fair_point=view.ground.fair_point,
                                               projector=projector))
        elif row.topic.kind == TopicKind.OPTIONS:
            figures.append(charts.options_positions(row.topic, partners, view.stances,
                                                    view.rules, projector=projector))
        inputs = convergence.topic_rounds(session, row.topic.id)
        stats = convergence.round_stats(inputs, min_support=0.75, block_from=7,
                                        span=convergence.topic_span(row.topic))
        figures.append(charts.topic_convergence(row.topic, partners, stats,
                                                [i.positions for i in inputs],
                                                projector=projector))
    progress = convergence.workshop_convergence(session, workshop_id)
    figures.append(charts.workshop_convergence(progress, projector=projector))
    balance = convergence.balance_of_wins(convergence.settled_topics(session, workshop_id))
    figures.append(charts.balance_of_wins(balance, partners, projector=projector))
    expected = expectations.expectations_view(session, workshop_id)
    figures.append(charts.expectations_side_by_side(partners, expected.results,
                                                    projector=projector))
    plan = pacing.pacing_view(session, workshop_id)
    figures.append(charts.milestone_timeline(plan.milestones, partners, projector=projector))
    figures.append(charts.capacity_against_demand(plan.balance, partners, projector=projector))
    return figures


def every_figure(session, workshop_id, projector):
    """``all_figures``, and what the demo alone does not draw: a fixed rule's lines and an
    agreed value on both charts of a topic, the check-in charts, and every chart with nothing
    to show."""
    figures = all_figures(session, workshop_id, projector)
    partners = solutions.partners_of(session, workshop_id)
    topic = session.exec(select(Topic).where(
        Topic.library_key == "warm-handoff-response-time")).one()
    view = solutions.topic_view(session, workshop_id, topic.id)
    rule = FixedConstraint(stance_id=0, rule_kind=RuleKind.BOARD_POLICY, title="Board policy",
                           citation="Policy 4", allowed_min=5, allowed_max=40)
    figures.append(charts.topic_ranges(topic, partners, view.stances, [*view.rules, rule],
                                       agreed=15, projector=projector))
    inputs = convergence.topic_rounds(session, topic.id)
    stats = convergence.round_stats(inputs, min_support=0.75, block_from=7)
    figures.append(charts.topic_convergence(topic, partners, stats, [i.positions for i in inputs],
                                            agreed=15, projector=projector))
    report = checkin_report.latest_report(session, workshop_id)
    figures += [charts.progress_overview(report.measures, projector=projector),
                charts.measure_paths(report.measures, projector=projector),
                charts.milestone_slips(report.milestones, projector=projector),
                charts.capacity_given(report.capacity, report.partners, projector=projector)]
    return figures + nothing_to_show(topic, projector)


def nothing_to_show(topic, projector):
    """Every chart of an empty workshop."""
    kw = {"projector": projector}
    return [charts.flex_fixed_map([], [], {}, **kw), charts.topic_ranges(topic, [], {}, [], **kw),
            charts.options_positions(Topic(title="Options", category="", kind=TopicKind.OPTIONS,
                                           workshop_id=0), [], {}, [], **kw),
            charts.topic_convergence(topic, [], [], [], **kw),
            charts.workshop_convergence(WorkshopConvergence(steps=(), overall=()), **kw),
            charts.balance_of_wins({}, [], **kw), charts.expectations_side_by_side([], {}, **kw),
            charts.milestone_timeline([], [], **kw), charts.capacity_against_demand({}, [], **kw),
            charts.progress_overview([], **kw), charts.measure_paths([], **kw),
            charts.milestone_slips([], **kw), charts.capacity_given([], [], **kw)]


def plotted(figure) -> tuple[set[float], str]:
    """The values a figure plots (x and y of every trace, its shapes and their labels) and all
    the text it writes: what a room could read off it."""
    data = json.loads(figure.to_json())
    values: set[float] = set()
    for item in [*data["data"], *data["layout"].get("shapes", [])]:
        for axis in ("x", "y", "x0", "x1", "y0", "y1"):
            found = item.get(axis)
            for value in found if isinstance(found, list) else [found]:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values.add(float(value))
    words = json.dumps([t.get("text") for t in data["data"]]
                       + [a.get("text") for a in data["layout"].get("annotations", [])])
    return values, words


@pytest.mark.parametrize("projector", [False, True])
def test_every_figure_builds_from_the_demo_with_readable_text(demo, projector):
    engine, workshop_id = demo
    with reading(engine) as session:
        figures = all_figures(session, workshop_id, projector)
    # the map; a range or options chart for the 7 topics that are not free text; a round chart
    # for each of the 8 topics; convergence, balance, expectations, timeline, capacity
    assert len(figures) == 1 + 7 + 8 + 5
    for figure in figures:
        layout = figure.to_plotly_json()["layout"]
        assert layout["font"]["size"] == (22 if projector else 16)
        assert layout["title"]["text"]
        assert figure.data, layout["title"]["text"]


@pytest.mark.parametrize("projector", [False, True])
def test_plotly_validation_accepts_every_figure_and_each_carries_its_template(demo, projector):
    """Figures are built unvalidated, for speed: here plotly's validating constructor reads each
    one, so a misspelt property or a value plotly does not take fails a test. The template is
    inside each figure, not its name, which the browser would not know."""
    engine, workshop_id = demo
    with writing(engine) as session:
        record_story(session, workshop_id)
    with reading(engine) as session:
        figures = every_figure(session, workshop_id, projector)
    assert len(figures) == 21 + 6 + 13
    for figure in figures:
        sent = figure.to_dict()
        go.Figure(sent)
        assert sent["layout"]["template"] == charts.TEMPLATE, sent["layout"]["title"]["text"]


def test_plotly_validation_catches_a_misspelt_property():
    figure = go.Figure({"data": [{"type": "scatter", "x": [1], "markr": {"size": 3}}],
                        "layout": {"template": charts.TEMPLATE}}, _validate=False)
    with pytest.raises(ValueError, match="markr"):
        go.Figure(figure.to_dict())


def test_no_private_limit_reaches_any_figure_of_a_topic(demo):
    engine, workshop_id = demo
    with reading(engine) as session:
        topics = session.exec(select(Topic).where(Topic.workshop_id == workshop_id,
                                                  Topic.kind == TopicKind.NUMERIC)).all()
        partners = solutions.partners_of(session, workshop_id)
        checked = 0
        for topic in topics:
            secret = private_limits(session, topic.id)
            view = solutions.topic_view(session, workshop_id, topic.id)
            inputs = convergence.topic_rounds(session, topic.id)
            stats = convergence.round_stats(inputs, min_support=0.75, block_from=7)
            # Values that are public anyway: preferences, shared ranges, the topic's bounds,
            # counter-offers made in the room, and the fair point.
            public = {topic.lower_bound, topic.upper_bound, view.ground.fair_point} | {
                v for s in view.stances.values()
                for v in (s.preferred_number, s.public_min, s.public_max)} | {
                v for i in inputs for v in i.positions.values()}
            for figure in (charts.topic_ranges(topic, partners, view.stances, view.rules,
                                               fair_point=view.ground.fair_point),
                           charts.topic_convergence(topic, partners, stats,
                                                    [i.positions for i in inputs])):
                values, words = plotted(figure)
                assert not (values & secret) - public, topic.title
                assert not [s for s in secret - public if f" {s:g}" in words], topic.title
                checked += bool(secret)
    assert checked >= 4  # warm hand-off, rent and clinician hours keep limits private


def test_the_warm_handoff_chart_shows_only_the_shared_range(demo):
    engine, workshop_id = demo
    with reading(engine) as session:
        topic = session.exec(select(Topic).where(
            Topic.library_key == "warm-handoff-response-time")).one()
        view = solutions.topic_view(session, workshop_id, topic.id)
        figure = charts.topic_ranges(topic, solutions.partners_of(session, workshop_id),
                                     view.stances, view.rules, fair_point=view.ground.fair_point)
    ranges = [trace for trace in figure.data if trace.mode == "lines"]
    # only Northside shares its range (0 to 15); Riverbend's 10-30 and the county's 5-30 stay out
    assert [list(trace.x) for trace in ranges] == [[0.0, 15.0]]
    labels = [text for trace in figure.data if trace.text for text in trace.text]
    assert labels.count("prefers (range private) 20") == 1


def test_balance_of_wins_stacks_the_largest_topics_and_adds_up_the_rest():
    partners = [Partner(id=1, workshop_id=1, name="Riverbend", kind="behavioral_health",
                        colour="#0072B2", position=0),
                Partner(id=2, workshop_id=1, name="Northside", kind="primary_care",
                        colour="#E69F00", position=1)]
    balance = {1: [convergence.Movement(1, n, f"Topic {n}", 0.5, 5 if n < 5 else 1,
                                        0.5 if n < 5 else 0.1) for n in range(30)],
               2: [convergence.Movement(2, n, f"Topic {n}", 0.0, 3, 0.0) for n in range(30)]}

    figure = charts.balance_of_wins(balance, partners)

    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert len(bars) == charts.MAX_SEGMENTS
    assert "Topic 0:" in bars[0].hovertemplate  # the largest keep a segment of their own
    assert bars[-1].hovertemplate.startswith("11 other topics:")
    assert sum(bar.x[0] for bar in bars) == pytest.approx(5 * 0.5 + 25 * 0.1)  # nothing lost
    assert figure.data[-1].text[0].startswith("  gave 5.00 on 30 topic(s)")
