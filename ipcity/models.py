"""Every area's tables, imported in one place so that Alembic and tests see the whole schema.

An area that adds tables adds one import here.
"""

from ipcity.audit import AuditEntry, AuditHead
from ipcity.auth.models import LoginAttempt, User
from ipcity.db import Base
from ipcity.places.models import Population, Region, Zone
from ipcity.policy.models import (
    IpCertificate,
    PatentAward,
    PatentInsurancePolicy,
    PctApplication,
    PledgeLoan,
    PledgeLoanCost,
    PolicyCase,
    PolicyCaseStep,
    PolicyPayment,
)
from ipcity.protection.models import CreditListing
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
    RegistryChange,
    Trademark,
)

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "ColumnMapping",
    "Copyright",
    "CreditListing",
    "GeographicalIndication",
    "Holder",
    "HolderTier",
    "ImportBatch",
    "IpCertificate",
    "LoginAttempt",
    "Patent",
    "PatentAward",
    "PatentHolder",
    "PatentInsurancePolicy",
    "PatentPublication",
    "PatentStatusEvent",
    "PctApplication",
    "PlantVariety",
    "PledgeLoan",
    "PledgeLoanCost",
    "PolicyCase",
    "PolicyCaseStep",
    "PolicyPayment",
    "Population",
    "Region",
    "RegistryChange",
    "Trademark",
    "User",
    "Zone",
]
