"""The pathways service: assess -> respond -> monitor -> adjust -> verify rights."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.pathways.api import internal
from services.pathways.consumers import HANDLERS
from services.pathways.db.models import inbox
from services.pathways.settings import PathwaysSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.events import events_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: PathwaysSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    return create_service_app(
        name="pathways",
        title="Ponte pathways",
        description="Individual integration pathways: assess, respond, monitor, adjust, verify "
        "rights; caseloads, outcomes and indicators.",
        settings=settings or PathwaysSettings(),
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[events_router(HANDLERS, inbox), internal.router],
    )
