from ipaddress import IPv4Network, IPv6Network

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
    # The internal door (edge/surfaces.py): /internal/* and /metrics, for the cluster only; the
    # public port (``serve --port``) answers 404 to them. The services' PONTE_<SERVICE>_GATEWAY_URL
    # points here.
    internal_port: int = Field(default=8100, ge=1, le=65535)
    internal_host: str | None = Field(default=None, description="default: the public host")

    signing_algorithm: str = Field(default="ES256", pattern="^(ES256|RS256)$")
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=3600)
    key_reload_seconds: float = Field(default=60.0, gt=0)
    # How often a replica checks its revocation listener, and polls the table while it is down:
    # a revocation reaches every replica at once, within about twice this at worst
    # (service/revocation.py).
    revocation_poll_seconds: float = Field(default=1.0, gt=0, le=5)

    # Failed sign-ins (service/auth.py): free failures in a window, then blocks doubling up to a
    # cap.
    # Per account and address together (an attacker elsewhere slows only themselves), per
    # address across accounts, and an account-wide brake at a higher threshold and a lower cap
    # (a spread-out attack slows the account, never locks its owner out for long).
    login_free_attempts_per_account_address: int = Field(default=5, ge=1)
    login_free_attempts_per_address: int = Field(default=20, ge=1)
    login_free_attempts_per_account: int = Field(default=100, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_max_block_seconds: int = Field(default=900, ge=1)
    login_account_max_block_seconds: int = Field(default=60, ge=1)

    # Password hashing (service/password_hashing.py): argon2 checks at once per process (19 MiB
    # each; 0: the process's CPUs less one, between 1 and 4), callers that may queue for one, and
    # how long they may wait; beyond either, 503 with Retry-After.
    password_hash_concurrency: int = Field(default=0, ge=0, le=64)
    password_hash_max_waiting: int = Field(default=64, ge=0)
    password_hash_max_wait_seconds: float = Field(default=5.0, gt=0, le=60)

    # The client's address (ratelimit.client_address): from X-Forwarded-For only when trusted,
    # the entry the trusted proxies added: with trusted_proxies (CIDRs, JSON list), the right-most
    # entry outside them (and only when the peer is one of them); else the trusted_proxy_hops-th
    # from the right (how many proxies in front of the gateway append to the header).
    trust_forwarded_for: bool = False
    trusted_proxy_hops: int = Field(default=1, ge=1, le=16)
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(default_factory=list)

    # Request-rate limits (edge/ratelimit.py): requests per minute, also the largest burst;
    # 0 = none.
    rate_limit_per_minute: int = Field(default=1200, ge=0)  # per client (else per address)
    rate_limit_address_per_minute: int = Field(default=6000, ge=0)  # per address, all requests
    rate_limit_token_per_minute: int = Field(default=60, ge=0)  # per address, /api/v1/auth/token
    rate_limit_key_prefix: str = "ponte:ratelimit:"
    # Shared state of the limits across replicas; unset: each process counts alone.
    redis_url: str | None = Field(default=None, validation_alias="PONTE_REDIS_URL")
    redis_timeout_seconds: float = Field(default=0.25, gt=0)
    # Browser apps allowed to call the API (JSON list of origins, e.g. ["https://app.example"]).
    cors_origins: list[str] = Field(default_factory=list)

    # Webhooks (services/gateway/webhooks): targets, retries, disabling.
    webhook_deliver: bool = Field(default=True, description="run the delivery worker here")
    webhook_allow_loopback: bool = Field(default=False, description="tests and laptops only")
    webhook_allow_private: bool = Field(default=False, description="RFC 1918, ULA, CGNAT targets")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    webhook_disable_after_days: float = Field(default=3.0, gt=0)
    webhook_concurrency: int = Field(default=16, ge=1, le=256)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_log_retention_days: float = Field(default=30.0, gt=0)
    webhook_access_wait_seconds: float = Field(
        default=600.0, ge=0, description="how long an event may wait for its person's access"
    )

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
