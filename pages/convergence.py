"""Where we stand: every chart of the workshop in one place, to show the room at any moment."""

import streamlit as st

from models import convergence, expectations, pacing, solutions
from models.db import reading
from models.schema import Step
from models.steps import is_revealed
from ui import charts, projector
from ui.chrome import workshop_or_stop
from ui.state import engine, require

require("facilitator")
workshop_id = workshop_or_stop()
projector.apply_styles()
on_wall = projector.is_on()

with reading(engine()) as session:
    progress = convergence.workshop_convergence(session, workshop_id)
    balance = convergence.balance_of_wins(convergence.settled_topics(session, workshop_id))
    expected = expectations.expectations_view(session, workshop_id)
    plan = pacing.pacing_view(session, workshop_id)
    topics = solutions.topic_rows(session, workshop_id)
    stances = solutions.stance_map(session, workshop_id)
    solutions_shown = is_revealed(session, workshop_id, Step.SOLUTIONS)

title, toggle = st.columns([4, 1], vertical_alignment="center")
title.title("Where we stand")
with toggle:
    projector.toggle()

charts.show(charts.workshop_convergence(progress, projector=on_wall), "chart_workshop")
if balance:
    charts.show(charts.balance_of_wins(balance, plan.partners, projector=on_wall),
                "chart_balance")
else:
    st.write("Balance of wins appears once topics are agreed.")
if solutions_shown and topics:
    charts.show(charts.flex_fixed_map([row.topic for row in topics], plan.partners, stances,
                                      projector=on_wall), "chart_map")
if expected.revealed:
    charts.show(charts.expectations_side_by_side(expected.partners, expected.results,
                                                 projector=on_wall), "chart_expectations")
if plan.milestones:
    charts.show(charts.milestone_timeline(plan.milestones, plan.partners, projector=on_wall),
                "chart_timeline")
if plan.revealed and plan.balance:
    charts.show(charts.capacity_against_demand(plan.balance, plan.partners, projector=on_wall),
                "chart_capacity")
hidden = [name for name, shown in (("positions on topics", solutions_shown),
                                   ("expected results", expected.revealed),
                                   ("capacity", plan.revealed)) if not shown]
if hidden:
    st.caption("Not shown until revealed in their step: " + ", ".join(hidden) + ".")
