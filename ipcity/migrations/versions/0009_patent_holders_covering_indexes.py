"""patent_holders: an index each way that holds the other id, (patent_id, position,
holder_id) and (holder_id, patent_id), the second in place of the one on holder_id alone.

The policy's year walks the links by the ten thousand both ways (the year's grants to their
holders, the P2.1-e ranking's counts; each grantee to an earlier invention grant for
P2.1-b), and so does a holder's portfolio. With the other id in the index, each step is a
read of the index alone instead of a second look-up of the link's table row: over a
million patents the policy's registry reads take about a third less time. The import
writes one index more (rebuilt after a big load, see registry/store.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_patent_holders_patent_position_holder", "patent_holders", ["patent_id", "position", "holder_id"]
    )
    op.create_index("ix_patent_holders_holder_patent", "patent_holders", ["holder_id", "patent_id"])
    op.drop_index("ix_patent_holders_holder_id", table_name="patent_holders")


def downgrade() -> None:
    op.create_index("ix_patent_holders_holder_id", "patent_holders", ["holder_id"])
    op.drop_index("ix_patent_holders_holder_patent", table_name="patent_holders")
    op.drop_index("ix_patent_holders_patent_position_holder", table_name="patent_holders")
