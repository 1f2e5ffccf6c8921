from enum import StrEnum


class OrganizationType(StrEnum):
    """The members of a MEIC cluster."""

    EMPLOYMENT_SERVICE = "employment_service"
    NGO = "ngo"
    LOCAL_AUTHORITY = "local_authority"
    VET_PROVIDER = "vet_provider"
    EMPLOYER = "employer"
    EMPLOYER_ASSOCIATION = "employer_association"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    TRADE_UNION = "trade_union"
    MIGRANT_ASSOCIATION = "migrant_association"
    UNIVERSITY = "university"
    OTHER = "other"
