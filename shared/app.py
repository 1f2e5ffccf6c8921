"""The common skeleton of a Ponte service: lifespan (engine, migrations, HTTP client, token
verifier), error handlers, request middleware, health and metrics, problem-documented OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.auth.dependencies import build_verifier
from shared.auth.verifier import TokenVerifier
from shared.db import create_engine, database_ready, session_factory
from shared.errors import install_handlers
from shared.logging import configure_logging
from shared.metrics import HttpMetrics
from shared.middleware import RequestContextMiddleware
from shared.migrations import upgrade
from shared.openapi import document_problems
from shared.outbound import service_client
from shared.settings import ServiceSettings

Hook = Callable[[FastAPI], Awaitable[None]]
ReadinessCheck = Callable[[FastAPI], Awaitable[bool]]


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
    version: str = "0.1.0",
) -> FastAPI:
    if not settings.database_url:
        raise ValueError(f"PONTE_{name.upper()}_DATABASE_URL is not set")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, level=settings.log_level, fmt=settings.log_format)
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
            async with service_client() as http:
                app.state.http = http
                app.state.verifier = verifier(app) if verifier else build_verifier(settings, http)
                for hook in startup:
                    await hook(app)
                try:
                    yield
                finally:
                    for hook in shutdown:
                        await hook(app)
        finally:
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service_name = name
    install_handlers(app)
    metrics = HttpMetrics(name)
    app.add_middleware(
        RequestContextMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes
    )
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    app.add_api_route("/readyz", _readyz, include_in_schema=False)
    app.add_api_route("/metrics", metrics.endpoint, include_in_schema=False)
    for router in routers:
        app.include_router(router)
    _document(app)
    return app


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
            app.openapi_schema = document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
