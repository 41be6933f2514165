"""change tracking: the version that last changed each entry, and tombstones for removals

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /api/v1/snapshot?since=N sends what changed after version N: each platform, block entry
    # and reviewed domain carries the version that last changed it, and removals leave a
    # tombstone. Nothing was recorded before this migration, so existing rows are stamped with
    # the current version and changes are tracked from it on (registry_meta.changes_since).
    op.create_table('registry_tombstone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=2100), nullable=False),
    sa.Column('deleted_in', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_tombstone')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_registry_tombstone_kind'))
    )
    with op.batch_alter_table('registry_tombstone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_tombstone_deleted_in'), ['deleted_in'], unique=False)

    with op.batch_alter_table('block_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_in', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_in', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('registry_meta', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes_since', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('reviewed_domain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_in', sa.Integer(), server_default='0', nullable=False))

    current = "(SELECT coalesce(max(version), 0) FROM registry_meta)"
    for table in ('platform', 'block_entry', 'reviewed_domain'):
        op.execute(f"UPDATE {table} SET changed_in = {current}")
    op.execute("UPDATE registry_meta SET changes_since = version")


def downgrade() -> None:
    for table in ('reviewed_domain', 'platform', 'block_entry'):
        _drop_column(table, 'changed_in')
    _drop_column('registry_meta', 'changes_since')

    with op.batch_alter_table('registry_tombstone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_tombstone_deleted_in'))

    op.drop_table('registry_tombstone')


def _drop_column(table: str, column: str) -> None:
    # Batch mode copies a table on SQLite and drops the original, and dropping the platform
    # table cascades to every channel (foreign keys are on). SQLite 3.35+ drops a column in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
