"""The receiving account (收款账户) of a holder, and the account a payment went to.

``holders``: account name (户名), bank (开户银行) and account number (银行账号, digits
only), all three or none, set by the enterprise bound to the holder or an officer in scope
(registry/payee.py checks them). ``policy_payments``: the same three copied from the holder
when the case is paid, so that a later change of the holder's account does not rewrite
where earlier money went; null where the holder had no account on record.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("holders", "policy_payments")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("payee_name", sa.String(length=300), nullable=True))
            batch_op.add_column(sa.Column("payee_bank", sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column("payee_account", sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("payee_account")
            batch_op.drop_column("payee_bank")
            batch_op.drop_column("payee_name")
