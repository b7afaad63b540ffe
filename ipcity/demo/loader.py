"""Writes the generated sample data set into a database through the registry's own writers
(the same path a real import takes), every record flagged ``is_sample`` (shown as 示例)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ipcity import audit
from ipcity.demo.ipc_titles import SAMPLE_IPC_TITLES
from ipcity.demo.ipc_titles_en import SAMPLE_IPC_TITLES_EN
from ipcity.demo.sample_data import generate_sample, sample_summary
from ipcity.places.models import Zone
from ipcity.places.service import address_locator
from ipcity.registry.models import IpcTitle, Patent
from ipcity.registry.store import HolderSeed, ensure_holders, lock_for_import, plan_patents, write_patents
from ipcity.registry.store_assets import plan_assets, plan_holders, write_assets, write_holders


def load_sample(session: Session, patents: int = 5000, seed: int = 2017) -> dict[str, int]:
    """Generate the Hebi sample data set and write it; returns its counts per kind."""
    data = generate_sample(seed=seed, patents=patents)
    lock_for_import(session)
    locate = address_locator(session)
    zone_ids = {z.code: z.id for z in session.scalars(select(Zone))}
    write_holders(session, plan_holders(session, data.holders, zone_ids), zone_ids, locate, is_sample=True)
    now = datetime.now(UTC)
    holder_ids, _ = ensure_holders(
        session,
        [HolderSeed(name) for record in data.patents for name in record.applicants],
        now,
        locate,
        is_sample=True,
    )
    plan = plan_patents(session, data.patents, replace_samples=False)
    write_patents(session, plan, holder_ids, None, now, is_sample=True)
    if data.annuities_paid:
        patents_table = Patent.__table__
        session.connection().execute(
            update(patents_table)  # type: ignore[arg-type]
            .where(patents_table.c.application_number == bindparam("number"))
            .values(annuities_paid_yuan=bindparam("yuan")),
            [{"number": n, "yuan": y} for n, y in data.annuities_paid.items()],
        )
    for kind, records in (
        ("trademarks", data.trademarks),
        ("copyrights", data.copyrights),
        ("plant-varieties", data.plant_varieties),
        ("gis", data.geographical_indications),
    ):
        write_assets(session, plan_assets(session, kind, records), locate, is_sample=True)
    known = set(session.scalars(select(IpcTitle.code)))
    session.add_all(
        IpcTitle(code=code, title_zh=title, title_en=SAMPLE_IPC_TITLES_EN.get(code))
        for code, title in SAMPLE_IPC_TITLES.items()
        if code not in known
    )
    summary = sample_summary(data)
    audit.record(session, "system", "demo.load", "sample_data", None, {"seed": seed, "counts": summary})
    return summary
