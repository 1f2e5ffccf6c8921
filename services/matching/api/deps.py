"""Typed validating dependencies: the object the path names, or a 404, in one read through the
repository's readable statement. Used on routes whose only inputs are path parameters; a route
with a body or validated query parameters looks its object up in its handler instead, so that a
malformed request to an invisible object stays a 422 (FastAPI runs dependencies before it
validates the body and the query)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request

from services.matching.clients.gateway import GatewayClient
from services.matching.db import offers, referrals
from services.matching.db.cluster_tables import ServicePoint
from services.matching.db.models import Offer, Referral
from services.matching.db.referrals import Own
from services.matching.domain.scoring import Weights
from services.matching.service import me
from services.matching.service import offers as offers_service
from services.matching.service import service_points as points_service
from services.matching.service.indexes import Indexes
from services.matching.settings import MatchingSettings
from shared.auth import CurrentPrincipal
from shared.auth.person import CurrentPerson
from shared.db import DbSession, ReadSession


async def _visible_offer(
    offer_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> Offer:
    return await offers.get_readable(session, principal, offer_id)


async def _managed_offer(
    offer_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Offer:
    return await offers_service.get_managed(session, principal, offer_id)


async def _visible_service_point(
    service_point_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> ServicePoint:
    return await points_service.get_visible(session, principal, service_point_id)


async def _managed_service_point(
    service_point_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> ServicePoint:
    return await points_service.get_managed(session, principal, service_point_id)


async def _visible_referral(
    referral_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> Referral:
    return await referrals.get_readable(session, principal, referral_id)


async def _persons_referral(
    referral_id: uuid.UUID, person: CurrentPerson, session: DbSession
) -> Own:
    return await me.get_own(session, person, referral_id)


@dataclass(frozen=True)
class Engine:
    """The service's in-memory indexes and the cluster's weights."""

    indexes: Indexes
    weights: Weights


async def _engine(request: Request) -> Engine:
    return Engine(request.app.state.indexes, request.app.state.weights)


async def _settings(request: Request) -> MatchingSettings:
    settings: MatchingSettings = request.app.state.settings
    return settings


Settings = Annotated[MatchingSettings, Depends(_settings)]
# Labels of skills follow it (the first imported language it names, else English); not a
# documented parameter: every HTTP client sends it.
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


async def _gateway(request: Request, settings: Settings) -> GatewayClient:
    return GatewayClient(request.app.state.http, settings.gateway_url, settings.internal_token)


# The gateway's internal API: whether an organisation a cluster names exists.
Gateway = Annotated[GatewayClient, Depends(_gateway)]


async def _allocation_limiter(request: Request, settings: Settings) -> anyio.CapacityLimiter:
    """The process's limiter of solves at once, made on first use (inside the event loop)."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "allocation_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(settings.allocation_concurrency)
        request.app.state.allocation_limiter = limiter
    return limiter


VisibleOffer = Annotated[Offer, Depends(_visible_offer)]
ManagedOffer = Annotated[Offer, Depends(_managed_offer)]
VisibleServicePoint = Annotated[ServicePoint, Depends(_visible_service_point)]
ManagedServicePoint = Annotated[ServicePoint, Depends(_managed_service_point)]
VisibleReferral = Annotated[Referral, Depends(_visible_referral)]
# The person's own referral and its offer or service point (self-service), locked.
PersonsReferral = Annotated[Own, Depends(_persons_referral)]
MatchingIndexes = Annotated[Engine, Depends(_engine)]
AllocationLimiter = Annotated[anyio.CapacityLimiter, Depends(_allocation_limiter)]
