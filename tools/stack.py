"""``python -m tools.stack``: run, migrate, make migrations, write the OpenAPI document.

``run`` starts one embedded PostgreSQL (pgserver, data under ``var/``) unless every
``PONTE_<SERVICE>_DATABASE_URL`` is set, migrates, starts the four services as separate uvicorn
processes, loads the demo data and waits; Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared.embedded import ensure_database, start_embedded
from shared.migrations import upgrade_url
from tools.processes import (
    DEFAULT_GATEWAY_INTERNAL_PORT,
    DEFAULT_PORTS,
    ROOT,
    SERVICES,
    ServiceProcess,
    port_is_free,
)
from tools.processes import service_environment as environments

VAR = ROOT / "var"
ESCO_SUBSET = ROOT / "services" / "matching" / "taxonomy" / "subset"
TERRITORY_SUBSET = ROOT / "services" / "matching" / "territories" / "subset"
DEMO_ADMIN_EMAIL = "admin@ponte.example"
DEMO_ADMIN_PASSWORD = "demo-platform-root-2026"  # noqa: S105 - printed for the local demo on purpose


def migrations_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


@contextlib.contextmanager
def database_urls() -> Iterator[dict[str, str]]:
    """Configured URLs where set; the embedded server's databases for the rest."""
    configured = {
        name: os.environ[f"PONTE_{name.upper()}_DATABASE_URL"]
        for name in SERVICES
        if os.environ.get(f"PONTE_{name.upper()}_DATABASE_URL")
    }
    if len(configured) == len(SERVICES):
        yield configured
        return
    VAR.mkdir(exist_ok=True)
    os.chmod(VAR, 0o755)  # noqa: S103 - under root, pgserver runs PostgreSQL as its own user
    print(f"Starting embedded PostgreSQL in {VAR / 'postgres'} ...", flush=True)
    server, server_url = start_embedded(VAR / "postgres")
    try:
        urls = dict(configured)
        for name in SERVICES:
            if name not in urls:
                urls[name] = asyncio.run(ensure_database(server_url, f"ponte_{name}"))
        yield urls
    finally:
        server.cleanup()


def migrate(urls: dict[str, str]) -> None:
    for name in SERVICES:
        asyncio.run(upgrade_url(urls[name], migrations_dir(name)))
        print(f"  {name}: migrated", flush=True)


def ensure_taxonomy(matching_url: str) -> None:
    """The demo's ESCO: the committed subset, imported once (a real deployment imports the
    official export with ``python -m services.matching.taxonomy import``)."""
    from sqlalchemy import text

    from services.matching.taxonomy.importer import import_taxonomy
    from shared.db import create_engine

    async def ensure() -> None:
        engine = create_engine(matching_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as connection:
                if await connection.scalar(text("SELECT count(*) FROM esco_import")):
                    return
            await import_taxonomy(engine, [ESCO_SUBSET])
            print("  matching: ESCO subset imported", flush=True)
        finally:
            await engine.dispose()

    asyncio.run(ensure())


def ensure_territories(matching_url: str) -> None:
    """The demo's territories: the committed cut of the NUTS and LAU files, imported once (a real
    deployment imports the official files with ``python -m services.matching.territories
    import``)."""
    from services.matching.db.territory_writer import imported
    from services.matching.territories.importer import import_territories
    from shared.db import create_engine

    async def ensure() -> None:
        engine = create_engine(matching_url, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as connection:
                if await imported(connection):
                    return
            await import_territories(
                engine,
                TERRITORY_SUBSET / "NUTS_AT_2024.csv",
                TERRITORY_SUBSET / "EU-27-LAU-2024-NUTS-2024.xlsx",
            )
            print("  matching: territory subset imported", flush=True)
        finally:
            await engine.dispose()

    asyncio.run(ensure())


def run() -> int:
    ports = [*DEFAULT_PORTS.values(), DEFAULT_GATEWAY_INTERNAL_PORT]
    busy = [str(port) for port in ports if not port_is_free(port)]
    if busy:
        print(f"Ports in use: {', '.join(busy)}. Stop what uses them and retry.", file=sys.stderr)
        return 1
    admin_email = os.environ.get("PONTE_BOOTSTRAP_ADMIN_EMAIL", DEMO_ADMIN_EMAIL)
    admin_password = os.environ.get("PONTE_BOOTSTRAP_ADMIN_PASSWORD", DEMO_ADMIN_PASSWORD)
    processes: list[ServiceProcess] = []
    stop_requested = False

    def request_stop(_signum: int, _frame: Any) -> None:
        nonlocal stop_requested
        stop_requested = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    try:
        with database_urls() as urls:
            migrate(urls)
            ensure_taxonomy(urls["matching"])
            ensure_territories(urls["matching"])
            env = environments(
                urls,
                DEFAULT_PORTS,
                {
                    "PONTE_BOOTSTRAP_ADMIN_EMAIL": admin_email,
                    "PONTE_BOOTSTRAP_ADMIN_PASSWORD": admin_password,
                    "PONTE_LOG_FORMAT": os.environ.get("PONTE_LOG_FORMAT", "console"),
                    "PONTE_MIGRATE_ON_START": "false",
                },
                gateway_internal_port=DEFAULT_GATEWAY_INTERNAL_PORT,
            )
            (VAR / "logs").mkdir(parents=True, exist_ok=True)
            for name in SERVICES:
                process = ServiceProcess(
                    name,
                    DEFAULT_PORTS[name],
                    env[name],
                    log_path=VAR / "logs" / f"{name}.log",
                    internal_port=DEFAULT_GATEWAY_INTERNAL_PORT if name == "gateway" else None,
                )
                process.start()
                processes.append(process)
            for process in processes:
                process.wait_ready()
            from tools.demo import load_demo

            credentials = load_demo(processes[0].url, admin_email, admin_password)
            _announce(processes[0].url, admin_email, admin_password, credentials)
            while True:
                for process in processes:
                    if process.process is not None and process.process.poll() is not None:
                        print(f"{process.name} stopped unexpectedly; see var/logs/", flush=True)
                        raise KeyboardInterrupt
                time.sleep(1.0)
    except KeyboardInterrupt:
        print("\nStopping Ponte ...", flush=True)
    finally:
        for process in reversed(processes):
            process.stop()
    print("Stopped.", flush=True)
    return 0


def _announce(
    gateway: str, admin_email: str, admin_password: str, demo: list[tuple[str, str, str]]
) -> None:
    lines = [
        "",
        "Ponte is running.",
        f"  API (gateway):   {gateway}/api/v1",
        f"  API docs:        {gateway}/docs",
        f"  Status:          {gateway}/api/v1/status",
        f"  Metrics:         http://127.0.0.1:{DEFAULT_GATEWAY_INTERNAL_PORT}/metrics (internal)",
        "  Logs:            var/logs/",
        "",
        "Demo credentials (POST /api/v1/auth/token, grant_type=password):",
        f"  platform admin   {admin_email} / {admin_password}",
        *(f"  {role:<16} {email} / {password}" for role, email, password in demo),
        "",
        f"  curl -s {gateway}/api/v1/auth/token -d grant_type=password \\",
        f"       -d username={admin_email} -d password={admin_password}",
        "",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def revision(service: str, message: str) -> int:
    """Autogenerate a migration by comparing the models with a fresh, migrated database."""
    from alembic import command

    from shared.embedded import drop_database
    from shared.migrations import alembic_config

    with database_urls() as urls:
        server_url = urls[service]
        scratch = f"ponte_revision_{service}"
        url = asyncio.run(ensure_database(server_url, scratch))
        try:
            asyncio.run(upgrade_url(url, migrations_dir(service)))
            versions = migrations_dir(service) / "versions"
            number = len(list(versions.glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
            config = alembic_config(migrations_dir(service), url)
            script = command.revision(
                config, message=message, autogenerate=True, rev_id=f"{number:04d}"
            )
            print(f"Wrote {getattr(script, 'path', versions)}")
        finally:
            asyncio.run(drop_database(server_url, scratch))
    return 0


def openapi_document() -> dict[str, Any]:
    """The merged document the gateway serves, built in-process (no database needed)."""
    from services.gateway.app import create_app as gateway_app
    from services.gateway.edge.openapi_merge import merge
    from services.gateway.settings import GatewaySettings
    from services.intake.app import create_app as intake_app
    from services.intake.settings import IntakeSettings
    from services.matching.app import create_app as matching_app
    from services.matching.settings import MatchingSettings
    from services.pathways.app import create_app as pathways_app
    from services.pathways.settings import PathwaysSettings

    placeholder = "postgresql://unused@localhost/unused"
    gateway = gateway_app(GatewaySettings(database_url=placeholder))
    documents = {
        "intake": intake_app(IntakeSettings(database_url=placeholder)).openapi(),
        "pathways": pathways_app(PathwaysSettings(database_url=placeholder)).openapi(),
        "matching": matching_app(MatchingSettings(database_url=placeholder)).openapi(),
    }
    return merge(gateway.openapi(), documents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the whole stack with demo data")
    commands.add_parser("migrate", help="apply every service's migrations")
    revision_parser = commands.add_parser("revision", help="autogenerate a migration")
    revision_parser.add_argument("service", choices=SERVICES)
    revision_parser.add_argument("message")
    openapi_parser = commands.add_parser("openapi", help="write the merged OpenAPI document")
    openapi_parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)

    if args.command == "run":
        return run()
    if args.command == "migrate":
        with database_urls() as urls:
            migrate(urls)
        return 0
    if args.command == "revision":
        return revision(args.service, args.message)
    document = openapi_document()
    args.path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
