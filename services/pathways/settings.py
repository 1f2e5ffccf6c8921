from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PathwaysSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_PATHWAYS_")
