"""Models of the intel app: agencies, zones, people and the records police and courts send."""

from intel.models.base import Agency, Located, SourceRecord, Zone, ZoneLayer
from intel.models.groups import Group, GroupMembership
from intel.models.imports import (
    DataImport,
    ImportChange,
    ImportKind,
    MappingProfile,
    OffenseMapping,
)
from intel.models.intelligence import (
    Challenge,
    DisseminationLog,
    IntelIdentifier,
    IntelRecord,
    IntelRecordGroupObjectPermission,
    IntelRecordUserObjectPermission,
    ReviewDecision,
)
from intel.models.people import (
    MatchCandidate,
    Person,
    PersonAlias,
    PersonIdentifier,
    PersonLink,
    PersonMerge,
    PersonNameKey,
)
from intel.models.records import (
    Arrest,
    ArrestCharge,
    CallForService,
    CaseCharge,
    CaseReferral,
    Incident,
    IncidentOffense,
    Shooting,
    ShootingVictim,
)

__all__ = [
    "Agency",
    "Challenge",
    "Group",
    "GroupMembership",
    "IntelIdentifier",
    "IntelRecordGroupObjectPermission",
    "IntelRecordUserObjectPermission",
    "MatchCandidate",
    "PersonLink",
    "PersonMerge",
    "PersonNameKey",
    "Arrest",
    "ArrestCharge",
    "CallForService",
    "CaseCharge",
    "CaseReferral",
    "DataImport",
    "DisseminationLog",
    "IntelRecord",
    "ReviewDecision",
    "ImportChange",
    "ImportKind",
    "MappingProfile",
    "OffenseMapping",
    "Incident",
    "IncidentOffense",
    "Located",
    "Person",
    "PersonAlias",
    "PersonIdentifier",
    "Shooting",
    "ShootingVictim",
    "SourceRecord",
    "Zone",
    "ZoneLayer",
]
