"""``python -m services.gateway rotate-keys``: start signing with a new key.

Tokens signed by the old key keep verifying until they expire; every gateway replica picks up the
new key within ``PONTE_GATEWAY_KEY_RELOAD_SECONDS``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta

from services.gateway.keys import SigningKeys
from services.gateway.settings import GatewaySettings
from shared.db import create_engine, session_factory


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("rotate-keys", help="retire the signing key and start a new one")
    parser.parse_args(argv)
    settings = GatewaySettings()
    if not settings.database_url:
        print("Set PONTE_GATEWAY_DATABASE_URL.", file=sys.stderr)
        return 2
    print(f"Signing with new key {asyncio.run(rotate(settings))}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
