from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PathwaysSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_PATHWAYS_")

    matching_url: str = "http://127.0.0.1:8003"  # where pathway events (priority needs) go
    # The gateway's internal port (PONTE_GATEWAY_INTERNAL_PORT): where events become webhooks.
    gateway_url: str = "http://127.0.0.1:8100"
