"""One live case per payment key: a partial unique index on ``policy_cases(payment_key)``
over the cases that are not rejected.

The service already refuses a second open case of a key (an application, a reopening, a
proposal); the index makes the database decide when two requests pass that check at the
same moment. A database that already holds two live cases of one key cannot take the
index: the upgrade stops and names the keys, so that an officer rejects the extra case
first (nothing is changed by the migration).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_LIVE = "status <> 'rejected'"


def upgrade() -> None:
    twins = [
        row[0]
        for row in op.get_bind().execute(
            sa.text(
                f"SELECT payment_key FROM policy_cases WHERE {_LIVE} "
                "GROUP BY payment_key HAVING COUNT(*) > 1 ORDER BY payment_key"
            )
        )
    ]
    if twins:
        raise RuntimeError(
            "以下项目各有两个以上进行中的案件，请先驳回多余的案件再升级 / "
            "these payment keys have more than one live case; reject the extra cases first: "
            + ", ".join(twins[:20])
        )
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.create_index(
            "uq_policy_cases_live_payment_key",
            ["payment_key"],
            unique=True,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.drop_index("uq_policy_cases_live_payment_key")
