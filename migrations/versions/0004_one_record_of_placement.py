"""one record of where a teacher works: 交流中 only while working away from the personnel school

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:52:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # A status of 交流中 with no posting elsewhere contradicted the history; the history wins.
    op.execute(sa.text("UPDATE teacher SET status = 'active' "
                       "WHERE status = 'on_exchange' AND working_school_id = personnel_school_id"))
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_teacher_on_exchange_works_elsewhere'), "status <> 'on_exchange' OR working_school_id <> personnel_school_id")
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_open_exchange', ['teacher_id', 'kind', 'end_date'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_open_exchange')
    with op.batch_alter_table('teacher', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_teacher_on_exchange_works_elsewhere'), type_='check')
