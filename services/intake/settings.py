from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_INTAKE_")

    pathways_url: str = Field(
        default="http://127.0.0.1:8002", description="for exports and event deliveries"
    )
    matching_url: str = Field(
        default="http://127.0.0.1:8003", description="for exports and event deliveries"
    )
    relay_events: bool = Field(
        default=True, description="deliver the outbox to the other services from this process"
    )

    def other_services(self) -> dict[str, str]:
        return {
            "pathways": self.pathways_url.rstrip("/"),
            "matching": self.matching_url.rstrip("/"),
        }
