"""The common skeleton of a Ponte service: lifespan (engine, migrations, HTTP client, token
verifier), error handlers, request middleware, health and metrics, problem-documented OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from shared import heap
from shared.auth.dependencies import authenticate, build_verifier
from shared.auth.verifier import TokenVerifier
from shared.db import create_engine, database_ready, read_session_factory, session_factory
from shared.errors import configure_problem_types, install_handlers
from shared.idempotency_routes import idempotency_tables, purging
from shared.logging import configure_logging
from shared.metrics import HttpMetrics
from shared.middleware import RequestContextMiddleware
from shared.migrations import upgrade
from shared.offload import close_process_pool
from shared.offload import configure as configure_offload
from shared.openapi import (
    document_component_schemas,
    document_idempotency,
    document_preconditions,
    document_problems,
    document_security,
    secured_operations,
)
from shared.outbound import service_client
from shared.query_params import refuse_unknown_query_params
from shared.settings import ServiceSettings

Hook = Callable[[FastAPI], Awaitable[None]]


class ServiceApp:
    """What a service runs: its FastAPI application inside Ponte's request middleware.

    The middleware sits outside FastAPI's own stack so that it sees every request first (request
    id, access log, metrics, body limit, last-resort 500), and so that the gateway can answer
    proxied requests between it and FastAPI without paying for FastAPI's machinery.
    """

    def __init__(self, api: FastAPI, asgi: ASGIApp) -> None:
        self.api = api
        self._asgi = asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)

    @property
    def state(self) -> State:
        return self.api.state

    def openapi(self) -> dict[str, Any]:
        return self.api.openapi()


def operation_id(route: APIRoute) -> str:
    return route.name


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ServiceSettings,
    migrations_dir: Path,
    routers: Sequence[APIRouter],
    startup: Sequence[Hook] = (),
    shutdown: Sequence[Hook] = (),
    verifier: Callable[[FastAPI], TokenVerifier] | None = None,
    inner: Callable[[ASGIApp], ASGIApp] | None = None,
    version: str = "0.1.0",
) -> ServiceApp:
    """``inner`` wraps the FastAPI app inside the request middleware (the gateway's proxy)."""
    if not settings.database_url:
        raise ValueError(f"PONTE_{name.upper()}_DATABASE_URL is not set")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, level=settings.log_level, fmt=settings.log_format)
        configure_offload(processes=settings.offload_processes)
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        try:
            if settings.migrate_on_start:
                await upgrade(engine, migrations_dir)
            app.state.engine = engine
            app.state.sessions = session_factory(engine)
            app.state.read_sessions = read_session_factory(engine)
            async with service_client() as http:
                app.state.http = http
                app.state.verifier = verifier(app) if verifier else build_verifier(settings, http)
                for hook in startup:
                    await hook(app)
                heap.settle()  # what start-up built lives as long as the process
                try:
                    async with purging(app.state.sessions, idempotency_tables(app.routes)):
                        yield
                finally:
                    for hook in shutdown:
                        await hook(app)
        finally:
            await close_process_pool()  # its workers end with the service
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        # Metrics are ours (Prometheus, per route template); FastAPI's built-in OpenTelemetry
        # hooks cost ~5% of a request even with no provider configured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # On every route, its own included: a query parameter no route declares is a 422.
        dependencies=[Depends(refuse_unknown_query_params)],
        # operationId: the endpoint's function name (`register`, `list_beneficiaries`), which a
        # generated client names its methods after; the gateway's merge keeps them unique.
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.service_name = name
    configure_problem_types(settings.auth_issuer)
    install_handlers(app)
    metrics = HttpMetrics(name)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    app.add_api_route("/readyz", _readyz, include_in_schema=False)
    app.add_api_route("/metrics", metrics.endpoint, include_in_schema=False)
    for router in routers:
        app.include_router(router)
    _document(app)
    asgi = RequestContextMiddleware(
        inner(app) if inner else app,
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    return ServiceApp(app, asgi)


async def _healthz() -> dict[str, str]:
    return {"status": "alive"}


async def _readyz(request: Request) -> Response:
    engine = getattr(request.app.state, "engine", None)
    ready = engine is not None and await database_ready(engine)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "database": ready},
        status_code=200 if ready else 503,
    )


def _document(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                openapi_version=app.openapi_version,
            )
            document_security(schema, secured_operations(app.routes, authenticate))
            schema = document_preconditions(document_idempotency(schema))
            schema = document_component_schemas(schema)
            app.openapi_schema = document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
