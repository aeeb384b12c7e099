"""Alembic runs here with the app's own engine (passed in by models.db.upgrade)."""

from alembic import context
from sqlmodel import SQLModel

import models.schema  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import database_url, make_engine

config = context.config
engine = config.attributes.get("engine") or make_engine(database_url())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
