"""a change stamp per table

The one change stamp of 0004 becomes one per table: a write replaces the stamps of the tables
it wrote to, so a view kept from earlier reads is built again only when a table it read has
changed (models/kept.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    names = sorted(set(sa.inspect(op.get_bind()).get_table_names())
                   - {'alembic_version', 'changestamp'})
    table = op.create_table('tablestamp',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.bulk_insert(table, [{'name': name, 'value': secrets.randbits(62)} for name in names])
    op.drop_table('changestamp')


def downgrade() -> None:
    table = op.create_table('changestamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{'id': 1, 'value': secrets.randbits(62)}])
    op.drop_table('tablestamp')
