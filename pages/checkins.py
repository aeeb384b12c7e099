"""Check-ins after the workshop: the successes since the last one first, then what the partners
report on a date (each measure's value, where each milestone stands, the hours each gave, what
went well and what disappointed) and what they recalibrate; then where they stand, in charts,
and the report to take away."""

from collections.abc import Callable
from datetime import date
from html import escape

import streamlit as st
from sqlmodel import Session

from models import checkins
from models.checkin_report import CheckInView, checkin_view
from models.db import reading
from models.pacing import EARLIEST, LATEST
from models.schema import (
    Checkin,
    LogKind,
    Measure,
    Milestone,
    MilestoneState,
    RecalibrationKind,
    Topic,
)
from models.summary import amount, day
from ui import projector
from ui.chrome import workshop_or_stop
from ui.downloads import checkin_downloads
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    pick_one,
    refill,
    save,
    seed,
    show_conflict,
)
from ui.progress_view import RECALIBRATED, show_progress, successes_panel, table
from ui.state import engine, form_errors, require, show_flash

NEW = 0  # the picker's choice for a check-in not held yet
STATES = {MilestoneState.DONE: "Done", MilestoneState.ON_TRACK: "On track",
          MilestoneState.SLIPPED: "Slipped", MilestoneState.AT_RISK: "At risk"}
LOG_KINDS = {LogKind.SUCCESS: "Success", LogKind.DISAPPOINTMENT: "Disappointment"}
CHANGES = {RecalibrationKind.TARGET: "A measure's target",
           RecalibrationKind.DATE: "A milestone's date",
           RecalibrationKind.CAPACITY: "A partner's planned hours",
           RecalibrationKind.TOPIC: "Reopen an agreed topic"}

role = require("facilitator")
workshop_id = workshop_or_stop()
projector.apply_styles()
on_wall = projector.is_on()


# --- words ---------------------------------------------------------------------------------------


def month_name(value: date) -> str:
    return f"{value:%B %Y}"


def partner_name(view: CheckInView, partner_id: int | None, nobody: str) -> str:
    return next((p.name for p in view.partners if p.id == partner_id), nobody)


def value_of(measure: Measure, value: float | None) -> str:
    return amount(value, measure.unit) if value is not None else "none"


def html_text(text: str) -> str:
    """What someone typed, safe to place inside the HTML of a table."""
    return escape(text).replace("\n", "<br>")


def remove_button(label: str, key: str, on_click: Callable[..., None], args: tuple) -> None:
    """Removing is for the facilitator's laptop, never for the wall."""
    if not on_wall:
        st.button(label, key=key, on_click=on_click, args=args)


def save_and_refill(prefix: str, write: Callable[[Session], object], done: str) -> None:
    """Save, and on success fill the form again from what was saved."""
    if save(prefix, write, done):
        refill(prefix)


# --- which check-in ------------------------------------------------------------------------------


def choose_checkin(view: CheckInView) -> Checkin | None:
    """The check-in to work on, the latest first; or a new one."""
    options = {c.id: f"Check-in of {day(c.held_on)}" for c in reversed(view.checkins)}
    options[NEW] = "A new check-in"
    if st.session_state.get("ci_pick") not in options:
        st.session_state["ci_pick"] = next(iter(options))
    chosen = st.selectbox("Check-in", list(options), format_func=options.__getitem__,
                          key="ci_pick")
    return view.checkin(chosen)


def new_checkin(view: CheckInView) -> None:
    st.subheader("Open a check-in")
    errors = form_errors("ci_new")
    seed("ci_new_date", view.next_on or date.today())
    when, note = st.columns([1, 2])
    with when:
        st.date_input("Date of the check-in", min_value=EARLIEST, max_value=LATEST,
                      key="ci_new_date")
        field_error(errors, "held_on")
    with note:
        st.text_input("Note (optional)", key="ci_new_note",
                      placeholder="e.g. At Northside, with the county's analyst")
        field_error(errors, "note")
    form_error(errors)
    st.button("Open this check-in", type="primary", key="ci_new_open", on_click=open_new)


def open_new() -> None:
    data = {"held_on": st.session_state["ci_new_date"], "note": st.session_state["ci_new_note"]}
    opened: list[int] = []
    if save("ci_new", lambda s: opened.append(checkins.open_checkin(
            s, workshop_id=workshop_id, data=data, actor=role.actor).id),
            "Check-in opened. Start with the successes, then record where things stand."):
        st.session_state["ci_pick"] = opened[0]
        for key in ("ci_new_date", "ci_new_note"):
            st.session_state.pop(key, None)


# --- measures ------------------------------------------------------------------------------------


def measures_tab(view: CheckInView, checkin: Checkin) -> None:
    if not view.measures:
        st.write("No measure has been agreed yet: agree measures in step 2 first.")
        return
    reported = {m.id for m in view.measures if view.reading(checkin.id, m.id)}
    st.caption(f"{len(reported)} of {len(view.measures)} agreed measures reported at this "
               "check-in. Choose one to record its value.")
    chosen = pick_one("Measure", {m.id: m.name + (" · reported" if m.id in reported else "")
                                  for m in view.measures}, "rd_pick")
    if chosen is not None:
        reading_form(view, checkin, next(m for m in view.measures if m.id == chosen))


def reading_form(view: CheckInView, checkin: Checkin, measure: Measure) -> None:
    prefix = f"rd{checkin.id}_{measure.id}"
    row = view.reading(checkin.id, measure.id)
    fill(prefix, row.id if row else None,
         {"value": row.value if row else None,
          "date": row.measured_on if row else checkin.held_on,
          "source": row.source if row else measure.data_source},
         row.version if row else None)
    errors = form_errors(prefix)
    st.caption(f"Baseline {value_of(measure, measure.baseline_value)}, target "
               f"{value_of(measure, measure.target_value)}"
               + (" (lower is better)." if measure.direction == "lower_is_better" else "."))
    value, when = st.columns(2)
    with value:
        st.number_input(f"Value ({measure.unit})" if measure.unit else "Value", value=None,
                        step=1.0, format="%g", key=f"{prefix}_value")
        field_error(errors, "value")
    with when:
        st.date_input("Date of the data", min_value=EARLIEST, max_value=LATEST,
                      key=f"{prefix}_date")
        field_error(errors, "measured_on")
    st.text_input("Where the data comes from", key=f"{prefix}_source")
    field_error(errors, "source")
    theirs = show_conflict(prefix, {"value": "Value", "measured_on": "Date of the data",
                                    "source": "Where the data comes from"},
                           reading_data(prefix))
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_reading(checkin.id, measure.id))
    keep, remove = st.columns(2)
    if not theirs:
        keep.button("Save this value", type="primary", key=f"{prefix}_save",
                    on_click=save_reading, args=(checkin.id, measure.id))
    if row:
        with remove:
            remove_button("Remove this value", f"{prefix}_remove", remove_reading,
                          (prefix, row.id))


def reading_data(prefix: str) -> dict:
    state = st.session_state
    return {"value": state.get(f"{prefix}_value"), "measured_on": state.get(f"{prefix}_date"),
            "source": state.get(f"{prefix}_source", "")}


def save_reading(checkin_id: int, measure_id: int) -> None:
    prefix = f"rd{checkin_id}_{measure_id}"
    data = reading_data(prefix)
    save_and_refill(prefix, lambda s: checkins.record_reading(
        s, checkin_id=checkin_id, measure_id=measure_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor), "Value saved.")


def remove_reading(prefix: str, reading_id: int) -> None:
    save_and_refill(prefix, lambda s: checkins.delete_reading(s, reading_id=reading_id,
                                                              actor=role.actor),
                    "Value removed.")


# --- milestones ----------------------------------------------------------------------------------


def milestones_tab(view: CheckInView, checkin: Checkin) -> None:
    if not view.milestones:
        st.write("No milestones in the plan yet: add them in step 4.")
        return

    def label(milestone: Milestone) -> str:
        report = view.report_of(checkin.id, milestone.id)
        state = f" · {STATES[report.state].lower()}" if report else ""
        return f"{milestone.title} · due {day(milestone.due_on)}{state}"

    chosen = pick_one("Milestone", {m.id: label(m) for m in view.milestones}, "mr_pick")
    if chosen is not None:
        milestone_form(view, checkin, next(m for m in view.milestones if m.id == chosen))


def milestone_form(view: CheckInView, checkin: Checkin, milestone: Milestone) -> None:
    prefix = f"mr{checkin.id}_{milestone.id}"
    row = view.report_of(checkin.id, milestone.id)
    fill(prefix, row.id if row else None,
         {"state": row.state if row else MilestoneState.ON_TRACK,
          "slip": row.slip_days if row and row.slip_days else None,
          "reason": row.reason if row else ""}, row.version if row else None)
    errors = form_errors(prefix)
    slack = (f"It may slip {milestone.slack_days} days." if milestone.slack_days
             else "It may not slip.")
    st.caption(f"Due {day(milestone.due_on)}. {slack}")
    state, slip = st.columns([2, 1])
    with state:
        st.radio("Where it stands", list(MilestoneState), format_func=STATES.__getitem__,
                 horizontal=True, key=f"{prefix}_state")
        field_error(errors, "state")
    with slip:
        st.number_input("Days it has slipped", value=None, step=1, key=f"{prefix}_slip",
                        help="Only for a milestone that has slipped.")
        field_error(errors, "slip_days")
    st.text_area("Why", key=f"{prefix}_reason", height=80,
                 help="Needed when it slipped or is at risk.")
    field_error(errors, "reason")
    theirs = show_conflict(prefix, {"state": "Where it stands", "slip_days": "Days slipped",
                                    "reason": "Why"}, milestone_data(prefix),
                           words={"state": lambda s: STATES.get(s, "(empty)")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs,
                         lambda: save_milestone(checkin.id, milestone.id))
    keep, remove = st.columns(2)
    if not theirs:
        keep.button("Save where it stands", type="primary", key=f"{prefix}_save",
                    on_click=save_milestone, args=(checkin.id, milestone.id))
    if row:
        with remove:
            remove_button("Remove this report", f"{prefix}_remove", remove_milestone_report,
                          (prefix, row.id))


def milestone_data(prefix: str) -> dict:
    state = st.session_state
    return {"state": state.get(f"{prefix}_state"), "slip_days": state.get(f"{prefix}_slip"),
            "reason": state.get(f"{prefix}_reason", "")}


def save_milestone(checkin_id: int, milestone_id: int) -> None:
    prefix = f"mr{checkin_id}_{milestone_id}"
    data = milestone_data(prefix)
    save_and_refill(prefix, lambda s: checkins.report_milestone(
        s, checkin_id=checkin_id, milestone_id=milestone_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor), "Milestone saved.")


def remove_milestone_report(prefix: str, report_id: int) -> None:
    save_and_refill(prefix, lambda s: checkins.delete_milestone_report(
        s, report_id=report_id, actor=role.actor), "Report removed.")


# --- hours given ---------------------------------------------------------------------------------


def hours_tab(view: CheckInView, checkin: Checkin) -> None:
    names = {p.id: p.name for p in view.partners}
    months = view.month_choices(checkin)
    who, when = st.columns(2)
    partner_id = who.selectbox("Partner", list(names), format_func=names.__getitem__,
                               key="cg_partner")
    if st.session_state.get("cg_month") not in months:
        st.session_state["cg_month"] = months[0]
    month = when.selectbox("Month", months, format_func=month_name, key="cg_month")
    prefix = f"cg{partner_id}_{month:%Y_%m}"
    row = view.actual(partner_id, month)
    plan = view.planned_row(partner_id, month)
    fill(prefix, row.id if row else None, {"hours": row.hours if row else None,
                                           "note": row.note if row else ""},
         row.version if row else None)
    errors = form_errors(prefix)
    if not view.capacity_revealed:
        st.caption("What the partners planned shows once their capacity is revealed in step 4.")
    elif plan is None:
        st.caption("Nothing was planned for this month.")
    else:
        st.caption("It planned " + ("no hours: it could not commit this month."
                                    if plan.unavailable else f"{plan.hours:g} hours."))
    field_error(errors, "month")
    given, note = st.columns([1, 2])
    with given:
        st.number_input("Hours it actually gave", value=None, step=5.0, format="%g",
                        key=f"{prefix}_hours")
        field_error(errors, "hours")
    with note:
        st.text_input("Note (optional)", key=f"{prefix}_note",
                      placeholder="e.g. Two nurses out with the flu")
        field_error(errors, "note")
    data = hours_data(prefix, month)
    theirs = show_conflict(prefix, {"hours": "Hours", "note": "Note"}, data)
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs,
                         lambda: save_hours(checkin.id, partner_id, month))
    keep, remove = st.columns(2)
    if not theirs:
        keep.button("Save the hours", type="primary", key="cg_save", on_click=save_hours,
                    args=(checkin.id, partner_id, month))
    if row:
        with remove:
            remove_button("Remove these hours", "cg_remove", remove_hours, (prefix, row.id))


def hours_data(prefix: str, month: date) -> dict:
    state = st.session_state
    return {"month": month, "hours": state.get(f"{prefix}_hours"),
            "note": state.get(f"{prefix}_note", "")}


def save_hours(checkin_id: int, partner_id: int, month: date) -> None:
    prefix = f"cg{partner_id}_{month:%Y_%m}"
    data = hours_data(prefix, month)
    save_and_refill(prefix, lambda s: checkins.record_capacity_given(
        s, checkin_id=checkin_id, partner_id=partner_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor),
        f"Hours for {month_name(month)} saved.")


def remove_hours(prefix: str, actual_id: int) -> None:
    save_and_refill(prefix, lambda s: checkins.delete_capacity_given(s, actual_id=actual_id,
                                                                     actor=role.actor),
                    "Hours removed.")


# --- successes and disappointments ---------------------------------------------------------------


def log_tab(view: CheckInView, checkin: Checkin) -> None:
    entries = view.logged_at(checkin.id)
    if entries:
        table(["When", "What happened", "What we learned", "Whose"],
              [[day(e.happened_on), f"<strong>{LOG_KINDS[e.kind]}.</strong> "
                                    f"{html_text(e.text)}", html_text(e.lesson) or "—",
                html_text(partner_name(view, e.partner_id, "Everyone"))] for e in entries],
              one_line=(0,))
        st.caption("Change or remove an entry in the log of step 4, Pacing.")
    errors = form_errors("cl_new")
    seed("cl_new_kind", LogKind.SUCCESS)
    seed("cl_new_date", checkin.held_on)
    seed("cl_new_partner", None)
    kind, when, whose = st.columns([2, 1, 1])
    with kind:
        st.radio("What kind", list(LogKind), format_func=LOG_KINDS.__getitem__,
                 horizontal=True, key="cl_new_kind")
    with when:
        st.date_input("When", min_value=EARLIEST, max_value=LATEST, key="cl_new_date")
        field_error(errors, "happened_on")
    with whose:
        st.selectbox("Whose", [None, *(p.id for p in view.partners)], key="cl_new_partner",
                     format_func=lambda pid: partner_name(view, pid, "Everyone"))
        field_error(errors, "partner_id")
    st.text_area("What happened", key="cl_new_text", height=80)
    field_error(errors, "text")
    st.text_area("What did we learn?", key="cl_new_lesson", height=80,
                 help="A disappointment is logged with its lesson; a success may have one too.")
    field_error(errors, "lesson")
    form_error(errors)
    st.button("Add to the log", type="primary", key="cl_new_add", on_click=add_log,
              args=(checkin.id,))


def add_log(checkin_id: int) -> None:
    state = st.session_state
    data = {"kind": state["cl_new_kind"], "happened_on": state["cl_new_date"],
            "partner_id": state["cl_new_partner"], "text": state["cl_new_text"],
            "lesson": state["cl_new_lesson"]}
    if save("cl_new", lambda s: checkins.add_log_entry(s, checkin_id=checkin_id, data=data,
                                                       actor=role.actor), "Added to the log."):
        for key in ("cl_new_kind", "cl_new_date", "cl_new_partner", "cl_new_text",
                    "cl_new_lesson"):
            state.pop(key, None)


# --- recalibration -------------------------------------------------------------------------------


def recalibrate_tab(view: CheckInView, checkin: Checkin) -> None:
    made = view.recalibrated_at(checkin.id)
    if made:
        table(["What", "Was", "Now", "Why"],
              [[f"<strong>{RECALIBRATED[r.kind]}</strong><br>{html_text(r.subject)}",
                html_text(r.before), html_text(r.after), html_text(r.reason)]
               for r in made], one_line=(1, 2))
    st.caption("A changed target, date or planned hours makes a new version of the agreed "
               "summary, so leaders' approvals of the old one lapse. Each change is kept with "
               "its reason, and can be undone on the Changes page.")
    seed("rc_kind", RecalibrationKind.TARGET)
    kind = st.radio("What changes", list(RecalibrationKind), format_func=CHANGES.__getitem__,
                    horizontal=True, key="rc_kind")
    if kind == RecalibrationKind.TARGET:
        chosen = pick_one("Measure", {m.id: m.name for m in view.measures}, "rt_pick")
        if chosen is not None:
            target_form(checkin, next(m for m in view.measures if m.id == chosen))
    elif kind == RecalibrationKind.DATE:
        chosen = pick_one("Milestone", {m.id: f"{m.title} · {day(m.due_on)}"
                                        for m in view.milestones}, "rdt_pick")
        if chosen is not None:
            date_form(checkin, next(m for m in view.milestones if m.id == chosen))
    elif kind == RecalibrationKind.CAPACITY:
        capacity_form(view, checkin)
    else:
        chosen = pick_one("Agreed topic", {t.id: t.title for t, _ in view.agreed_topics},
                          "ro_pick")
        if chosen is not None:
            reopen_form(checkin, next(t for t, _ in view.agreed_topics if t.id == chosen))


def reason_field(prefix: str, errors: dict) -> None:
    st.text_area("Why", key=f"{prefix}_reason", height=80,
                 placeholder="e.g. Six months is too short for A1c to move this far")
    field_error(errors, "reason")


def target_form(checkin: Checkin, measure: Measure) -> None:
    prefix = f"rt{measure.id}"
    fill(prefix, measure.id, {"target": measure.target_value, "reason": ""}, measure.version)
    errors = form_errors(prefix)
    st.caption(f"Now {value_of(measure, measure.target_value)}; baseline "
               f"{value_of(measure, measure.baseline_value)}.")
    st.number_input(f"New target ({measure.unit})" if measure.unit else "New target",
                    value=None, step=1.0, format="%g", key=f"{prefix}_target")
    field_error(errors, "target_value")
    field_error(errors, "measure")
    reason_field(prefix, errors)
    recalibrate_buttons(prefix, errors, {"target_value": "Target"},
                        {"target_value": st.session_state.get(f"{prefix}_target")},
                        "Change the target", lambda: change_target(checkin.id, measure.id))


def change_target(checkin_id: int, measure_id: int) -> None:
    prefix = f"rt{measure_id}"
    data = {"target_value": st.session_state.get(f"{prefix}_target"),
            "reason": st.session_state.get(f"{prefix}_reason", "")}
    save_and_refill(prefix, lambda s: checkins.recalibrate_target(
        s, checkin_id=checkin_id, measure_id=measure_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor),
        "Target changed. The summary has a new version.")


def date_form(checkin: Checkin, milestone: Milestone) -> None:
    prefix = f"rdt{milestone.id}"
    fill(prefix, milestone.id, {"due": milestone.due_on, "reason": ""}, milestone.version)
    errors = form_errors(prefix)
    st.date_input("New date", min_value=EARLIEST, max_value=LATEST, key=f"{prefix}_due")
    field_error(errors, "due_on")
    reason_field(prefix, errors)
    recalibrate_buttons(prefix, errors, {"due_on": "Date"},
                        {"due_on": st.session_state.get(f"{prefix}_due")}, "Change the date",
                        lambda: change_date(checkin.id, milestone.id))


def change_date(checkin_id: int, milestone_id: int) -> None:
    prefix = f"rdt{milestone_id}"
    data = {"due_on": st.session_state.get(f"{prefix}_due"),
            "reason": st.session_state.get(f"{prefix}_reason", "")}
    save_and_refill(prefix, lambda s: checkins.recalibrate_date(
        s, checkin_id=checkin_id, milestone_id=milestone_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor),
        "Date changed. The summary has a new version.")


def capacity_form(view: CheckInView, checkin: Checkin) -> None:
    if not view.capacity_revealed:
        st.info("Reveal the partners' capacity on step 4, Pacing, before changing it.")
        return
    names = {p.id: p.name for p in view.partners}
    who, when = st.columns(2)
    partner_id = who.selectbox("Partner", list(names), format_func=names.__getitem__,
                               key="rc_partner")
    months = view.plan_months()
    if st.session_state.get("rc_month") not in months:
        st.session_state["rc_month"] = max(m for m in months if m <= checkin.held_on) \
            if any(m <= checkin.held_on for m in months) else months[0]
    month = when.selectbox("Month", months, format_func=month_name, key="rc_month")
    prefix = f"rc{partner_id}_{month:%Y_%m}"
    row = view.planned_row(partner_id, month)
    fill(prefix, row.id if row else None,
         {"hours": row.hours if row and not row.unavailable else None,
          "unavailable": row.unavailable if row else False, "reason": ""},
         row.version if row else None)
    errors = form_errors(prefix)
    st.caption("Planned now: " + ("nothing" if row is None else "cannot commit"
                                  if row.unavailable else f"{row.hours:g} hours") + ".")
    field_error(errors, "month")
    unavailable = st.checkbox("It cannot commit any hours this month",
                              key=f"{prefix}_unavailable")
    if not unavailable:
        st.number_input("New planned hours", value=None, step=5.0, format="%g",
                        key=f"{prefix}_hours")
        field_error(errors, "hours")
    reason_field(prefix, errors)
    state = st.session_state
    recalibrate_buttons(prefix, errors, {"hours": "Hours", "unavailable": "Cannot commit"},
                        {"hours": state.get(f"{prefix}_hours"),
                         "unavailable": state.get(f"{prefix}_unavailable")},
                        "Change the planned hours",
                        lambda: change_capacity(checkin.id, partner_id, month))


def change_capacity(checkin_id: int, partner_id: int, month: date) -> None:
    prefix = f"rc{partner_id}_{month:%Y_%m}"
    state = st.session_state
    data = {"month": month, "hours": state.get(f"{prefix}_hours"),
            "unavailable": state.get(f"{prefix}_unavailable", False),
            "reason": state.get(f"{prefix}_reason", "")}
    save_and_refill(prefix, lambda s: checkins.recalibrate_capacity(
        s, checkin_id=checkin_id, partner_id=partner_id, data=data,
        expected_version=filled_version(prefix), actor=role.actor),
        f"Planned hours for {month_name(month)} changed. The summary has a new version.")


def reopen_form(checkin: Checkin, topic: Topic) -> None:
    prefix = f"ro{topic.id}"
    errors = form_errors(prefix)
    st.caption("Its agreement is set aside (the Changes page keeps it, and can bring it back) "
               "and the topic goes back to step 3 for a new round.")
    field_error(errors, "topic")
    reason_field(prefix, errors)
    form_error(errors)
    st.button("Reopen for a new round", type="primary", key=f"{prefix}_save",
              on_click=reopen, args=(checkin.id, topic.id, topic.title))


def reopen(checkin_id: int, topic_id: int, title: str) -> None:
    prefix = f"ro{topic_id}"
    data = {"reason": st.session_state.get(f"{prefix}_reason", "")}
    if save(prefix, lambda s: checkins.reopen_topic(s, checkin_id=checkin_id, topic_id=topic_id,
                                                    data=data, actor=role.actor),
            f"“{title}” is open again in step 3, Shared solutions."):
        st.session_state.pop(f"{prefix}_reason", None)
        st.session_state.pop("ro_pick", None)


def recalibrate_buttons(prefix: str, errors: dict, labels: dict[str, str], typed: dict,
                        label: str, change: Callable[[], None]) -> None:
    theirs = show_conflict(prefix, labels, typed)
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, change)
    else:
        st.button(label, type="primary", key=f"{prefix}_save", on_click=change)


# --- the check-in itself -------------------------------------------------------------------------


def checkin_tab(checkin: Checkin) -> None:
    prefix = f"ci{checkin.id}"
    fill(prefix, checkin.id, {"date": checkin.held_on, "note": checkin.note}, checkin.version)
    errors = form_errors(prefix)
    when, note = st.columns([1, 2])
    with when:
        st.date_input("Date of the check-in", min_value=EARLIEST, max_value=LATEST,
                      key=f"{prefix}_date")
        field_error(errors, "held_on")
    with note:
        st.text_input("Note", key=f"{prefix}_note")
        field_error(errors, "note")
    state = st.session_state
    theirs = show_conflict(prefix, {"held_on": "Date", "note": "Note"},
                           {"held_on": state.get(f"{prefix}_date"),
                            "note": state.get(f"{prefix}_note")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_checkin(checkin.id))
    keep, remove = st.columns(2)
    if not theirs:
        keep.button("Save", key=f"{prefix}_save", on_click=save_checkin, args=(checkin.id,))
    with remove:
        remove_button("Remove this check-in and what was reported at it", f"{prefix}_remove",
                      remove_checkin, (checkin.id,))


def save_checkin(checkin_id: int) -> None:
    prefix = f"ci{checkin_id}"
    data = {"held_on": st.session_state.get(f"{prefix}_date"),
            "note": st.session_state.get(f"{prefix}_note", "")}
    save_and_refill(prefix, lambda s: checkins.update_checkin(
        s, checkin_id=checkin_id, data=data, expected_version=filled_version(prefix),
        actor=role.actor), "Check-in saved.")


def remove_checkin(checkin_id: int) -> None:
    if save(f"ci{checkin_id}", lambda s: checkins.delete_checkin(s, checkin_id=checkin_id,
                                                                 actor=role.actor),
            "Check-in removed. The Changes page can bring it back."):
        st.session_state.pop("ci_pick", None)


# --- the screen --------------------------------------------------------------------------------

with reading(engine()) as session:
    view = checkin_view(session, workshop_id)
if view is None:
    st.title("No workshop open")
    st.write("This workshop was removed. Choose another one in the sidebar.")
    st.stop()

title, toggle = st.columns([4, 1], vertical_alignment="center")
title.title("Check-ins")
with toggle:
    projector.toggle()
rhythm = view.workshop.checkin_every_weeks
st.caption(" ".join(part for part in (
    f"The partners meet every {rhythm} weeks." if rhythm else "",
    f"Next check-in: {day(view.next_on)}." if view.next_on else "") if part)
    or "Set how often the partners check in on step 4, Pacing.")
show_flash()
opening = st.container()
checkin = choose_checkin(view)
report = view.report(checkin) if checkin else None
with opening:
    if report:
        successes_panel(report.successes, report.since)
    else:
        successes_panel(view.successes_since_last(),
                        f"since the check-in of {day(view.checkins[-1].held_on)}"
                        if view.checkins else "since the workshop")

if checkin is None:
    new_checkin(view)
else:
    measures_, milestones_, hours_, log_, recalibrate_, this_ = st.tabs(
        ["Measures", "Milestones", "Hours given", "Successes and disappointments",
         "Recalibrate", "This check-in"])
    with measures_:
        measures_tab(view, checkin)
    with milestones_:
        milestones_tab(view, checkin)
    with hours_:
        hours_tab(view, checkin)
    with log_:
        log_tab(view, checkin)
    with recalibrate_:
        recalibrate_tab(view, checkin)
    with this_:
        checkin_tab(checkin)
    show_progress(report, projector=on_wall, key="ci")
    st.subheader("Take it with you")
    checkin_downloads(report)
