"""the English label of a policy case's object (policy_cases.object_label_en).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_label_en", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.drop_column("object_label_en")
