"""check-ins after the workshop

A check-in on a date, the measure readings, milestone reports and capacity actually given that
were reported at it, and the recalibrations it decided. A log entry may now name the check-in it
was talked through at (``logentry.checkin_id``, empty for the existing entries).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOG_CHECKIN_KEY = 'fk_logentry_checkin_id_checkin'


def upgrade() -> None:
    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workshop_id', 'held_on', name='uq_checkin_date')
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('capacityactual',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('hours >= 0', name='actual_hours_positive'),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('partner_id', 'month', name='uq_actual_month')
    )
    with op.batch_alter_table('capacityactual', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacityactual_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacityactual_partner_id'), ['partner_id'], unique=False)

    op.create_table('recalibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('target', 'date', 'capacity', 'topic', name='recalibrationkind', native_enum=False, length=40), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('after', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recalibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recalibration_checkin_id'), ['checkin_id'], unique=False)

    op.create_table('measurereading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('checkin_id', 'measure_id', name='uq_measure_reading')
    )
    with op.batch_alter_table('measurereading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurereading_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measurereading_measure_id'), ['measure_id'], unique=False)

    op.create_table('milestonereport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('done', 'on_track', 'slipped', 'at_risk', name='milestonestate', native_enum=False, length=40), nullable=False),
    sa.Column('slip_days', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('slip_days >= 0', name='slip_positive'),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('checkin_id', 'milestone_id', name='uq_milestone_report')
    )
    with op.batch_alter_table('milestonereport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestonereport_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestonereport_milestone_id'), ['milestone_id'], unique=False)

    with op.batch_alter_table('logentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_logentry_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_foreign_key(LOG_CHECKIN_KEY, 'checkin', ['checkin_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('logentry', schema=None) as batch_op:
        batch_op.drop_constraint(LOG_CHECKIN_KEY, type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_logentry_checkin_id'))
        batch_op.drop_column('checkin_id')

    for table, indexed in (('milestonereport', ('milestone_id', 'checkin_id')),
                           ('measurereading', ('measure_id', 'checkin_id')),
                           ('recalibration', ('checkin_id',)),
                           ('capacityactual', ('partner_id', 'checkin_id')),
                           ('checkin', ('workshop_id',))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexed:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
