"""Every area's tables, imported in one place so that Alembic and tests see the whole schema.

An area that adds tables adds one import here.
"""

from ipcity.audit import AuditEntry, AuditHead
from ipcity.auth.models import LoginAttempt, User
from ipcity.db import Base
from ipcity.places.models import Population, Region, Zone
from ipcity.registry.models import (
    ColumnMapping,
    Copyright,
    GeographicalIndication,
    Holder,
    HolderTier,
    ImportBatch,
    Patent,
    PatentHolder,
    PatentPublication,
    PatentStatusEvent,
    PlantVariety,
    Trademark,
)

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "ColumnMapping",
    "Copyright",
    "GeographicalIndication",
    "Holder",
    "HolderTier",
    "ImportBatch",
    "LoginAttempt",
    "Patent",
    "PatentHolder",
    "PatentPublication",
    "PatentStatusEvent",
    "PlantVariety",
    "Population",
    "Region",
    "Trademark",
    "User",
    "Zone",
]
