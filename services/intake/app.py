"""The intake service: who the person is, where they come from, their migration project, skills."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.intake.api import code_lists
from services.intake.settings import IntakeSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: IntakeSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    return create_service_app(
        name="intake",
        title="Ponte intake",
        description="The beneficiary registry: profile, migration project, skills, consents, "
        "duplicates and GDPR rights; the code lists every client needs.",
        settings=settings or IntakeSettings(),
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[code_lists.router],
    )
