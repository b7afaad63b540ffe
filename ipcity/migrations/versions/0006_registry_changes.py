"""the registry's change log (registry_changes): one row per transaction that writes to the
patents, their holders and status events, the holders or the zones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:30:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    # The state of the registry as it is now: a first row, so that the indicators' column
    # copy can be kept from the first page on (an empty log vouches for nothing).
    op.execute(f"INSERT INTO registry_changes (token) VALUES ('{uuid.uuid4().hex}')")


def downgrade() -> None:
    op.drop_table("registry_changes")
