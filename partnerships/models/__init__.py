"""Models of the partnerships app: partner agencies and their contacts, data-sharing agreements
(``agencies``). Information requests, meetings, community input, victim-service referrals and
call-ins live in their own modules beside it."""

from partnerships.models.agencies import Agreement, PartnerAgency, PartnerContact

__all__ = ["Agreement", "PartnerAgency", "PartnerContact"]
