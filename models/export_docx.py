"""A draft memorandum of understanding, as a Word file each partner's leadership can edit.

Every section is filled from what the room agreed: the solutions of each kind of topic with
the fixed rules they honour, and whatever was parked, escalated or left without agreement listed
as "Open:". It is a draft for each partner's lawyers and leaders, not a signed agreement.
python-docx writes text as text, so `<script>` or `**bold**` reads exactly as typed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Pt, RGBColor

from models.summary import MilestoneLine, PartnerLine, SolutionLine, Summary
from models.summary_figures import format_day

TITLE = "Draft memorandum of understanding"
WATERMARK = "DRAFT — for review by each partner's leadership"
OTHER_TERMS = "Other agreed terms"

# The memorandum's sections for the kinds of topic, in order; any other kind is an other term.
TERM_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Record sharing and consent", "record sharing and consent"),
    ("Billing", "billing and finance"),
    ("Staffing and supervision", "staffing and supervision"),
    ("Space and scheduling", "space and scheduling"),
    ("Governance and dispute handling", "governance"),
)

SECTION_HEADINGS: tuple[str, ...] = (
    "Parties", "Purpose and shared mission", "Responsibilities of each partner",
    "Measures and reporting", *(heading for heading, _ in TERM_SECTIONS), OTHER_TERMS,
    "Term and review dates", "Signatures",
)

STEP_SECTIONS = {"Shared mission": "Purpose and shared mission",
                 "Expectations": "Measures and reporting"}
BLANK = "_" * 36
# Characters XML 1.0 does not allow (Word files are XML): each prints as a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def memorandum_docx(summary: Summary) -> bytes:
    """The draft memorandum for the summary, as the bytes of a .docx file."""
    summary = _xml_safe(summary)
    document = Document()
    _page_style(document)
    document.add_heading(TITLE, level=0)
    _plain(document, f"{summary.name} — drafted from the agreed summary of the workshop held on "
                     f"{format_day(summary.held_on)} (summary version {summary.version}).")
    open_by_section = _open_by_section(summary)
    _parties(document, summary.partners)
    _purpose(document, summary, open_by_section)
    _responsibilities(document, summary)
    _measures(document, summary, open_by_section)
    for heading, solutions in _terms_by_section(summary.solutions):
        _terms(document, heading, solutions, open_by_section.get(heading, []))
    _term_and_review(document, summary)
    _signatures(document, summary.partners)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xml_safe(value: Any) -> Any:
    """The summary with every text made printable in a Word file: text is stored exactly as
    typed, control characters included, and the memorandum shows those as spaces."""
    if isinstance(value, str):
        return _NOT_XML.sub(" ", value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{field.name: _xml_safe(getattr(value, field.name))
                                             for field in dataclasses.fields(value)
                                             if field.init})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_xml_safe(item) for item in value))
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(item) for item in value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    return value


# --- the sections, in the order they print -------------------------------------------------------


def _parties(document: DocumentType, partners: Sequence[PartnerLine]) -> None:
    document.add_heading("Parties", level=1)
    _plain(document, "This memorandum is between:")
    for partner in partners:
        people = "; ".join(partner.people)
        _bullet(document, f"{partner.name}" + (f", represented by {people}" if people else ""))


def _purpose(document: DocumentType, summary: Summary,
             open_by_section: dict[str, list[str]]) -> None:
    document.add_heading("Purpose and shared mission", level=1)
    _plain(document, "The partners work together to deliver integrated behavioral health and "
                     "primary care. Their shared mission:")
    _plain(document, summary.mission or "No joint mission has been adopted yet.")
    if summary.mission_override:
        _plain(document, f"Adopted without meeting the decision rule, because: "
                         f"{summary.mission_override}")
    _open_lines(document, open_by_section.get("Purpose and shared mission", []))


def _responsibilities(document: DocumentType, summary: Summary) -> None:
    document.add_heading("Responsibilities of each partner", level=1)
    for partner in summary.partners:
        document.add_heading(partner.name, level=2)
        shares = [(solution.topic, share) for solution in summary.solutions
                  if solution.outcome == "agreed"
                  for share in solution.shares if share.partner == partner.name]
        _listed(document, "It gives:", [f"{topic}: {share.gave}" for topic, share in shares
                                        if share.gave])
        _listed(document, "It gains:", [f"{topic}: {share.gained}" for topic, share in shares
                                        if share.gained])
        _listed(document, "Milestones it owns:",
                [_milestone(m) for m in summary.milestones if _owned_by(m.owner, partner)])
        _listed(document, "Measures it owns:",
                [m.name for m in summary.measures if _owned_by(m.owner, partner)])


def _measures(document: DocumentType, summary: Summary,
              open_by_section: dict[str, list[str]]) -> None:
    document.add_heading("Measures and reporting", level=1)
    if not summary.measures:
        _plain(document, "No measure has been agreed yet.")
    for measure in summary.measures:
        document.add_heading(measure.name, level=2)
        for label, value in (
                ("Definition", measure.definition), ("Data source", measure.data_source),
                ("Baseline", measure.baseline), ("Target", measure.target),
                ("Reported", measure.frequency), ("Owner", measure.owner),
                ("Pilot", measure.pilot),
                ("Re-evaluation", format_day(measure.reevaluation)
                 if measure.reevaluation else "")):
            if value:
                _labelled(document, label, value)
    _open_lines(document, open_by_section.get("Measures and reporting", []))


def _terms(document: DocumentType, heading: str, solutions: Sequence[SolutionLine],
           open_lines: Sequence[str]) -> None:
    document.add_heading(heading, level=1)
    agreed = [s for s in solutions if s.outcome == "agreed"]
    if not agreed:
        _plain(document, "Nothing has been agreed on this yet.")
    for solution in agreed:
        _labelled(document, solution.topic, solution.value or "agreed")
        if solution.note:
            _plain(document, solution.note)
        for rule in solution.rules_honoured:
            _bullet(document, f"Honours: {rule}")
    _open_lines(document, open_lines)


def _term_and_review(document: DocumentType, summary: Summary) -> None:
    document.add_heading("Term and review dates", level=1)
    _plain(document, "This memorandum takes effect when every partner has signed it. The "
                     "partners review it at each re-evaluation date below.")
    _listed(document, "Pilot:", [f"{m.name}: {m.pilot}" for m in summary.measures if m.pilot])
    _listed(document, "Key dates:", [_milestone(m) for m in _dated_milestones(summary)])
    reevaluations = sorted({m.reevaluation for m in summary.measures if m.reevaluation})
    _listed(document, "Measures re-evaluated on:", [
        f"{format_day(day)}: " + ", ".join(m.name for m in summary.measures
                                           if m.reevaluation == day)
        for day in reevaluations])
    _plain(document, f"The partners check in every {summary.checkin_every_weeks} weeks."
           if summary.checkin_every_weeks else "The check-in cadence is still to be set.")


def _signatures(document: DocumentType, partners: Sequence[PartnerLine]) -> None:
    document.add_heading("Signatures", level=1)
    for partner in partners:
        heading = document.add_paragraph()
        heading.add_run(f"For {partner.name}").bold = True
        for line in ("Signature", "Name", "Title", "Date"):
            _plain(document, f"{line}: {BLANK}")


# --- sorting what was agreed and what is open into sections --------------------------------------


def _terms_by_section(solutions: Iterable[SolutionLine]
                      ) -> list[tuple[str, list[SolutionLine]]]:
    sections: dict[str, list[SolutionLine]] = {heading: [] for heading, _ in TERM_SECTIONS}
    sections[OTHER_TERMS] = []
    by_category = {category: heading for heading, category in TERM_SECTIONS}
    for solution in solutions:
        sections[by_category.get(solution.category, OTHER_TERMS)].append(solution)
    return list(sections.items())


def _open_by_section(summary: Summary) -> dict[str, list[str]]:
    """Each open line under the section it belongs to: a topic under its kind's section when
    its kind is known, otherwise under the other terms."""
    by_category = {category: heading for heading, category in TERM_SECTIONS}
    topic_sections = {s.topic: by_category.get(s.category, OTHER_TERMS) for s in summary.solutions}
    lines: dict[str, list[str]] = {}
    for solution in summary.solutions:
        if solution.outcome != "agreed":
            lines.setdefault(topic_sections[solution.topic], []).append(
                _open_line(solution.topic, solution.outcome.replace("_", " "), solution.note))
    listed = {s.topic for s in summary.solutions if s.outcome != "agreed"}
    for item in summary.open_items:
        if item.item in listed:
            continue
        section = (STEP_SECTIONS.get(item.step) or by_category.get(item.category)
                   or topic_sections.get(item.item, OTHER_TERMS))
        lines.setdefault(section, []).append(_open_line(item.item, item.state, item.note))
    return lines


def _open_line(item: str, state: str, note: str) -> str:
    return f"Open: {item} ({state})" + (f" — {note}" if note else "")


def _owned_by(owner: str, partner: PartnerLine) -> bool:
    """Whether an owner ("partner name and/or person") names this partner or one of its people."""
    names = [partner.name, *(person.split(",")[0].strip() for person in partner.people)]
    return any(name and name in owner for name in names)


def _dated_milestones(summary: Summary) -> list[MilestoneLine]:
    kinds = {"pilot_start", "pilot_end", "reevaluation"}
    return sorted((m for m in summary.milestones if m.kind in kinds),
                  key=lambda m: (m.due_on, m.title))


def _milestone(milestone: MilestoneLine) -> str:
    slack = f", may slip {milestone.slack_days} days" if milestone.slack_days else ""
    return f"{milestone.title}, due {format_day(milestone.due_on)}{slack}"


# --- building blocks -----------------------------------------------------------------------------


def _page_style(document: DocumentType) -> None:
    document.styles["Normal"].font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    run = header.add_run(WATERMARK)
    run.bold = True
    run.font.color.rgb = RGBColor(0xA0, 0x00, 0x00)


def _plain(document: DocumentType, text: str) -> None:
    document.add_paragraph(text)


def _bullet(document: DocumentType, text: str) -> None:
    document.add_paragraph(text, style="List Bullet")


def _labelled(document: DocumentType, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)


def _listed(document: DocumentType, label: str, lines: Sequence[str]) -> None:
    if not lines:
        return
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    for line in lines:
        _bullet(document, line)


def _open_lines(document: DocumentType, lines: Sequence[str]) -> None:
    for line in lines:
        _plain(document, line)
