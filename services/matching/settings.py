from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


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
