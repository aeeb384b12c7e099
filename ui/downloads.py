"""The files people take home from the summary and from a check-in. Each is made only when its
button is clicked, and each works with no internet. Nothing in them is private or unrevealed."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from models import checkin_report
from models.checkin_report import CheckInReport
from models.db import reading
from models.export_docx import memorandum_docx
from models.export_ics import calendar_ics
from models.export_json import export_workshop
from models.export_markdown import checkin_markdown, summary_markdown
from models.export_pdf import checkin_pdf, summary_pdf
from models.summary import Summary, build_summary
from ui.state import engine


def file_stem(summary: Summary) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", summary.name).strip("-").lower() or "partnership"
    return f"{name}-{summary.version}"


def download_buttons(summary: Summary, *, with_backup: bool) -> None:
    """PDF, memorandum, Markdown and calendar; and, for the facilitator, the JSON backup."""
    stem = file_stem(summary)
    files: list[tuple[str, str, Callable[[], bytes | str], str]] = [
        ("PDF", f"{stem}.pdf", lambda: summary_pdf(summary), "application/pdf"),
        ("Memorandum", f"{stem}-memorandum.docx",
         lambda: memorandum_docx(summary),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("Markdown", f"{stem}.md", lambda: summary_markdown(summary), "text/markdown"),
        ("Calendar", f"{stem}.ics", lambda: _calendar(summary), "text/calendar"),
    ]
    if with_backup:
        files.append(("JSON backup", f"{stem}.json",
                      lambda: _backup(summary.workshop_id), "application/json"))
    for column, (label, name, make, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(label, data=make, file_name=name, mime=mime,
                               key=f"download_{name}")


def checkin_downloads(report: CheckInReport, *, with_calendar: bool = True) -> None:
    """The check-in's report as PDF and Markdown, and the calendar with the next check-in."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", report.workshop).strip("-").lower() or "partnership"
    stem = f"{name}-check-in-{report.held_on.isoformat()}"
    files: list[tuple[str, str, Callable[[], bytes | str], str]] = [
        ("Report (PDF)", f"{stem}.pdf", lambda: checkin_pdf(report), "application/pdf"),
        ("Report (Markdown)", f"{stem}.md", lambda: checkin_markdown(report), "text/markdown"),
    ]
    if with_calendar:
        files.append(("Calendar", f"{name}.ics", lambda: _calendar_of(report.workshop_id),
                      "text/calendar"))
    for column, (label, file_name, make, mime) in zip(st.columns(len(files)), files,
                                                      strict=True):
        column.download_button(label, data=make, file_name=file_name, mime=mime,
                               key=f"download_{file_name}")


def _calendar(summary: Summary) -> bytes:
    """The plan's dates, with the check-ins from the next one on."""
    with reading(engine()) as session:
        upcoming = checkin_report.next_checkin_date(session, summary.workshop_id)
    return calendar_ics(summary, next_checkin=upcoming)


def _calendar_of(workshop_id: int) -> bytes:
    with reading(engine()) as session:
        summary = build_summary(session, workshop_id)
    return _calendar(summary) if summary else b""


def _backup(workshop_id: int) -> bytes:
    with reading(engine()) as session:
        return export_workshop(session, workshop_id)
