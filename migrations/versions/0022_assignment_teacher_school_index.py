"""assignment (teacher_id, school_id, start_date): the years-at-school sort's lookups

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 17:40:00

Sorting the teacher list by years at school asks, per teacher, for the first and last rows at (or away
from) the working school. With indexes on teacher_id and on school_id separately, PostgreSQL picked the
school index and filtered ~70 rows per teacher; this index answers each lookup directly.
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_teacher_school', ['teacher_id', 'school_id', 'start_date'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_teacher_school')
