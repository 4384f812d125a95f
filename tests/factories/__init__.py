"""factory-boy factories: one per model, minimal valid defaults. Users come from the personas in
``tests/conftest.py`` (created through the service, so they get a role and a valid password)."""

from tests.factories.intel import (
    AgencyFactory,
    ArrestChargeFactory,
    ArrestFactory,
    CaseReferralFactory,
    ChallengeFactory,
    DataImportFactory,
    GroupFactory,
    GroupMembershipFactory,
    IncidentFactory,
    IntelRecordFactory,
    MatchCandidateFactory,
    PersonAliasFactory,
    PersonFactory,
    PersonIdentifierFactory,
    ShootingFactory,
    ShootingVictimFactory,
    ZoneFactory,
    ZoneLayerFactory,
)

__all__ = [
    "AgencyFactory",
    "ArrestChargeFactory",
    "ArrestFactory",
    "CaseReferralFactory",
    "ChallengeFactory",
    "DataImportFactory",
    "GroupFactory",
    "GroupMembershipFactory",
    "IncidentFactory",
    "IntelRecordFactory",
    "MatchCandidateFactory",
    "PersonAliasFactory",
    "PersonFactory",
    "PersonIdentifierFactory",
    "ShootingFactory",
    "ShootingVictimFactory",
    "ZoneFactory",
    "ZoneLayerFactory",
]
