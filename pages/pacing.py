"""Step 4, pacing: the milestones and how far each may slip, what each partner can give each month
against what the plan asks of it, early wins to aim for, how often to check in, and the log of
successes and disappointments with what was learned."""

from collections.abc import Callable
from datetime import date
from html import escape
from textwrap import shorten

import streamlit as st

from models import pacing
from models.db import reading
from models.pacing import EARLIEST, LATEST, MonthBalance, PacingView
from models.schema import (
    CapacityCommitment,
    EarlyWin,
    LogEntry,
    LogKind,
    Milestone,
    MilestoneKind,
    Step,
)
from models.steps import reveal
from ui import charts, projector
from ui.chrome import workshop_or_stop
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
from ui.partners import chip
from ui.state import engine, form_errors, require, show_flash
from ui.steps import step_header

MILESTONE_KINDS = {
    MilestoneKind.PILOT_START: "Pilot starts",
    MilestoneKind.PILOT_END: "Pilot ends",
    MilestoneKind.BASELINE: "Baseline collected",
    MilestoneKind.REEVALUATION: "Re-evaluation",
    MilestoneKind.CHECK_IN: "Check-in",
    MilestoneKind.OTHER: "Other",
}
MILESTONE_LABELS = {"title": "What happens", "kind": "Kind", "due_on": "Date",
                    "slack_days": "Days it may slip", "owner_partner_id": "Owner",
                    "demand_hours": "Staff hours asked"}
WIN_LABELS = {"title": "Early win", "target_date": "Aim to reach it by",
              "partner_id": "Who leads it", "achieved_on": "Achieved on"}
LOG_LABELS = {"kind": "What kind", "happened_on": "When", "partner_id": "Whose",
              "text": "What happened", "lesson": "What did we learn?"}
LOG_KINDS = {
    LogKind.SUCCESS: "Success",
    LogKind.DISAPPOINTMENT: "Disappointment",
}

role = require("facilitator")
workshop_id = workshop_or_stop()


# --- words and tables --------------------------------------------------------------------------


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def month_name(value: date) -> str:
    return f"{value:%B %Y}"


def hours(value: float) -> str:
    return f"{value:g} h"


def text(value: str) -> str:
    """What someone typed, safe to place inside the HTML of a table."""
    return escape(value).replace("\n", "<br>")


def who(view: PacingView, partner_id: int | None, nobody: str) -> str:
    partner = view.partner(partner_id)
    return chip(partner.name, partner.colour) if partner else nobody


def partner_name(view: PacingView, partner_id: int | None, nobody: str) -> str:
    partner = view.partner(partner_id)
    return partner.name if partner else nobody


def table(headers: list[str], rows: list[list[str]], one_line: tuple[int, ...] = ()) -> None:
    """A plain table; every cell is HTML already escaped by its caller. Columns in ``one_line``
    (dates, hours) never wrap, so "20 Jan 2027" stays whole."""
    def cell(tag: str, column: int, content: str) -> str:
        style = ' style="white-space:nowrap"' if column in one_line else ""
        return f"<{tag}{style}>{content}</{tag}>"

    head = "".join(cell("th", i, content) for i, content in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, content) for i, content in enumerate(row))
                   + "</tr>" for row in rows)
    st.markdown(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
                unsafe_allow_html=True)


def remove_button(label: str, key: str, on_click: Callable[..., None], args: tuple) -> None:
    """Removing is for the facilitator's laptop, never for the wall."""
    if not projector.is_on():
        st.button(label, key=key, on_click=on_click, args=args)


# --- milestones ----------------------------------------------------------------------------------


def milestones_tab(view: PacingView) -> None:
    if view.milestones:
        table(["Date", "Milestone", "Slack", "Owner", "Hours asked"],
              [[day(m.due_on), milestone_title(m), slack(m),
                who(view, m.owner_partner_id, "Nobody yet"), hours(m.demand_hours)]
               for m in view.milestones], one_line=(0, 2, 4))
    else:
        st.write("No milestones yet. A good start: the day the pilot begins, the baseline count, "
                 "and the day the partners look at the results together.")
    with st.expander("Add a milestone", expanded=not view.milestones):
        errors = form_errors("ms_new")
        milestone_fields("ms_new", view, errors)
        form_error(errors)
        st.button("Add milestone", type="primary", key="ms_new_add", on_click=add_milestone)
    if view.milestones:
        chosen = pick_one("Change a milestone", {m.id: f"{m.title} · {day(m.due_on)}"
                                                 for m in view.milestones}, "ms_pick")
        if chosen is not None:
            milestone_editor(view, next(m for m in view.milestones if m.id == chosen))
    if view.milestones:
        charts.show(charts.milestone_timeline(view.milestones, view.partners,
                                              projector=projector.is_on()), "chart_timeline")


def milestone_title(milestone: Milestone) -> str:
    kind = MILESTONE_KINDS[milestone.kind]
    # "Other" says nothing, and "Pilot ends" under a milestone called "Pilot ends" says it twice.
    if milestone.kind == MilestoneKind.OTHER or kind.lower() in milestone.title.lower():
        return text(milestone.title)
    return f"{text(milestone.title)}<br><small>{kind}</small>"


def slack(milestone: Milestone) -> str:
    if milestone.slack_days == 0:
        return "Cannot slip"
    unit = "day" if milestone.slack_days == 1 else "days"
    return (f"May slip {milestone.slack_days} {unit}<br>"
            f"<small>until {day(pacing.latest_date(milestone))}</small>")


def milestone_fields(prefix: str, view: PacingView, errors: dict) -> None:
    seed(f"{prefix}_kind", MilestoneKind.OTHER)
    seed(f"{prefix}_slack", 0)
    seed(f"{prefix}_owner", None)
    seed(f"{prefix}_hours", 0.0)
    title, kind = st.columns([3, 2])
    with title:
        st.text_input("What happens", key=f"{prefix}_title",
                      placeholder="e.g. Pilot starts at the main site")
        field_error(errors, "title")
    with kind:
        st.selectbox("Kind", list(MilestoneKind), format_func=MILESTONE_KINDS.__getitem__,
                     key=f"{prefix}_kind")
        field_error(errors, "kind")
    due, slip, owner, asked = st.columns(4)
    with due:
        st.date_input("Date", value=None, min_value=EARLIEST, max_value=LATEST,
                      key=f"{prefix}_due")
        field_error(errors, "due_on")
    with slip:
        st.number_input("Days it may slip", value=None, min_value=0, step=1, key=f"{prefix}_slack")
        field_error(errors, "slack_days")
    with owner:
        st.selectbox("Owner", [None, *(p.id for p in view.partners)], key=f"{prefix}_owner",
                     format_func=lambda pid: partner_name(view, pid, "Nobody yet"),
                     placeholder="Nobody yet")
        field_error(errors, "owner_partner_id")
    with asked:
        st.number_input("Staff hours asked", value=None, min_value=0.0, step=1.0,
                        format="%g", key=f"{prefix}_hours")
        field_error(errors, "demand_hours")


def milestone_data(prefix: str) -> dict:
    state = st.session_state
    return {"title": state[f"{prefix}_title"], "kind": state[f"{prefix}_kind"],
            "due_on": state[f"{prefix}_due"], "slack_days": state[f"{prefix}_slack"],
            "owner_partner_id": state[f"{prefix}_owner"], "demand_hours": state[f"{prefix}_hours"]}


def milestone_editor(view: PacingView, milestone: Milestone) -> None:
    prefix = f"ms{milestone.id}"
    fill(prefix, milestone.id,
         {"title": milestone.title, "kind": milestone.kind, "due": milestone.due_on,
          "slack": milestone.slack_days, "owner": milestone.owner_partner_id,
          "hours": milestone.demand_hours}, milestone.version)
    errors = form_errors(prefix)
    milestone_fields(prefix, view, errors)
    theirs = show_conflict(prefix, MILESTONE_LABELS, milestone_data(prefix), words={
        "kind": lambda kind: MILESTONE_KINDS.get(kind, "(empty)"),
        "owner_partner_id": lambda pid: partner_name(view, pid, "Nobody yet")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_milestone(milestone.id))
    save_col, remove_col = st.columns(2)
    if not theirs:
        with save_col:
            st.button("Save milestone", key=f"{prefix}_save", on_click=save_milestone,
                      args=(milestone.id,))
    with remove_col:
        remove_button("Remove milestone", f"{prefix}_delete", remove_milestone,
                      (milestone.id, milestone.title))


def add_milestone() -> None:
    data = milestone_data("ms_new")
    if save("ms_new", lambda s: pacing.add_milestone(s, workshop_id=workshop_id, data=data,
                                                     actor=role.actor),
            f"Milestone “{data['title'].strip()}” added."):
        for key in [k for k in st.session_state if str(k).startswith("ms_new_")]:
            del st.session_state[key]


def save_milestone(milestone_id: int) -> None:
    prefix = f"ms{milestone_id}"
    data = milestone_data(prefix)
    if save(prefix, lambda s: pacing.update_milestone(
            s, milestone_id=milestone_id, data=data, expected_version=filled_version(prefix),
            actor=role.actor), f"Milestone “{data['title'].strip()}” saved."):
        refill(prefix)


def remove_milestone(milestone_id: int, title: str) -> None:
    save(f"ms{milestone_id}", lambda s: pacing.delete_milestone(s, milestone_id=milestone_id,
                                                                actor=role.actor),
         f"Milestone “{title}” removed.")


# --- capacity ------------------------------------------------------------------------------------


def capacity_tab(view: PacingView) -> None:
    if view.revealed:
        capacity_grid(view)
        capacity_entry(view)
    else:
        capacity_hidden(view)


def capacity_hidden(view: PacingView) -> None:
    st.info("Each partner's own capacity from pre-work stays hidden until you show it to the "
            "room. Once shown, every month's hours sit next to what the milestones ask.")
    st.button("Reveal the partners' capacity", type="primary", key="reveal_pacing",
              on_click=reveal_capacity)
    form_error(form_errors("reveal"))


def capacity_grid(view: PacingView) -> None:
    if not view.balance:
        st.write("No capacity recorded yet, and no milestone asks for hours. Enter a month "
                 "below.")
        return
    overloaded = view.overloaded
    if overloaded:
        places = "; ".join(f"{partner_name(view, b.partner_id, '')} in {month_name(b.month)}"
                           for b in overloaded)
        st.warning(f"The plan asks more than a partner can give in {len(overloaded)} "
                   f"{'month' if len(overloaded) == 1 else 'months'}: {places}.")
    else:
        st.success("No partner is asked for more than it can give in any month.")
    table(["Month", *(chip(p.name, p.colour) for p in view.partners)],
          [[month_name(month), *(balance_cell(view.balance.get((p.id, month)))
                                 for p in view.partners)]
           for month in view.months], one_line=(0,))
    if view.unowned_hours:
        st.caption(f"{hours(view.unowned_hours)} asked by milestones with no owner yet are not "
                   "counted here. Give them an owner on the Milestones tab.")
    charts.show(charts.capacity_against_demand(view.balance, view.partners,
                                               projector=projector.is_on()), "chart_capacity")


def commitment(row: CapacityCommitment) -> str:
    if row.unavailable:
        return f"Cannot commit: {text(row.note)}"
    note = f"<br><small>{text(row.note)}</small>" if row.note else ""
    return f"{hours(row.hours)} committed{note}"


def balance_cell(balance: MonthBalance | None) -> str:
    if balance is None:
        return "—"
    if balance.unavailable:
        given = f"Cannot commit: {text(balance.note)}"
    elif balance.recorded:
        note = f"<br><small>{text(balance.note)}</small>" if balance.note else ""
        given = f"{hours(balance.committed)} committed{note}"
    else:
        given = "Nothing committed"
    if balance.overloaded:
        return (f"{given}<br><strong>⚠ Overloaded: {hours(balance.demanded)} asked, "
                f"{hours(balance.committed)} committed</strong>")
    if balance.demanded:
        return f"{given}<br>{hours(balance.demanded)} asked"
    return given


def capacity_entry(view: PacingView) -> None:
    st.subheader("Enter for a partner")
    st.caption("For a partner that did not give its capacity in pre-work, or to change a month "
               "in the room.")
    names = {p.id: p.name for p in view.partners}
    seed("cap_month", view.first_month)
    choose_partner, choose_month = st.columns(2)
    partner_id = choose_partner.selectbox("Partner", list(names), format_func=names.__getitem__,
                                          key="cap_partner")
    month = choose_month.selectbox("Month", view.month_choices, format_func=month_name,
                                   key="cap_month")
    row = view.capacity_of(partner_id, month)
    prefix = f"cap{partner_id}_{month:%Y_%m}"
    fill(prefix, row.id if row else None,
         {"unavailable": row.unavailable if row else False,
          "hours": row.hours if row and not row.unavailable else None,
          "note": row.note if row else ""}, row.version if row else None)
    errors = form_errors(prefix)
    field_error(errors, "month")
    if row:
        st.caption("Already recorded for this month; saving replaces it.")
    unavailable = st.checkbox("It cannot commit any hours this month", key=f"{prefix}_unavailable")
    if unavailable:
        why = st.container()
    else:
        given, why = st.columns([1, 2])
        with given:
            st.number_input("Staff hours it can commit", value=None, min_value=0.0, step=5.0,
                            format="%g", key=f"{prefix}_hours")
            field_error(errors, "hours")
    with why:
        st.text_input("Why it cannot commit" if unavailable else "Note (optional)",
                      key=f"{prefix}_note",
                      placeholder="e.g. State licensing review" if unavailable
                      else "e.g. Electronic record upgrade")
        field_error(errors, "note")
    theirs = show_conflict(prefix, {"hours": "Staff hours", "unavailable": "Cannot commit",
                                    "note": "Note"}, month_data(prefix))
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_month(partner_id, month))
    save_col, remove_col = st.columns(2)
    if not theirs:
        with save_col:
            st.button("Save this month", type="primary", key="cap_save", on_click=save_month,
                      args=(partner_id, month))
    if row:
        with remove_col:
            remove_button("Remove this month", "cap_remove", remove_month,
                          (row.id, partner_id, month))


def reveal_capacity() -> None:
    save("reveal", lambda s: reveal(s, workshop_id=workshop_id, step=Step.PACING,
                                    actor=role.actor),
         "The partners' capacity is on the screen.")


def month_data(prefix: str) -> dict:
    state = st.session_state
    return {"hours": state.get(f"{prefix}_hours"), "unavailable": state[f"{prefix}_unavailable"],
            "note": state[f"{prefix}_note"]}


def save_month(partner_id: int, month: date) -> None:
    prefix = f"cap{partner_id}_{month:%Y_%m}"
    data = month_data(prefix)
    if save(prefix, lambda s: pacing.save_capacity(
            s, partner_id=partner_id, month=month, **data,
            expected_version=filled_version(prefix), actor=role.actor),
            f"{month_name(month)} saved."):
        refill(prefix)


def remove_month(capacity_id: int, partner_id: int, month: date) -> None:
    prefix = f"cap{partner_id}_{month:%Y_%m}"
    if save(prefix, lambda s: pacing.delete_capacity(s, capacity_id=capacity_id,
                                                     actor=role.actor),
            f"{month_name(month)} removed."):
        refill(prefix)


# --- early wins ----------------------------------------------------------------------------------


def early_wins_tab(view: PacingView) -> None:
    st.caption("Small wins people can see in the first months keep the energy up while the "
               "bigger results are still on their way.")
    if view.early_wins:
        table(["Aim for", "Early win", "Who leads it", "Done?"],
              [[day(win.target_date) if win.target_date else "No date yet", text(win.title),
                who(view, win.partner_id, "All partners"),
                f"✓ Achieved {day(win.achieved_on)}" if win.achieved_on else "Not yet"]
               for win in view.early_wins], one_line=(0, 3))
    else:
        st.write("No early wins yet. What could the partners celebrate in the first three "
                 "months?")
    with st.expander("Add an early win", expanded=not view.early_wins):
        errors = form_errors("win_new")
        win_fields("win_new", view, errors, achieved=False)
        form_error(errors)
        st.button("Add early win", type="primary", key="win_new_add", on_click=add_win)
    if view.early_wins:
        chosen = pick_one("Change an early win", {w.id: w.title for w in view.early_wins},
                          "win_pick")
        if chosen is not None:
            win_editor(view, next(w for w in view.early_wins if w.id == chosen))


def win_fields(prefix: str, view: PacingView, errors: dict, *, achieved: bool) -> None:
    seed(f"{prefix}_partner", None)
    st.text_input("Early win", key=f"{prefix}_title",
                  placeholder="e.g. First warm hand-off in under fifteen minutes")
    field_error(errors, "title")
    columns = st.columns(3 if achieved else 2)
    with columns[0]:
        st.date_input("Aim to reach it by", value=None, min_value=EARLIEST, max_value=LATEST,
                      key=f"{prefix}_target")
        field_error(errors, "target_date")
    with columns[1]:
        st.selectbox("Who leads it", [None, *(p.id for p in view.partners)],
                     key=f"{prefix}_partner", placeholder="All partners",
                     format_func=lambda pid: partner_name(view, pid, "All partners"))
        field_error(errors, "partner_id")
    if achieved:
        with columns[2]:
            st.date_input("Achieved on", value=None, min_value=EARLIEST, max_value=LATEST,
                          key=f"{prefix}_achieved")
            field_error(errors, "achieved_on")


def win_data(prefix: str) -> dict:
    state = st.session_state
    return {"title": state[f"{prefix}_title"], "target_date": state[f"{prefix}_target"],
            "partner_id": state[f"{prefix}_partner"],
            "achieved_on": state.get(f"{prefix}_achieved")}


def win_editor(view: PacingView, win: EarlyWin) -> None:
    prefix = f"win{win.id}"
    fill(prefix, win.id, {"title": win.title, "target": win.target_date,
                          "partner": win.partner_id, "achieved": win.achieved_on}, win.version)
    errors = form_errors(prefix)
    win_fields(prefix, view, errors, achieved=True)
    theirs = show_conflict(prefix, WIN_LABELS, win_data(prefix), words={
        "partner_id": lambda pid: partner_name(view, pid, "All partners")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_win(win.id))
    save_col, remove_col = st.columns(2)
    if not theirs:
        with save_col:
            st.button("Save early win", key=f"{prefix}_save", on_click=save_win,
                      args=(win.id,))
    with remove_col:
        remove_button("Remove early win", f"{prefix}_delete", remove_win, (win.id, win.title))


def add_win() -> None:
    data = win_data("win_new")
    if save("win_new", lambda s: pacing.add_early_win(s, workshop_id=workshop_id, data=data,
                                                      actor=role.actor),
            f"Early win “{data['title'].strip()}” added."):
        for key in [k for k in st.session_state if str(k).startswith("win_new_")]:
            del st.session_state[key]


def save_win(win_id: int) -> None:
    prefix = f"win{win_id}"
    data = win_data(prefix)
    if save(prefix, lambda s: pacing.update_early_win(
            s, early_win_id=win_id, data=data, expected_version=filled_version(prefix),
            actor=role.actor), f"Early win “{data['title'].strip()}” saved."):
        refill(prefix)


def remove_win(win_id: int, title: str) -> None:
    save(f"win{win_id}", lambda s: pacing.delete_early_win(s, early_win_id=win_id,
                                                           actor=role.actor),
         f"Early win “{title}” removed.")


# --- check-ins and the log -----------------------------------------------------------------------


def checkins_tab(view: PacingView) -> None:
    st.subheader("How often we check in")
    cadence(view)
    st.page_link("pages/checkins.py", label="After the workshop: record each check-in",
                 icon=":material/event_repeat:")
    st.subheader("Successes and disappointments")
    st.caption("Celebrate every success. Talk each disappointment through and write down what "
               "it taught us.")
    if view.log:
        table(["When", "What happened", "What we learned", "Whose"],
              [[day(entry.happened_on), f"<strong>{LOG_KINDS[entry.kind]}.</strong> "
                                        f"{text(entry.text)}",
                text(entry.lesson) or "—", who(view, entry.partner_id, "Everyone")]
               for entry in view.log], one_line=(0,))
    else:
        st.write("Nothing logged yet.")
    with st.expander("Log a success or a disappointment", expanded=not view.log):
        errors = form_errors("log_new")
        seed("log_new_date", date.today())
        log_fields("log_new", view, errors)
        form_error(errors)
        st.button("Add to the log", type="primary", key="log_new_add", on_click=add_log)
    if view.log:
        chosen = pick_one("Change a log entry", {
            e.id: f"{day(e.happened_on)} · {shorten(e.text, 60, placeholder=' …')}"
            for e in view.log}, "log_pick")
        if chosen is not None:
            log_editor(view, next(e for e in view.log if e.id == chosen))


def cadence(view: PacingView) -> None:
    workshop = view.workshop
    weeks = workshop.checkin_every_weeks
    if weeks is None:
        st.markdown("**No check-in rhythm agreed yet.**")
    else:
        st.markdown(f"**The partners check in every {'week' if weeks == 1 else f'{weeks} weeks'}"
                    ".**")
    prefix = f"cadence{workshop.id}"
    fill(prefix, workshop.id, {"weeks": weeks}, workshop.version)
    errors = form_errors(prefix)
    field, button = st.columns([2, 3], vertical_alignment="bottom")
    with field:
        st.number_input("Weeks between check-ins", value=None, step=1, key=f"{prefix}_weeks",
                        help="Leave it empty while the partners have not decided.")
    theirs = show_conflict(prefix, {"checkin_every_weeks": "Weeks between check-ins"},
                           {"checkin_every_weeks": st.session_state[f"{prefix}_weeks"]})
    if not theirs:
        with button:
            st.button("Save", key=f"{prefix}_save", on_click=save_cadence)
    field_error(errors, "weeks")
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, save_cadence)


def log_fields(prefix: str, view: PacingView, errors: dict) -> None:
    seed(f"{prefix}_kind", LogKind.SUCCESS)
    seed(f"{prefix}_partner", None)
    kind, when, whose = st.columns([2, 1, 1])
    with kind:
        st.radio("What kind", list(LogKind), format_func=LOG_KINDS.__getitem__, horizontal=True,
                 key=f"{prefix}_kind")
        field_error(errors, "kind")
    with when:
        st.date_input("When", value=None, min_value=EARLIEST, max_value=LATEST,
                      key=f"{prefix}_date")
        field_error(errors, "happened_on")
    with whose:
        st.selectbox("Whose", [None, *(p.id for p in view.partners)], key=f"{prefix}_partner",
                     format_func=lambda pid: partner_name(view, pid, "Everyone"),
                     placeholder="Everyone")
        field_error(errors, "partner_id")
    st.text_area("What happened", key=f"{prefix}_text", height=80)
    field_error(errors, "text")
    st.text_area("What did we learn?", key=f"{prefix}_lesson", height=80,
                 help="A disappointment is logged with its lesson; a success may have one too.")
    field_error(errors, "lesson")


def log_data(prefix: str) -> dict:
    state = st.session_state
    return {"kind": state[f"{prefix}_kind"], "happened_on": state[f"{prefix}_date"],
            "partner_id": state[f"{prefix}_partner"], "text": state[f"{prefix}_text"],
            "lesson": state[f"{prefix}_lesson"]}


def log_editor(view: PacingView, entry: LogEntry) -> None:
    prefix = f"log{entry.id}"
    fill(prefix, entry.id, {"kind": entry.kind, "date": entry.happened_on,
                            "partner": entry.partner_id, "text": entry.text,
                            "lesson": entry.lesson}, entry.version)
    errors = form_errors(prefix)
    log_fields(prefix, view, errors)
    theirs = show_conflict(prefix, LOG_LABELS, log_data(prefix), words={
        "kind": lambda kind: LOG_KINDS.get(kind, "(empty)"),
        "partner_id": lambda pid: partner_name(view, pid, "Everyone")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_log(entry.id))
    save_col, remove_col = st.columns(2)
    if not theirs:
        with save_col:
            st.button("Save", key=f"{prefix}_save", on_click=save_log, args=(entry.id,))
    with remove_col:
        remove_button("Remove from the log", f"{prefix}_delete", remove_log, (entry.id,))


def save_cadence() -> None:
    prefix = f"cadence{workshop_id}"
    weeks = st.session_state[f"{prefix}_weeks"]
    if save(prefix, lambda s: pacing.set_checkin_cadence(
            s, workshop_id=workshop_id, weeks=weeks, expected_version=filled_version(prefix),
            actor=role.actor), "Check-in rhythm saved."):
        refill(prefix)


def add_log() -> None:
    data = log_data("log_new")
    if save("log_new", lambda s: pacing.add_log_entry(s, workshop_id=workshop_id, data=data,
                                                      actor=role.actor),
            "Added to the log."):
        for key in [k for k in st.session_state if str(k).startswith("log_new_")]:
            del st.session_state[key]


def save_log(entry_id: int) -> None:
    prefix = f"log{entry_id}"
    data = log_data(prefix)
    if save(prefix, lambda s: pacing.update_log_entry(
            s, log_entry_id=entry_id, data=data, expected_version=filled_version(prefix),
            actor=role.actor), "Log entry saved."):
        refill(prefix)


def remove_log(entry_id: int) -> None:
    save(f"log{entry_id}", lambda s: pacing.delete_log_entry(s, log_entry_id=entry_id,
                                                             actor=role.actor),
         "Removed from the log.")


# --- the screen --------------------------------------------------------------------------------

step_header(Step.PACING, workshop_id, role.actor)
show_flash()
with reading(engine()) as session:
    view = pacing.pacing_view(session, workshop_id)

milestones_tab_, capacity_tab_, wins_tab_, checkins_tab_ = st.tabs(
    ["Milestones", "Capacity", "Early wins", "Check-ins and log"])
with milestones_tab_:
    milestones_tab(view)
with capacity_tab_:
    capacity_tab(view)
with wins_tab_:
    early_wins_tab(view)
with checkins_tab_:
    checkins_tab(view)
