"""The pathways service: assess -> respond -> monitor -> adjust -> verify rights; caseloads,
outcomes and indicators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.pathways.api import internal, pathways, reports, steps
from services.pathways.consumers import HANDLERS
from services.pathways.db.models import inbox, outbox
from services.pathways.settings import PathwaysSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.events import HttpSender, OutboxRelay, events_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: PathwaysSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    settings = settings or PathwaysSettings()

    async def start(app: FastAPI) -> None:
        # No subscriber yet (webhooks will be one); the relay still purges old events.
        relay = OutboxRelay(
            app.state.sessions, outbox, [], HttpSender(app.state.http, settings.internal_token)
        )
        relay.start()
        app.state.relay = relay

    async def stop(app: FastAPI) -> None:
        relay: OutboxRelay | None = getattr(app.state, "relay", None)
        if relay is not None:
            await relay.stop()

    return create_service_app(
        name="pathways",
        title="Ponte pathways",
        description="Individual integration pathways: assess, respond, monitor, adjust, verify "
        "rights; caseloads, outcomes and indicators.",
        settings=settings,
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[
            pathways.router,
            steps.router,
            reports.router,
            events_router(HANDLERS, inbox),
            internal.router,
        ],
        startup=[start],
        shutdown=[stop],
    )
