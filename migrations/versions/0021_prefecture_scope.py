"""prefecture scope: HR, inspector and admin accounts may span one prefecture (every county whose
``county.prefecture`` is that name) instead of one county; a county role still needs a scope

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

OLD_SCOPE = "role NOT IN ('hr', 'inspector') OR county_id IS NOT NULL"
NEW_SCOPE = "role NOT IN ('hr', 'inspector') OR county_id IS NOT NULL OR prefecture IS NOT NULL"
ALONE = ("prefecture IS NULL OR (county_id IS NULL AND prefecture <> '' "
         "AND role IN ('hr', 'inspector', 'admin'))")


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prefecture', sa.String(length=64), nullable=True))
        batch_op.drop_constraint('county_role_has_county', type_='check')
        batch_op.create_check_constraint('county_role_has_scope', NEW_SCOPE)
        batch_op.create_check_constraint('prefecture_scope_alone', ALONE)


def downgrade():
    # Without the column a prefecture account would lose its scope (a county-less admin would even reach
    # every county): each is narrowed to the first county of its prefecture and deactivated for an
    # operator to review. Nothing is widened; one whose prefecture has no county left fails the old
    # constraint (a clear failure rather than a guess).
    op.execute("UPDATE user_account SET active = false, prefecture = NULL, county_id = (SELECT MIN(county.id) "
               "FROM county WHERE county.prefecture = user_account.prefecture) WHERE prefecture IS NOT NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('prefecture_scope_alone', type_='check')
        batch_op.drop_constraint('county_role_has_scope', type_='check')
        batch_op.create_check_constraint('county_role_has_county', OLD_SCOPE)
        batch_op.drop_column('prefecture')
