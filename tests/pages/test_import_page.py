"""Importing a workshop from its JSON backup on the Set-up page."""

from __future__ import annotations

from sqlmodel import func, select

from models.db import reading
from models.export_json import export_workshop
from models.schema import Partner, Workshop
from tests.pages.conftest import as_role, demo_workshop_id, new_app


def test_a_backup_imports_as_a_new_workshop_and_a_bad_file_changes_nothing(app_db):
    demo_id = demo_workshop_id(app_db)
    with reading(app_db) as session:
        backup = export_workshop(session, demo_id)
    at = new_app()
    as_role(app_db, "facilitator", demo_id)(at)
    at.run()
    next(b for b in at.button if b.label == "New workshop").click().run()

    truncated = ("broken.json", b'{"format": "x"', "application/json")
    at.file_uploader(key="import_file").set_value(truncated)
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert "JSON" in message or "file" in message.lower()
    with reading(app_db) as session:
        assert session.exec(select(func.count()).select_from(Workshop)).one() == 1

    at.file_uploader(key="import_file").set_value(("backup.json", backup, "application/json"))
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert at.success[0].value == "Workshop imported from the backup."
    with reading(app_db) as session:
        workshops = session.exec(select(Workshop).order_by(Workshop.id)).all()
        partners = session.exec(select(func.count()).select_from(Partner)
                                .where(Partner.workshop_id == workshops[-1].id)).one()
    assert len(workshops) == 2 and workshops[-1].name == workshops[0].name
    assert partners == 3
    assert at.session_state["workshop_id"] == workshops[-1].id
