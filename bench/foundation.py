"""Suite ``foundation``: the gateway's cost. Authenticated ``/auth/me`` and proxied trivial calls
against a bare FastAPI hello-world (the ceiling), with wrk, in interleaved rounds."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench import wrk
from bench.stack import admin_token, stack_and_ceiling


def run(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """Authenticated /auth/me and one proxied service call against the hello-world ceiling."""
    with stack_and_ceiling(logs) as (stack, hello):
        gateway = stack["gateway"].url
        auth = {"Authorization": f"Bearer {admin_token(gateway)}"}
        targets = {
            "hello-world (ceiling)": (f"{hello.url}/hello", {}),
            "GET /api/v1/auth/me (gateway)": (f"{gateway}/api/v1/auth/me", auth),
            "GET /api/v1/code-lists/sexes (proxied to intake)": (
                f"{gateway}/api/v1/code-lists/sexes",
                auth,
            ),
            "GET /api/v1/code-lists (the gateway's index, cached)": (
                f"{gateway}/api/v1/code-lists",
                auth,
            ),
            "GET /api/v1/code-lists/cefr-levels, Accept-Language (proxied)": (
                f"{gateway}/api/v1/code-lists/cefr-levels",
                {**auth, "Accept-Language": "it"},
            ),
        }
        for url, headers in targets.values():  # warm caches, pools and JITs of every kind
            wrk.run(url, seconds=2, connections=args.connections, headers=headers)
        rounds: dict[str, list[wrk.WrkResult]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                rounds[name].append(
                    wrk.run(
                        url, seconds=args.seconds, connections=args.connections, headers=headers
                    )
                )
    ceiling = wrk.median(rounds["hello-world (ceiling)"]).requests_per_second
    return {
        name: {
            **wrk.median(results).as_dict(),
            "ratio_to_ceiling": round(wrk.median(results).requests_per_second / ceiling, 3),
            "rounds": [result.as_dict() for result in results],
        }
        for name, results in rounds.items()
    }
