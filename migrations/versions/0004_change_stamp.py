"""a change stamp, replaced by every write

One row holding a random number that every write transaction replaces, so a rerun can tell with
one lookup whether the views it kept from before are still right (models/kept.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table('changestamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{'id': 1, 'value': secrets.randbits(62)}])


def downgrade() -> None:
    op.drop_table('changestamp')
