"""The facilitator's summary page and the leadership review: the summary, sign-off through the
review link, approvals that lapse, and a review link that reaches nothing else."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import prework
from models.db import writing
from models.schema import Agreement, LinkPurpose, Partner, SignOff, Topic
from tests.pages.conftest import as_role, demo_workshop_id, empty_workshop_id, new_app, texts

CMHC = "Riverbend Community Mental Health Center"


def review_app(engine, workshop_id: int):
    with writing(engine) as session:
        token = prework.issue_link(session, workshop_id=workshop_id, actor="test",
                                   purpose=LinkPurpose.REVIEW)
    at = new_app()
    at.query_params["link"] = token
    return at.run()


def facilitator_summary(engine, workshop_id: int):
    at = new_app()
    as_role(engine, "facilitator", workshop_id)(at)
    at.run()
    return at.switch_page("pages/summary.py").run()


def fill_sign_off(at, engine, workshop_id: int, *, decision: str = "approved",
                  comment: str = ""):
    with writing(engine) as session:
        partner_id = session.exec(select(Partner.id).where(Partner.workshop_id == workshop_id)
                                  .order_by(Partner.position)).first()
    at.selectbox(key="review_partner").set_value(partner_id)
    at.text_input(key="review_name").input("Grace Mbeki")
    at.text_input(key="review_title").input("Chief Executive Officer")
    at.radio(key="review_decision").set_value(decision)
    at.text_area(key="review_comment").input(comment)
    return at.button(key="review_sign").click().run()


def change_handoff_minutes(engine, workshop_id: int, minutes: float) -> None:
    with writing(engine) as session:
        agreement = session.exec(select(Agreement).join(Topic).where(
            Topic.workshop_id == workshop_id,
            Topic.library_key == "warm-handoff-response-time")).one()
        agreement.value_number = minutes
        session.add(agreement)


def test_facilitator_summary_on_the_demo(app_db):
    at = facilitator_summary(app_db, demo_workshop_id(app_db))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Agreed summary: Riverbend Integrated Care Partnership"
    shown = texts(at)
    assert "Version " in at.caption[0].value
    for words in ("Together we make it easy for north side families", "28 % on 30 Sep 2026",
                  "How the two teams share the record", "Consent for substance use disorder "
                  "records \\(42 CFR § 2\\.31\\)", "How we settle disagreements",
                  "No leader has signed yet", "Downloads"):
        assert words in shown, words
    keys = {chart.proto.id for chart in at.get("plotly_chart")}
    assert len(at.get("plotly_chart")) == 2 and len(keys) == 2


def test_facilitator_summary_on_an_empty_workshop(app_db):
    at = facilitator_summary(app_db, empty_workshop_id(app_db))
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "No mission statement has been adopted yet." in shown
    assert "No topic has been agreed yet." in shown


def test_a_leader_approves_and_the_facilitator_sees_it(app_db):
    workshop_id = demo_workshop_id(app_db)
    at = review_app(app_db, workshop_id)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Review: Riverbend Integrated Care Partnership"
    assert "Together we make it easy" in texts(at)
    version = at.session_state[f"review_version_{workshop_id}"]
    at = fill_sign_off(at, app_db, workshop_id)
    assert not at.exception, [e.value for e in at.exception]
    [recorded] = [s.value for s in at.success]
    assert recorded.startswith("Recorded: approved by Grace Mbeki, Chief Executive Officer, on ")
    assert recorded.endswith(f", for version {version}.")

    facilitator = facilitator_summary(app_db, workshop_id)
    shown = texts(facilitator)
    assert "Grace Mbeki, Chief Executive Officer" in shown
    assert "| approved |" in shown
    assert "lapsed" not in shown


def test_asking_for_changes_without_a_comment_keeps_the_input(app_db):
    workshop_id = demo_workshop_id(app_db)
    at = fill_sign_off(review_app(app_db, workshop_id), app_db, workshop_id,
                       decision="changes_requested")
    assert not at.exception
    assert [e.value for e in at.error] == ["Please say what should change."]
    assert at.text_input(key="review_name").value == "Grace Mbeki"
    with writing(app_db) as session:
        assert session.exec(select(SignOff)).all() == []


def test_a_change_while_reading_is_refused_then_lapses_earlier_approvals(app_db):
    workshop_id = demo_workshop_id(app_db)
    at = fill_sign_off(review_app(app_db, workshop_id), app_db, workshop_id)
    assert at.success
    change_handoff_minutes(app_db, workshop_id, 20)

    at = fill_sign_off(at, app_db, workshop_id)  # opened before the change
    assert not at.exception
    assert ("The summary changed while you were reading it: please read the new version "
            "before signing.") in [e.value for e in at.error]
    shown = texts(at)
    assert "they applied to an earlier version" in shown
    assert "20 minutes" in shown

    facilitator = facilitator_summary(app_db, workshop_id)
    shown = texts(facilitator)
    assert "lapsed: approved an earlier version" in shown
    assert any("approvals: they applied to an earlier version" in w.value
               for w in facilitator.warning)

    at.button(key="review_reread").click().run()
    at = fill_sign_off(at, app_db, workshop_id)
    assert at.success and not at.error
    with writing(app_db) as session:
        assert len(session.exec(select(SignOff)).all()) == 2


def test_the_review_link_reaches_no_other_page(app_db):
    at = review_app(app_db, demo_workshop_id(app_db))
    for path in ("pages/setup.py", "pages/prework.py", "pages/summary.py",
                 "pages/convergence.py", "pages/sign_in.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)


@pytest.mark.parametrize("kind", ["facilitator", "partner", "nobody"])
def test_review_page_run_alone_refuses_other_roles(app_db, kind):
    at = new_app("pages/review.py")
    as_role(app_db, kind, demo_workshop_id(app_db))(at)
    at.run()
    assert not at.exception
    assert at.title[0].value == "This page is not available"
    assert "Together we make it easy" not in texts(at)


def test_user_text_prints_literally(app_db):
    workshop_id = demo_workshop_id(app_db)
    with writing(app_db) as session:
        partner = session.exec(select(Partner).where(Partner.workshop_id == workshop_id)
                               .order_by(Partner.position)).first()
        partner.name = "<script>alert(1)</script> **bold**"
        session.add(partner)
    at = facilitator_summary(app_db, workshop_id)
    assert not at.exception
    html = "".join(h.value for h in at.get("html"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\\*\\*bold\\*\\*" in texts(at)
