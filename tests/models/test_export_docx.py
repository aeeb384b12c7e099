"""The draft memorandum, read back with python-docx."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

from docx import Document
from sqlmodel import Session, select

from models.export_docx import SECTION_HEADINGS, TITLE, WATERMARK, memorandum_docx
from models.schema import Workshop
from models.summary import SolutionLine, Summary, build_summary
from tests.models.test_export_pdf import CLINIC, HOSTILE, hand_made_summary


def with_parked_governance_topic(summary: Summary) -> Summary:
    parked = SolutionLine(topic="Who chairs the steering group", category="governance",
                          outcome="parked", value="", note="Both boards must meet first",
                          rules_honoured=(), shares=())
    return replace(summary, solutions=(*summary.solutions, parked))


def read(summary: Summary):
    return Document(BytesIO(memorandum_docx(summary)))


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def section_texts(document) -> dict[str, list[str]]:
    """The paragraphs under each top-level heading, by heading."""
    sections: dict[str, list[str]] = {}
    current = ""
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            current = paragraph.text
            sections[current] = []
        elif current:
            sections[current].append(paragraph.text)
    return sections


def test_memorandum_has_its_title_header_and_every_section_in_order():
    document = read(hand_made_summary())
    assert document.paragraphs[0].text == TITLE
    assert document.sections[0].header.paragraphs[0].text == WATERMARK
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(SECTION_HEADINGS)
    assert SECTION_HEADINGS == (
        "Parties", "Purpose and shared mission", "Responsibilities of each partner",
        "Measures and reporting", "Record sharing and consent", "Billing",
        "Staffing and supervision", "Space and scheduling", "Governance and dispute handling",
        "Other agreed terms", "Term and review dates", "Signatures")


def test_parties_keep_their_names_exactly_as_typed():
    parties = section_texts(read(hand_made_summary()))["Parties"]
    assert any(line.startswith(CLINIC) and "Zoë Łódź" in line for line in parties)
    assert any(line.startswith("Müller & Søn Behavioral Health") for line in parties)
    assert any(line.startswith(HOSTILE) for line in parties)


def test_markup_in_user_text_prints_literally():
    text = "\n".join(paragraphs(read(hand_made_summary())))
    assert HOSTILE in text
    assert "**bold** stays as typed" in text
    assert "**bold** person, Treasurer" in text


def test_control_characters_stored_as_typed_print_as_spaces_and_the_file_opens():
    """Forms and the JSON import keep text exactly as typed, control characters included; XML
    cannot hold them, so the memorandum prints each as a space rather than failing."""
    summary = hand_made_summary()
    odd = "Bell\x07 tab\t form\x0c escape\x1b end\ufffe"
    summary = replace(summary, name=odd, solutions=tuple(
        replace(line, note=odd) for line in summary.solutions))
    text = "\n".join(paragraphs(read(summary)))
    assert "Bell  tab\t form  escape  end " in text
    assert not any(char in text for char in "\x07\x0c\x1b\ufffe")


def test_each_agreed_solution_sits_under_its_kind_of_topic_with_the_rules_it_honours():
    sections = section_texts(read(hand_made_summary()))
    consent = sections["Record sharing and consent"]
    assert "Consent to share substance use records: Single written consent, renewed yearly" \
        in consent
    assert any("42 CFR § 2.31" in line and line.startswith("Honours:") for line in consent)
    assert "Who bills for the visit: Split by payer" in sections["Billing"]
    assert "Warm hand-off hours: 9:00 to 17:00" in sections["Other agreed terms"]
    assert sections["Staffing and supervision"] == ["Nothing has been agreed on this yet."]


def test_parked_items_are_listed_as_open_under_their_section():
    sections = section_texts(read(with_parked_governance_topic(hand_made_summary())))
    assert sections["Governance and dispute handling"] == [
        "Nothing has been agreed on this yet.",
        "Open: Who chairs the steering group (parked) — Both boards must meet first"]
    assert "Open: Shared waiting room (parked) — Landlord must agree first" \
        in sections["Other agreed terms"]
    assert "Open: Joint board seat (escalated) — Goes to both boards" \
        in sections["Other agreed terms"]


def test_responsibilities_come_from_shares_milestones_and_measures():
    document = read(hand_made_summary())
    text = section_texts(document)["Responsibilities of each partner"]
    subheadings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert subheadings[:3] == [CLINIC, "Müller & Søn Behavioral Health", HOSTILE]
    assert "Consent to share substance use records: Accepted a yearly renewal" in text
    assert "Consent to share substance use records: One form across both sites" in text
    # "Jonas Søn" is one of Müller & Søn's people, so the milestone he owns is theirs.
    assert "Baseline collected, due 22 Jan 2027, may slip 7 days" in text
    assert "PHQ-9 response" in text  # owned by Zoë Łódź of the clinic


def test_term_and_review_dates_name_the_pilot_reevaluations_and_cadence():
    text = section_texts(read(hand_made_summary()))["Term and review dates"]
    assert "PHQ-9 response: Two clinics, 1 Feb 2027 to 31 Jul 2027" in text
    assert "15 Aug 2027: PHQ-9 response" in text
    assert "Pilot starts, due 1 Feb 2027, may slip 14 days" in text
    assert "The partners check in every 4 weeks." in text


def test_a_signature_block_for_every_partner():
    summary = hand_made_summary()
    lines = section_texts(read(summary))["Signatures"]
    for partner in summary.partners:
        at = lines.index(f"For {partner.name}")
        block = lines[at + 1:at + 5]
        assert [line.split(":")[0] for line in block] == ["Signature", "Name", "Title", "Date"]


def test_demo_memorandum_opens_and_names_every_partner(demo_engine):
    with Session(demo_engine) as session:
        summary = build_summary(session, session.exec(select(Workshop.id)).first())
    document = Document(BytesIO(memorandum_docx(summary)))
    lines = section_texts(document)
    for partner in summary.partners:
        assert f"For {partner.name}" in lines["Signatures"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == \
        list(SECTION_HEADINGS)
    assert any(line.startswith("Open:") for section in lines.values() for line in section)


def test_the_demo_parked_dispute_topic_sits_under_governance(demo_engine):
    from sqlmodel import select as select_rows

    from models.db import reading
    from models.schema import Workshop
    from models.summary import build_summary

    with reading(demo_engine) as session:
        workshop_id = session.exec(select_rows(Workshop.id).where(Workshop.is_demo)).one()
        summary = build_summary(session, workshop_id)
    paragraphs = [p.text for p in Document(BytesIO(memorandum_docx(summary))).paragraphs]
    governance = paragraphs.index("Governance and dispute handling")
    following = paragraphs[governance + 1:]
    end = next(i for i, text in enumerate(following) if text == "Other agreed terms")
    assert any(text.startswith("Open: How we settle disagreements (parked)")
               for text in following[:end])
