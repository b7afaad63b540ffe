"""The region of an asset (registry.service.asset_region): its holder's; a geographical
indication without a holder is in its own place. The register's region filter, the region
page and the home page's total agree."""

from __future__ import annotations

from datetime import UTC, date, datetime

from policy_exports_world import make_holder
from sqlalchemy.orm import Session

from ipcity.auth.roles import PUBLIC
from ipcity.registry import service
from ipcity.registry.assets import list_assets
from ipcity.registry.models import GeographicalIndication

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _gi(number: str, region: str | None, holder_id: int | None) -> GeographicalIndication:
    return GeographicalIndication(
        name=f"示例{number}",
        kind="gi_certification_mark",
        region_code=region,
        holder_id=holder_id,
        registration_number=number,
        registration_date=date(2016, 1, 1),
        content_hash="x" * 32,
    )


def test_a_gi_without_a_holder_is_in_its_own_place_everywhere(session: Session) -> None:
    association = make_holder(session, "浚县示例协会", "410621")
    association.kind = "other"
    session.flush()
    session.add_all(
        [
            _gi("GI-A", "410611", None),  # no holder: 淇滨区, its own place
            _gi("GI-B", "410611", association.id),  # the holder's county: 浚县
            _gi("GI-C", None, None),  # nowhere known
        ]
    )
    session.commit()

    def listed(region: str) -> set[str]:
        return {row.number for row in list_assets(session, PUBLIC, "gis", region=region).items}

    assert listed("410611") == {"GI-A"}
    assert listed("410621") == {"GI-B"}
    assert listed("410600") == {"GI-A", "GI-B"}
    counts = {
        code: service.get_region(session, PUBLIC, code).counts["geographical_indications"]
        for code in ("410611", "410621", "410600")
    }
    assert counts == {"410611": 1, "410621": 1, "410600": 2}
    assert service.registry_stats(session)["geographical_indications"] == 3
