"""The matching service: offers, ESCO taxonomy, ranking, referrals and allocation of seats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from services.matching.api import (
    cluster_dashboard,
    cluster_members,
    clusters,
    code_lists,
    commitments,
    internal,
    matching,
    me,
    offers,
    referrals,
    reports,
    service_points,
    skill_readings,
    taxonomy,
    territorial_analysis,
    territorial_context,
    territories,
    territory_profiles,
)
from services.matching.db.models import inbox, outbox
from services.matching.service import withdrawals
from services.matching.service.consumers import handlers
from services.matching.service.indexes import Indexes
from services.matching.service.matching import weights_of
from services.matching.service.skill_readings import SkillReader
from services.matching.settings import MatchingSettings
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import TokenVerifier
from shared.contracts import matching as contract
from shared.events import Subscriber, events_router, relay_hooks

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: MatchingSettings | None = None,
    *,
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
) -> ServiceApp:
    """``verifier`` replaces the JWKS-backed token verifier (tests, embedding)."""
    settings = settings or MatchingSettings()
    weights = weights_of(settings.weights)  # a bad configuration stops the start, loudly
    reader = SkillReader()  # reads profiles' free-text skills with the indexes' taxonomy

    async def start(app: FastAPI) -> None:
        app.state.weights = weights
        indexes = Indexes(app.state.sessions)
        indexes.warm()
        app.state.indexes = indexes
        reader.indexes = indexes
        # An expired access sends no event: its referrals are ended by a sweep.
        app.state.expiry_sweep = withdrawals.start_sweep(
            app.state.sessions, settings.referral_expiry_sweep_seconds
        )

    # Pathways moves the action a referral carries out.
    pathways = Subscriber(
        "pathways",
        f"{settings.pathways_url}/internal/events",
        frozenset({contract.REFERRAL_CHANGED}),
    )
    # Intake owns the profile: outcomes of referrals that change it (skills a training taught).
    intake = Subscriber(
        "intake",
        f"{settings.intake_url.rstrip('/')}/internal/events",
        frozenset({contract.TRAINING_COMPLETED}),
    )
    # The gateway turns every event into webhooks for the organisations that may see it.
    gateway = Subscriber("gateway", f"{settings.gateway_url.rstrip('/')}/internal/events")
    start_relay, stop_relay = relay_hooks(
        outbox, [pathways, intake, gateway], settings.internal_token
    )

    async def stop(app: FastAPI) -> None:
        await withdrawals.stop_sweep(getattr(app.state, "expiry_sweep", None))
        await app.state.indexes.stop()

    return create_service_app(
        name="matching",
        title="Ponte matching",
        description="Offers catalogue, ESCO taxonomy, explainable ranking, referrals and optimal "
        "allocation of seats. ESCO classification, European Commission, v1.1.1.",
        settings=settings,
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        routers=[
            offers.router,
            referrals.router,
            service_points.router,
            matching.router,
            skill_readings.router,
            territorial_context.router,
            taxonomy.router,
            territories.router,
            clusters.router,
            cluster_members.router,
            commitments.router,
            cluster_dashboard.router,
            reports.router,
            territory_profiles.router,
            territorial_analysis.router,
            me.router,
            events_router(handlers(reader), inbox),
            internal.router,
            code_lists.router,
            code_lists.internal,
        ],
        startup=[start, start_relay],
        shutdown=[stop_relay, stop],
    )
