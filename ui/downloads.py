"""The files people take home from the summary. Each is made only when its button is clicked,
and each works with no internet. Nothing in them is private or unrevealed."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from models.db import reading
from models.export_docx import memorandum_docx
from models.export_ics import calendar_ics
from models.export_json import export_workshop
from models.export_markdown import summary_markdown
from models.export_pdf import summary_pdf
from models.summary import Summary
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
        ("Calendar", f"{stem}.ics", lambda: calendar_ics(summary), "text/calendar"),
    ]
    if with_backup:
        files.append(("JSON backup", f"{stem}.json",
                      lambda: _backup(summary.workshop_id), "application/json"))
    for column, (label, name, make, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(label, data=make, file_name=name, mime=mime,
                               key=f"download_{name}")


def _backup(workshop_id: int) -> bytes:
    with reading(engine()) as session:
        return export_workshop(session, workshop_id)
