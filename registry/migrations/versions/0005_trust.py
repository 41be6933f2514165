"""trust tiers: each platform and channel is verified (moderator-reviewed) or community

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everything registered so far was reviewed by moderators: the server default makes every
    # existing row 'verified'. Adding a column with a constant default is done in place on
    # SQLite too (no table copy), so the registry version and the change stamps are untouched.
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trust', sa.String(length=16), server_default='verified', nullable=False))

    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trust', sa.String(length=16), server_default='verified', nullable=False))


def downgrade() -> None:
    # Community entries would silently become verified ones on the older schema, which has no
    # way to tell them apart: refuse rather than promote data nobody reviewed.
    for table in ('platform', 'channel'):
        community = op.get_bind().execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE trust <> 'verified'")  # noqa: S608 -- fixed names
        ).scalar()
        if community:
            raise RuntimeError(
                f"{community} {table} row(s) are community entries, which revision 0004 cannot "
                "tell from verified ones: remove or promote them before downgrading"
            )
    for table in ('channel', 'platform'):
        _drop_column(table, 'trust')


def _drop_column(table: str, column: str) -> None:
    # As in 0004: batch mode would copy the platform table and drop the original, and dropping it
    # cascades to every channel (foreign keys are on). SQLite 3.35+ drops a column in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
