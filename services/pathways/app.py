"""The pathways service: assess -> respond -> monitor -> adjust -> verify rights; caseloads,
outcomes and indicators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.pathways.api import (
    appointments,
    code_lists,
    feedback,
    internal,
    me,
    pathways,
    projects,
    reports,
    steps,
    tasks,
)
from services.pathways.db.models import inbox, outbox
from services.pathways.service import task_due
from services.pathways.service.consumers import HANDLERS
from services.pathways.settings import PathwaysSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.contracts import pathways as contract
from shared.events import Subscriber, events_router, relay_hooks

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: PathwaysSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    settings = settings or PathwaysSettings()

    # Matching weighs offers by the priority need an assessment sets, and keeps whose each
    # pathway is (a referral names only a pathway of the referrer's for that person).
    matching = Subscriber(
        "matching",
        f"{settings.matching_url}/internal/events",
        frozenset({contract.OPENED, contract.STEP_RECORDED, contract.CLOSED}),
    )
    # Intake owns the profile: outcomes recorded here that change it (a certified language level,
    # a decision on recognising a qualification).
    intake = Subscriber(
        "intake",
        f"{settings.intake_url.rstrip('/')}/internal/events",
        frozenset({contract.LANGUAGE_CERTIFIED, contract.RECOGNITION_DECIDED}),
    )
    # The gateway turns every event into webhooks for the organisations that may see it.
    gateway = Subscriber("gateway", f"{settings.gateway_url.rstrip('/')}/internal/events")
    start_relay, stop_relay = relay_hooks(
        outbox, [matching, intake, gateway], settings.internal_token
    )

    async def start_due_sweep(app: FastAPI) -> None:
        # Tasks are derived when read: a sweep announces those that entered the lists (task.due).
        app.state.task_due_sweep = task_due.start_sweep(
            app.state.sessions, settings.task_due_sweep_seconds
        )

    async def stop_due_sweep(app: FastAPI) -> None:
        await task_due.stop_sweep(getattr(app.state, "task_due_sweep", None))

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
            projects.router,
            feedback.router,
            appointments.router,
            tasks.router,
            me.router,
            events_router(HANDLERS, inbox),
            internal.router,
            code_lists.router,
            code_lists.internal,
        ],
        startup=[start_relay, start_due_sweep],
        shutdown=[stop_due_sweep, stop_relay],
    )
