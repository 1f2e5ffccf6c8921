"""``python -m services.gateway``: run the gateway, or start signing with a new key.

``serve`` runs the gateway on two ports in one process (``surfaces``): ``--port`` for the public
API, ``PONTE_GATEWAY_INTERNAL_PORT`` for the services' internal endpoints and the metrics, which
only the cluster reaches. One uvicorn server listens on both, so there is one lifespan, one
application state and one shutdown.

``resolve-territories [--report FILE]``: after matching imported the territories, gives each
organisation that names a municipality but no territory code the code of the one municipality
(LAU) with that name, as matching reads it (``PONTE_GATEWAY_MATCHING_URL``,
``PONTE_INTERNAL_TOKEN``); prints the others with the reason (also as CSV in ``FILE``).

``rotate-keys``: tokens signed by the old key keep verifying until they expire; every gateway
replica picks up the new key within ``PONTE_GATEWAY_KEY_RELOAD_SECONDS``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from services.gateway.service import organizations
from services.gateway.service.signing_keys import SigningKeys
from services.gateway.settings import GatewaySettings
from shared.db import create_engine, session_factory
from shared.territory_client import (
    MatchingUnavailable,
    TerritoryClient,
    Unresolved,
    print_report,
)


async def rotate(settings: GatewaySettings) -> str:
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        keys = SigningKeys(
            session_factory(engine),
            algorithm=settings.signing_algorithm,
            access_token_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            reload_seconds=settings.key_reload_seconds,
        )
        return await keys.rotate()
    finally:
        await engine.dispose()


async def resolve_territories(settings: GatewaySettings) -> tuple[int, list[Unresolved]]:
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        async with httpx.AsyncClient() as http:
            territories = TerritoryClient(
                http, settings.matching_url, settings.internal_token, timeout=60.0
            )
            async with session_factory(engine)() as session, session.begin():
                return await organizations.resolve_territories(session, territories)
    finally:
        await engine.dispose()


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before the start-up, as uvicorn's own ``--port`` would be after it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(settings: GatewaySettings, host: str, port: int, graceful_seconds: int) -> None:
    import uvicorn

    from services.gateway.app import create_app

    if port == settings.internal_port:
        raise SystemExit("The public and the internal port must differ.")
    app = create_app(settings, internal_port=settings.internal_port)
    sockets = [
        listening_socket(host, port),
        listening_socket(settings.internal_host or host, settings.internal_port),
    ]
    config = uvicorn.Config(
        app,
        access_log=False,  # ours, per route template (shared/middleware.py)
        proxy_headers=False,  # X-Forwarded-For is the gateway's to interpret
        timeout_graceful_shutdown=graceful_seconds,
    )
    uvicorn.Server(config).run(sockets=sockets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the gateway (public and internal port)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000, help="the public port")
    serve_parser.add_argument("--timeout-graceful-shutdown", type=int, default=10)
    commands.add_parser("rotate-keys", help="retire the signing key and start a new one")
    resolve_parser = commands.add_parser(
        "resolve-territories",
        help="give organisations without a territory code the code of their municipality",
    )
    resolve_parser.add_argument("--report", type=Path, help="also write the rest as CSV here")
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    if not settings.database_url:
        print("Set PONTE_GATEWAY_DATABASE_URL.", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(settings, args.host, args.port, args.timeout_graceful_shutdown)
        return 0
    if args.command == "resolve-territories":
        try:
            resolved, left = asyncio.run(resolve_territories(settings))
        except MatchingUnavailable as error:
            print(f"error: {error.detail} ({settings.matching_url})", file=sys.stderr)
            return 1
        print_report("organization", resolved, left, args.report, sys.stdout)
        return 0
    print(f"Signing with new key {asyncio.run(rotate(settings))}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
