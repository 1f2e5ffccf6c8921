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
    gateway_url: str = Field(
        default="http://127.0.0.1:8100",
        description="the gateway's internal port (PONTE_GATEWAY_INTERNAL_PORT): where events go "
        "to become webhooks, organisations' emergency entitlements, what it holds for exports",
    )
    relay_events: bool = Field(
        default=True, description="deliver the outbox to the other services from this process"
    )
    invitation_ttl_hours: int = Field(
        default=72, ge=1, le=30 * 24, description="how long a self-service invitation code is valid"
    )
    # Bounds on the work one batch registration may ask for (docs/limits.md): a batch of n costs
    # at most n x duplicate_candidates_per_person comparisons, scored off the event loop.
    batch_max_items: int = Field(
        default=500,
        ge=1,
        le=500,
        description="most people one batch answers at once; a larger batch becomes an "
        "asynchronous job (202, GET /api/v1/jobs/{id})",
    )
    batch_job_max_items: int = Field(
        default=10_000,
        ge=1,
        le=10_000,
        description="most people one asynchronous batch (a job) may carry; its body is also "
        "bounded by PONTE_MAX_BODY_BYTES",
    )
    job_chunk_items: int = Field(
        default=100,
        ge=1,
        le=500,
        description="items of a job processed per transaction: a crash redoes at most one chunk",
    )
    job_retention_hours: int = Field(
        default=7 * 24,
        ge=1,
        le=90 * 24,
        description="how long a finished job and its results are kept before they are purged",
    )
    job_poll_seconds: float = Field(
        default=5.0, gt=0, description="how often the job worker looks for work it was not told of"
    )
    run_jobs: bool = Field(
        default=True, description="process asynchronous batches (jobs) in this process"
    )
    duplicate_candidates_per_person: int = Field(
        default=50,
        ge=10,
        le=1000,
        description="most others one newcomer of a batch is scored against (those sharing the "
        "most blocking keys first)",
    )
    batch_candidate_rows_max: int = Field(
        default=20_000,
        ge=100,
        le=200_000,
        description="most registered people a batch's blocking keys may reach; a batch reaching "
        "more is refused with 422 (split it)",
    )

    document_store_url: str = Field(
        default="file:var/documents",
        description="where documents' bytes are kept: file:///absolute/path (or "
        "file:relative/path) for a local directory, s3://bucket/prefix?endpoint=https://... for "
        "an S3-compatible store (credentials from the usual AWS_* variables)",
    )
    document_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="the largest document accepted (413 beyond); keep PONTE_MAX_UPLOAD_BYTES, "
        "the gateway's and this service's body limit for uploads, a little above it",
    )

    document_scan_url: str = Field(
        default="",
        description="clamd's address, tcp://host:3310, to scan every uploaded document for "
        "malware (pending_scan until clean; infected: quarantined, bytes deleted); empty: no "
        "scan, a document is available at once. clamd's StreamMaxLength must allow "
        "PONTE_INTAKE_DOCUMENT_MAX_BYTES",
    )
    document_scan_timeout_seconds: float = Field(
        default=120.0, gt=0, description="how long one scan may take before it is tried later"
    )
    document_scan_retry_seconds: float = Field(
        default=30.0, gt=0, description="how often documents still pending are scanned again"
    )

    def other_services(self) -> dict[str, str]:
        return {
            "pathways": self.pathways_url.rstrip("/"),
            "matching": self.matching_url.rstrip("/"),
            "gateway": self.gateway_url.rstrip("/"),
        }
