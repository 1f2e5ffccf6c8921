from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# The allocation's defaults (documented in the API's description and the README). At the pairs'
# limit the solver holds about 200 MiB besides the service's own ~215 MiB, under the Kubernetes
# manifest's 512Mi, one solve at a time; the time limit ends a solve before the gateway's 15 s
# upstream timeout (PONTE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS) would answer 504 in its stead.
ALLOCATION_MAX_PEOPLE = 2_000
ALLOCATION_MAX_OFFERS = 500
ALLOCATION_MAX_PAIRS = 250_000
ALLOCATION_TIME_LIMIT_SECONDS = 10.0


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_MATCHING_")

    intake_url: str = "http://127.0.0.1:8001"  # the person's card for a referral
    pathways_url: str = "http://127.0.0.1:8002"  # where referral events go
    # The gateway's internal port (PONTE_GATEWAY_INTERNAL_PORT): where events become webhooks.
    gateway_url: str = "http://127.0.0.1:8100"
    referral_expiry_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        description="how often referrals whose referrer's access expired are ended",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="the cluster's ranking weights by criterion (missing ones keep the defaults)",
    )
    allocation_max_people: int = Field(
        default=ALLOCATION_MAX_PEOPLE, ge=1, description="most people one allocation may name"
    )
    allocation_max_offers: int = Field(
        default=ALLOCATION_MAX_OFFERS, ge=1, description="most offers one allocation may name"
    )
    allocation_max_pairs: int = Field(
        default=ALLOCATION_MAX_PAIRS,
        ge=1,
        description="most eligible (person, offer) pairs one allocation may solve over",
    )
    allocation_time_limit_seconds: float = Field(
        default=ALLOCATION_TIME_LIMIT_SECONDS,
        gt=0,
        description="an allocation still computing after this long stops with 503; keep it "
        "under the gateway's upstream timeout",
    )
    allocation_concurrency: int = Field(
        default=1,
        ge=1,
        description="allocations solved at once per process (each may hold "
        "~200 MiB at the pairs' limit); the others wait, within their time limit",
    )
