"""policy budgets per year and item (policy_budgets), the budget queue's fields on a case
(confirmed_at, budget_note) and the files enterprises upload with an application
(policy_evidence_files).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("amount_yuan", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_budgets")),
        sa.UniqueConstraint("year", "rule", name=op.f("uq_policy_budgets_year_rule")),
    )
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("budget_note", sa.Text(), nullable=True))
    op.create_table(
        "policy_evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["policy_cases.id"],
            name=op.f("fk_policy_evidence_files_case_id_policy_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_evidence_files")),
    )
    with op.batch_alter_table("policy_evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_evidence_files_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy_evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_evidence_files_case_id"))
    op.drop_table("policy_evidence_files")
    with op.batch_alter_table("policy_cases", schema=None) as batch_op:
        batch_op.drop_column("budget_note")
        batch_op.drop_column("confirmed_at")
    op.drop_table("policy_budgets")
