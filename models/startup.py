"""What happens once per process when the app starts: migrate, load the demo once, and take the
first facilitator password from the environment when one is given."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from models.auth import ensure_facilitator_from_secret
from models.db import upgrade, writing
from models.demo import load_demo_once


def prepare(engine: Engine, *, facilitator_password: str | None) -> None:
    upgrade(engine)
    try:
        with writing(engine) as session:
            load_demo_once(session)
    except IntegrityError:
        pass  # another process loaded it in the same instant; once is enough
    with writing(engine) as session:
        ensure_facilitator_from_secret(session, facilitator_password)
