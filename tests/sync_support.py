"""A client of the sync convention (``shared.sync``) for the tests of every mirrored list: a whole
run page by page, and runs repeated until what they brought satisfies a test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

Done = Callable[[list[dict[str, Any]], list[dict[str, Any]]], bool]


async def sync_run(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], since: str, limit: int = 50
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """A whole sync run, page by page: its items, removals and watermark."""
    items: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"since": since, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        answer = await client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        removed += page["removed"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items, removed, page["watermark"]


async def sync_runs_until(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    since: str,
    done: Done,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Syncs, each from the last one's watermark, until ``done`` holds of all they brought. A
    watermark waits for every older transaction on the server, another test's included, so what
    one sync does not bring yet, a later one brings."""
    items: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while True:
        more, gone, since = await sync_run(client, path, headers, since, limit)
        items += more
        removed += gone
        if done(items, removed) or time.monotonic() > deadline:
            return items, removed, since
        await asyncio.sleep(0.05)


def count(expected: int) -> Done:
    return lambda items, removed: len(items) + len(removed) >= expected


async def ids_synced_during(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    writing: asyncio.Task[Any],
    expected: int,
) -> list[str]:
    """The ids a client syncing in a loop (two a page) gets while ``writing`` runs, and after it
    until ``expected`` came: each as often as it came."""
    seen: list[str] = []
    watermark = "0"
    while not writing.done():
        items, _, watermark = await sync_run(client, path, headers, watermark, limit=2)
        seen += [item["id"] for item in items]
        await asyncio.sleep(0.01)
    await writing
    items, _, _ = await sync_runs_until(
        client, path, headers, watermark, lambda items, _: len(seen) + len(items) >= expected
    )
    return seen + [item["id"] for item in items]
