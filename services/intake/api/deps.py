"""Typed, validating dependencies of intake's routers: the object or a 404 in one read.

Use them on routes whose only inputs are path parameters: FastAPI runs dependencies before it
validates a body or a query, so on a route with either a dependency that answers 404 would turn
today's 422 (malformed body for an invisible person) into a 404. There, look the person up in
the handler through the same service function."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request

from services.intake.clients.clamd import ClamdClient
from services.intake.clients.exports import ExportClient
from services.intake.clients.gateway import GatewayClient
from services.intake.db.models import Beneficiary
from services.intake.domain.access import View
from services.intake.service import beneficiaries
from services.intake.settings import IntakeSettings
from services.intake.storage import FileStore
from shared.auth import CurrentPrincipal
from shared.db import DbSession
from shared.territory_client import TerritoryClient


@dataclass(frozen=True)
class Visible:
    """A person the caller may see, and what of them."""

    row: Beneficiary
    view: View


async def visible_beneficiary(
    beneficiary_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Visible:
    row, view = await beneficiaries.visible(session, principal, beneficiary_id)
    return Visible(row, view)


VisibleBeneficiary = Annotated[Visible, Depends(visible_beneficiary)]


def settings(request: Request) -> IntakeSettings:
    found: IntakeSettings = request.app.state.settings
    return found


Settings = Annotated[IntakeSettings, Depends(settings)]


def http(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.http
    return client


Http = Annotated[httpx.AsyncClient, Depends(http)]


def gateway(settings: Settings, http: Http) -> GatewayClient:
    return GatewayClient(http, settings.gateway_url, settings.internal_token)


Gateway = Annotated[GatewayClient, Depends(gateway)]


def matching(settings: Settings, http: Http) -> TerritoryClient:
    return TerritoryClient(http, settings.matching_url, settings.internal_token)


Matching = Annotated[TerritoryClient, Depends(matching)]


def exports(settings: Settings, http: Http) -> ExportClient:
    return ExportClient(http, settings.internal_token)


Exports = Annotated[ExportClient, Depends(exports)]


def document_store(request: Request) -> FileStore:
    store: FileStore = request.app.state.document_store
    return store


DocumentStore = Annotated[FileStore, Depends(document_store)]


def document_scanner(request: Request) -> ClamdClient | None:
    scanner: ClamdClient | None = request.app.state.document_scanner
    return scanner


DocumentScanner = Annotated[ClamdClient | None, Depends(document_scanner)]
