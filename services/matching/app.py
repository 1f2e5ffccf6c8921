"""The matching service: offers, ESCO taxonomy, ranking, referrals and allocation of seats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.matching.api import internal
from services.matching.consumers import HANDLERS
from services.matching.db.models import inbox
from services.matching.settings import MatchingSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.events import events_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: MatchingSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    return create_service_app(
        name="matching",
        title="Ponte matching",
        description="Offers catalogue, ESCO taxonomy, explainable ranking, referrals and optimal "
        "allocation of seats.",
        settings=settings or MatchingSettings(),
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[events_router(HANDLERS, inbox), internal.router],
    )
