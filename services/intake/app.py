"""The intake service: who the person is, where they come from, their migration project, skills;
their consents and who may see them; duplicates; GDPR rights."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.intake.api import (
    batch,
    beneficiaries,
    code_lists,
    consents,
    documents,
    emergency,
    gdpr,
    internal,
    invitations,
    jobs,
    me,
    merge,
    notes,
    qualifications,
    records,
    transfers,
)
from services.intake.clients.clamd import ClamdClient
from services.intake.db.models import inbox, outbox
from services.intake.service import batch as batch_service
from services.intake.service import outcomes
from services.intake.service.document_scans import sweep_forever
from services.intake.service.job_runner import JobRunner, Runner
from services.intake.settings import IntakeSettings
from services.intake.storage import store_from_url
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.contracts import intake as contract
from shared.events import Subscriber, events_router, relay_hooks
from shared.territory_client import TerritoryClient
from shared.worker import cancel_and_wait

MIGRATIONS = Path(__file__).parent / "migrations"
# What each service needs to hear; the gateway turns events into webhooks.
PERSON_EVENTS = frozenset(
    {
        contract.REGISTERED,
        contract.UPDATED,
        contract.ACCESS_CHANGED,
        contract.ERASED,
        contract.MERGED,
    }
)
MATCHING_EVENTS = PERSON_EVENTS
# Pathways reminds of expiring documents and of transfers to accept (tasks).
PATHWAYS_EVENTS = PERSON_EVENTS | {contract.DOCUMENT_CHANGED, contract.TRANSFER_STATUS_CHANGED}
GATEWAY_EVENTS = PERSON_EVENTS | {
    contract.TRANSFER_STATUS_CHANGED,
    contract.CONSENT_GRANTED,
    contract.CONSENT_WITHDRAWN,
    contract.EMERGENCY_ACCESS_OPENED,
    contract.EMERGENCY_ACCESS_CLOSED,
}


def create_app(
    settings: IntakeSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    settings = settings or IntakeSettings()
    others = settings.other_services()

    start_relay, stop_relay = relay_hooks(
        outbox,
        [
            Subscriber("pathways", f"{others['pathways']}/internal/events", PATHWAYS_EVENTS),
            Subscriber("matching", f"{others['matching']}/internal/events", MATCHING_EVENTS),
            Subscriber(
                "gateway", f"{settings.gateway_url.rstrip('/')}/internal/events", GATEWAY_EVENTS
            ),
        ],
        settings.internal_token,
        enabled=settings.relay_events,
    )

    async def open_store(app: FastAPI) -> None:
        app.state.document_store = store = store_from_url(settings.document_store_url)
        app.state.document_scanner = scanner = (
            ClamdClient.from_url(settings.document_scan_url, settings.document_scan_timeout_seconds)
            if settings.document_scan_url
            else None
        )
        app.state.document_sweep = (
            asyncio.create_task(
                sweep_forever(
                    app.state.sessions, store, scanner, settings.document_scan_retry_seconds
                )
            )
            if scanner is not None
            else None
        )

    async def close_store(app: FastAPI) -> None:
        await cancel_and_wait(getattr(app.state, "document_sweep", None))
        store = getattr(app.state, "document_store", None)
        if store is not None:
            await store.close()

    async def start_jobs(app: FastAPI) -> None:
        app.state.job_runner = None
        if not settings.run_jobs:
            return
        runner = Runner(
            sessions=app.state.sessions,
            matching=TerritoryClient(
                app.state.http, settings.matching_url, settings.internal_token
            ),
            limits=batch_service.Limits(
                max_items=settings.job_chunk_items,
                per_person=settings.duplicate_candidates_per_person,
                candidate_rows=settings.batch_candidate_rows_max,
            ),
            retention=timedelta(hours=settings.job_retention_hours),
        )
        app.state.job_runner = JobRunner(runner, poll_seconds=settings.job_poll_seconds)
        app.state.job_runner.start()

    async def stop_jobs(app: FastAPI) -> None:
        if (worker := getattr(app.state, "job_runner", None)) is not None:
            await worker.stop()

    return create_service_app(
        name="intake",
        title="Ponte intake",
        description="The beneficiary registry: profile, migration project, skills, consents, "
        "duplicates and GDPR rights; the code lists every client needs.",
        settings=settings,
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[
            code_lists.router,
            batch.router,
            beneficiaries.router,
            records.router,
            merge.router,
            gdpr.router,
            consents.router,
            notes.router,
            notes.feed,
            qualifications.router,
            transfers.router,
            documents.router,
            emergency.router,
            invitations.router,
            jobs.router,
            me.router,
            internal.router,
            invitations.internal_router,
            events_router(outcomes.HANDLERS, inbox),
            code_lists.internal,
        ],
        startup=[open_store, start_relay, start_jobs],
        shutdown=[stop_jobs, stop_relay, close_store],
    )
