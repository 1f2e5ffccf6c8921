from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PathwaysSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_PATHWAYS_")

    matching_url: str = "http://127.0.0.1:8003"  # where pathway events (priority needs) go
    intake_url: str = "http://127.0.0.1:8001"  # where outcomes that change a profile go
    # The gateway's internal port (PONTE_GATEWAY_INTERNAL_PORT): where events become webhooks.
    gateway_url: str = "http://127.0.0.1:8100"
    indicators_max_days: int = Field(
        default=1830,
        ge=31,
        le=36600,
        description="longest period one indicators report may cover (date_from to date_to); "
        "a longer one is refused with 422",
    )
    task_due_sweep_seconds: float = Field(
        default=300.0,
        gt=0,
        description="how often the tasks that entered the list of what is due are announced "
        "(task.due events, once per task)",
    )
