"""Evidence numbers keyed in one spelling: ``certificate_key``, ``contract_key`` and
``policy_key`` (unique) beside the numbers as typed.

A GB/T 29490 certificate (P2.3-a), a pledge loan (P2.7-a) or an insurance policy (P2.7-b)
typed ``ZY-1`` once and ``zy-1``, ``ＺＹ－１`` or ``ZY 1`` another time was two rows, two
objects and, for a loan's year, two payments. The new columns hold the number folded by
``ipcity.policy.evidence_numbers.evidence_key`` (the rule the code compares by from now
on); the number as first typed stays, shown and naming the object in its cases' keys, so
the keys of existing cases and payments do not change.

A database where folding makes two rows one (two loans ``ZY-1`` and ``zy-1``) cannot be
upgraded without an officer's decision: the upgrade stops, names them, and changes nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from ipcity.policy.evidence_numbers import evidence_key

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# table -> (the number as typed, its folded key)
_TABLES = {
    "ip_certificates": ("certificate_number", "certificate_key"),
    "pledge_loans": ("contract_number", "contract_key"),
    "patent_insurance_policies": ("policy_number", "policy_key"),
}


def upgrade() -> None:
    bind = op.get_bind()
    keys: dict[str, list[tuple[int, str]]] = {}
    problems: list[str] = []
    for table, (number, _key) in _TABLES.items():
        spellings: dict[str, list[str]] = defaultdict(list)
        keys[table] = []
        for row_id, value in bind.execute(sa.text(f"SELECT id, {number} FROM {table} ORDER BY id")):
            folded = evidence_key(value)
            keys[table].append((row_id, folded))
            spellings[folded].append(value)
        problems += [
            f"{table}.{number}: {folded} ← {', '.join(sorted(typed))}"
            for folded, typed in sorted(spellings.items())
            if len(typed) > 1
        ]
    if problems:
        raise RuntimeError(
            "以下编号统一写法（全角半角、大小写、空格和连字符）后重复，请先核对并删除多余的记录再升级 / "
            "these numbers are one once folded (width, case, spaces and dashes); remove the extra "
            "records first: " + "; ".join(problems[:20])
        )
    for table, (_number, key) in _TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(key, sa.String(length=64), nullable=True))
        for row_id, folded in keys[table]:
            bind.execute(
                sa.text(f"UPDATE {table} SET {key} = :k WHERE id = :id"), {"k": folded, "id": row_id}
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(key, existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{key}"), [key])


def downgrade() -> None:
    for table, (_number, key) in reversed(_TABLES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_{key}"), type_="unique")
            batch_op.drop_column(key)
