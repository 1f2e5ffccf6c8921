"""The gateway: the only public entry. Issues and verifies tokens, manages organisations, users and
clients, routes ``/api/v1/*`` to the services and serves one merged OpenAPI document."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp

from services.gateway.api import (
    activation,
    auth,
    cases,
    clients,
    code_lists,
    discovery,
    export,
    organizations,
    problems,
    status,
    users,
)
from services.gateway.edge.http_edge import edge
from services.gateway.edge.openapi_merge import merge
from services.gateway.edge.proxy import TokenVerifierRef, UpstreamProxy, Upstreams
from services.gateway.edge.ratelimit import rate_store
from services.gateway.edge.surfaces import Surfaces
from services.gateway.edge.transport import GatewayClient, upstream_timeout, upstream_transport
from services.gateway.service.auth import TokenIssuer
from services.gateway.service.bootstrap import bootstrap_admin
from services.gateway.service.code_lists import CodeListIndex
from services.gateway.service.revocation import RevocationList
from services.gateway.service.signing_keys import SigningKeys
from services.gateway.settings import GatewaySettings
from services.gateway.webhooks import api as webhooks_api
from services.gateway.webhooks import runtime as webhooks
from shared.app import ServiceApp, create_service_app
from shared.auth.verifier import OWN_CLAIMS, IssuerPolicy, TokenVerifier
from shared.logging import get_logger

MIGRATIONS = Path(__file__).parent / "migrations"
_log = get_logger("ponte.gateway")


def create_app(
    settings: GatewaySettings | None = None, *, internal_port: int | None = None
) -> ServiceApp:
    """``internal_port``: the port of the internal door (``surfaces``), which ``python -m
    services.gateway serve`` listens on beside the public one. Without it (in-process tests, the
    OpenAPI document) one app answers every path."""
    settings = settings or GatewaySettings()
    verifier_ref = TokenVerifierRef()
    upstreams = Upstreams(settings.upstreams(), upstream_timeout(settings))
    rates = rate_store(settings)
    revoked = RevocationList(
        token_ttl_seconds=settings.access_token_ttl_seconds,
        poll_seconds=settings.revocation_poll_seconds,
    )

    def own_verifier(app: FastAPI) -> TokenVerifier:
        keys = SigningKeys(
            app.state.sessions,
            algorithm=settings.signing_algorithm,
            access_token_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            reload_seconds=settings.key_reload_seconds,
        )
        app.state.keys = keys
        app.state.issuer = TokenIssuer(keys=keys, settings=settings)
        verifier = TokenVerifier(
            [
                IssuerPolicy(
                    issuer=settings.auth_issuer,
                    audience=settings.auth_audience,
                    algorithms=(settings.signing_algorithm,),
                    keys=keys,
                    claims=OWN_CLAIMS,
                )
            ],
            revoked=revoked.revoked,
        )
        verifier_ref.set(verifier)
        return verifier

    async def start(app: FastAPI) -> None:
        await app.state.keys.ensure_signing_key()
        app.state.revoked = revoked
        await revoked.start(app.state.engine, app.state.sessions)
        await bootstrap_admin(app.state.sessions, settings)
        app.state.code_list_index = CodeListIndex()
        transport = upstream_transport(settings)
        upstreams.open(
            transport, GatewayClient(transport=transport, timeout=upstream_timeout(settings))
        )
        app.state.upstreams = upstreams  # the case view reads through the proxy's pool

    async def stop(_app: FastAPI) -> None:
        await revoked.stop()
        await upstreams.close()
        await rates.close()

    app = create_service_app(
        name="gateway",
        title="Ponte API",
        description=_DESCRIPTION,
        settings=settings,
        migrations_dir=MIGRATIONS,
        routers=[
            auth.token_router,
            auth.router,
            discovery.router,
            problems.router,
            activation.router,
            organizations.router,
            organizations.internal_router,
            users.router,
            clients.router,
            status.router,
            cases.router,
            code_lists.router,
            webhooks_api.router,
            webhooks.events(settings),
            export.router,
        ],
        startup=[start, webhooks.start],
        shutdown=[webhooks.stop, stop],
        verifier=own_verifier,
        # Inside request ids, logs and metrics; before FastAPI and its middleware stack.
        inner=lambda api: _doors(
            edge(
                UpstreamProxy(api, upstreams=upstreams, verifier=verifier_ref),
                settings=settings,
                store=rates,
                verifier=verifier_ref.get,
            ),
            internal_port,
        ),
    )
    _serve_merged_openapi(app.api, upstreams)
    return app


def _doors(app: ASGIApp, internal_port: int | None) -> ASGIApp:
    return app if internal_port is None else Surfaces(app, internal_port=internal_port)


def _serve_merged_openapi(app: FastAPI, upstreams: Upstreams) -> None:
    own_openapi = app.openapi
    cache: dict[str, Any] = {}

    async def merged(_request: Request) -> JSONResponse:
        document = cache.get("complete")
        if document is None or time.monotonic() - cache["at"] > _OPENAPI_CACHE_SECONDS:
            document = await _merged_document(own_openapi(), upstreams)
            if "x-ponte-unavailable-services" not in document["info"]:
                cache.update(complete=document, at=time.monotonic())
        return JSONResponse(document, headers={"Cache-Control": "no-cache"})

    async def docs(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Ponte API")

    app.router.routes = [
        route
        for route in app.router.routes
        if getattr(route, "path", None) not in ("/openapi.json", "/docs")
    ]
    app.add_route("/openapi.json", merged, include_in_schema=False)
    app.add_route("/docs", docs, include_in_schema=False)


_OPENAPI_CACHE_SECONDS = 30.0


async def _merged_document(own: dict[str, Any], upstreams: Upstreams) -> dict[str, Any]:
    """The gateway's document merged with every service's; a service that is down is named in
    ``info.x-ponte-unavailable-services`` rather than failing the whole document."""
    documents: dict[str, dict[str, Any]] = {}
    missing = []
    for service, base_url in upstreams.base_urls.items():
        try:
            answer = await upstreams.client.get(f"{base_url}/openapi.json", timeout=5.0)
            answer.raise_for_status()
            documents[service] = answer.json()
        except (httpx.HTTPError, ValueError):
            missing.append(service)
    document = merge(own, documents)
    if missing:
        document["info"]["x-ponte-unavailable-services"] = missing
    return document


_DESCRIPTION = """\
Ponte is an API-first case-management backend for the labour integration of third-country
nationals (the MEIC method). Every error is RFC 9457 `application/problem+json`; lists use
`?limit=` and an opaque `?cursor=`; updates need `If-Match`; creates accept `Idempotency-Key`.
Get a token at `POST /api/v1/auth/token` and send it as `Authorization: Bearer <token>`.
"""
