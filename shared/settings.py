"""Settings bases shared by every service.

Each service defines a frozen subclass with its own ``PONTE_<SERVICE>_`` prefix; the fields declared
here carry explicit ``PONTE_*`` names because they are common to the whole deployment (the same
issuer, audience and JWKS for every service). Settings are built once at start-up and passed into
``create_app``; nothing reads the environment at import time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrustedIssuer(BaseModel):
    """An external OpenID Connect issuer whose tokens the services accept.

    ``claims`` maps Ponte's principal fields to the issuer's claim names; a dotted name reaches into
    nested claims (Keycloak's ``realm_access.roles``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str
    jwks_url: str
    audience: str
    algorithms: tuple[str, ...] = ("RS256",)
    claims: dict[str, str] = Field(
        default_factory=lambda: {
            "subject": "sub",
            "organization_id": "organization_id",
            "roles": "roles",
            "beneficiary_id": "beneficiary_id",
        }
    )


class ServiceSettings(BaseSettings):
    """What every service needs: its database, how to verify tokens, how to log."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", env_prefix="PONTE_", populate_by_name=True
    )

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the service's own database (postgresql+asyncpg://...)",
    )
    # Enough for the 32-connection benchmark load without waiting; overflow connections would be
    # opened and closed per request under load (measured: a third of the gateway's CPU).
    database_pool_size: int = Field(default=20, ge=1, le=200)
    database_max_overflow: int = Field(default=0, ge=0, le=200)
    migrate_on_start: bool = True

    auth_issuer: str = Field(default="http://localhost:8000", validation_alias="PONTE_AUTH_ISSUER")
    auth_audience: str = Field(default="ponte-api", validation_alias="PONTE_AUTH_AUDIENCE")
    auth_jwks_url: str = Field(
        default="http://127.0.0.1:8000/.well-known/jwks.json",
        validation_alias="PONTE_AUTH_JWKS_URL",
    )
    auth_trusted_issuers: tuple[TrustedIssuer, ...] = Field(
        default=(), validation_alias="PONTE_AUTH_TRUSTED_ISSUERS"
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="PONTE_LOG_LEVEL"
    )
    log_format: Literal["json", "console"] = Field(
        default="json", validation_alias="PONTE_LOG_FORMAT"
    )
    internal_token: str = Field(
        default="",
        validation_alias="PONTE_INTERNAL_TOKEN",
        description="Shared secret of the services' internal endpoints (/internal/*), which the "
        "gateway never routes; internal calls and event deliveries are refused while it is unset",
    )
    offload_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="size of the process pool for CPU-heavy work (duplicate scoring, indicators);"
        " 0: the machine's CPUs, at most 2 (each worker costs ~35 MiB, docs/limits.md)",
    )
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, validation_alias="PONTE_MAX_BODY_BYTES"
    )
    max_upload_bytes: int = Field(
        default=80 * 1024 * 1024,
        ge=1024,
        validation_alias="PONTE_MAX_UPLOAD_BYTES",
        description="the body limit of the routes that take a file (``shared.uploads``) instead "
        "of PONTE_MAX_BODY_BYTES: the gateway's and the owning service's; keep it above the "
        "service's own file limit (PONTE_INTAKE_DOCUMENT_MAX_BYTES) plus the form's few KiB",
    )
