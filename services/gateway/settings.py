from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PONTE_GATEWAY_")

    intake_url: str = "http://127.0.0.1:8001"
    pathways_url: str = "http://127.0.0.1:8002"
    matching_url: str = "http://127.0.0.1:8003"
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_timeout_seconds: float = Field(default=15.0, gt=0)
    upstream_max_connections: int = Field(default=200, ge=1)

    signing_algorithm: str = Field(default="ES256", pattern="^(ES256|RS256)$")
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=3600)
    key_reload_seconds: float = Field(default=60.0, gt=0)

    login_free_attempts_per_account: int = Field(default=5, ge=1)
    login_free_attempts_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_max_block_seconds: int = Field(default=900, ge=1)
    trust_forwarded_for: bool = False

    bootstrap_admin_email: str | None = Field(
        default=None, validation_alias="PONTE_BOOTSTRAP_ADMIN_EMAIL"
    )
    bootstrap_admin_password: str | None = Field(
        default=None, validation_alias="PONTE_BOOTSTRAP_ADMIN_PASSWORD"
    )
    bootstrap_organization_name: str = Field(
        default="Platform administration", validation_alias="PONTE_BOOTSTRAP_ORGANIZATION_NAME"
    )

    def upstreams(self) -> dict[str, str]:
        return {
            "intake": self.intake_url.rstrip("/"),
            "pathways": self.pathways_url.rstrip("/"),
            "matching": self.matching_url.rstrip("/"),
        }
