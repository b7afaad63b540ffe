"""The names a holder was known by before its present one (曾用名, ``holder_names``).

A holder renamed through the holders template (matched by its credit code) keeps its old
normalized name here, so that a patent file naming the old name finds the same holder
instead of creating a second one. A normalized name is unique across the table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holder_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("normalized_name", sa.String(length=300), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_holder_names_holder_id_holders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_names")),
        sa.UniqueConstraint("normalized_name", name=op.f("uq_holder_names_normalized_name")),
    )
    with op.batch_alter_table("holder_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holder_names_holder_id"), ["holder_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("holder_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holder_names_holder_id"))
    op.drop_table("holder_names")
