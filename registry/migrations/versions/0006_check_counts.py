"""check counts: how often each community entry was checked, without anything about who

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per registry value (kind, value): a running total and the day of the latest
    # check. No column can hold who asked, what they typed or the time of day: the moderators'
    # list needs none of it, and what is never stored cannot leak.
    op.create_table('check_count',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=512), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('last_checked', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'value', name=op.f('pk_check_count'))
    )


def downgrade() -> None:
    # The counts are usage statistics, not registry data: dropping them loses nothing reviewed.
    op.drop_table('check_count')
