"""reviewed domains: sites a moderator found are not impersonations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New table only: existing rows are untouched, so an upgrade keeps the registry version.
    op.create_table('reviewed_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=512), nullable=False),
    sa.Column('resembles', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewed_domain')),
    sa.UniqueConstraint('value', name=op.f('uq_reviewed_domain_value'))
    )


def downgrade() -> None:
    op.drop_table('reviewed_domain')
