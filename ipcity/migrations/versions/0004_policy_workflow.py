"""policy workflow: cases from entitlement to payment (policy_cases), their timeline
(policy_case_steps) and payments with UNIQUE(payment_key), so that the database itself
refuses a second approval of the same key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_key", sa.String(length=200), nullable=False),
        sa.Column("entitlement_id", sa.String(length=240), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("clause", sa.String(length=32), nullable=False),
        sa.Column("object_label", sa.String(length=500), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("amount_yuan", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("notice_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_policy_cases_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_cases")),
    )
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_cases_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_cases_payment_key"), ["payment_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_cases_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_cases_year"), ["year"], unique=False)

    op.create_table(
        "policy_case_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["policy_cases.id"],
            name=op.f("fk_policy_case_steps_case_id_policy_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_case_steps")),
    )
    with op.batch_alter_table("policy_case_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_case_steps_case_id"), ["case_id"], unique=False)

    op.create_table(
        "policy_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_yuan", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["policy_cases.id"], name=op.f("fk_policy_payments_case_id_policy_cases")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_policy_payments_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_payments")),
        sa.UniqueConstraint("case_id", name=op.f("uq_policy_payments_case_id")),
        sa.UniqueConstraint("payment_key", name=op.f("uq_policy_payments_payment_key")),
    )
    with op.batch_alter_table("policy_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_payments_holder_id"), ["holder_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_payments_holder_id"))
    op.drop_table("policy_payments")
    with op.batch_alter_table("policy_case_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_case_steps_case_id"))
    op.drop_table("policy_case_steps")
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        for name in ("year", "status", "region_code", "payment_key", "holder_id"):
            batch_op.drop_index(batch_op.f(f"ix_policy_cases_{name}"))
    op.drop_table("policy_cases")
