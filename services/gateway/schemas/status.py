"""Response bodies of the stack status."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ServiceStatus(BaseModel):
    status: str
    latency_ms: float | None = None
    detail: str | None = None


class StackStatus(BaseModel):
    status: str = Field(description="ready when every service and the gateway are ready")
    gateway: ServiceStatus
    services: dict[str, ServiceStatus]
