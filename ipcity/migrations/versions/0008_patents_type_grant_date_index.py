"""patents: one index on (patent_type, grant_date) in place of the one on patent_type.

"The inventions granted in a year" (P2.1-a, P2.1-c) becomes one range of the index instead
of a walk over every grant of the year to read each one's type; the old index is a prefix
of the new one, so no query loses its index and an import keeps as many to write.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 12:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_patents_type_grant_date", "patents", ["patent_type", "grant_date"], unique=False)
    op.drop_index("ix_patents_patent_type", table_name="patents")


def downgrade() -> None:
    op.create_index("ix_patents_patent_type", "patents", ["patent_type"], unique=False)
    op.drop_index("ix_patents_type_grant_date", table_name="patents")
