"""Password hashing off the event loop, a bounded number at once in each gateway process.

Each argon2 check holds its memory cost (``domain.passwords.MEMORY_KIB``) while it runs, so the
process's memory grows with the checks running together: unbounded (anyio's default of 40
threads, at 64 MiB each), 45 concurrent wrong-password sign-ins took a gateway from 196 MiB to
1.38 GiB. Here at most ``concurrency`` run at once (argon2-cffi releases the GIL, so they run in
threads, ``shared.offload.run_in_thread``); the next ``max_waiting`` callers queue for a slot, for
at most ``max_wait_seconds``. A caller beyond the queue, or one whose wait runs out, gets a 503
with ``Retry-After`` at once rather than piling up: a burst costs its senders time, not the
process its memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import anyio

from services.gateway.domain.passwords import hash_password, verify_password
from services.gateway.settings import GatewaySettings
from shared.errors import ServiceUnavailable
from shared.logging import get_logger
from shared.offload import machine_workers, run_in_thread

T = TypeVar("T")
# The default's ceiling: 4 checks (76 MiB) keep a gateway well under its 512 MiB limit on a node
# of any size.
MAX_DEFAULT_CONCURRENCY = 4
_log = get_logger("ponte.gateway.hashing")


def default_concurrency() -> int:
    """One CPU fewer than the process may use, so that a burst of sign-ins always leaves a core
    to the event loops serving everybody else (on two cores, four checks at once made other
    organisations' reads 3-4 times slower even at a lower priority; one check, 2.5 times).
    Between 1 and ``MAX_DEFAULT_CONCURRENCY``."""
    return max(1, min(MAX_DEFAULT_CONCURRENCY, machine_workers() - 1))


class HashingBusy(ServiceUnavailable):
    """Every hashing slot is taken and the queue is full (or the wait ran out)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many sign-ins are being checked at once; try again shortly.",
            headers={"Retry-After": str(retry_after)},
        )


class PasswordHashing:
    """The process's hashing slots. Made inside the running event loop (the app's lifespan)."""

    def __init__(self, *, concurrency: int, max_waiting: int, max_wait_seconds: float) -> None:
        self.concurrency = concurrency
        self.max_waiting = max_waiting
        self.max_wait_seconds = max_wait_seconds
        self._slots = anyio.CapacityLimiter(concurrency)
        # The threads' own limiter: never full, since only slot holders reach it (sharing the
        # slots' limiter would make a slot holder wait for a second token of its own).
        self._threads = anyio.CapacityLimiter(concurrency)
        self._waiting = 0

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> PasswordHashing:
        return cls(
            concurrency=settings.password_hash_concurrency or default_concurrency(),
            max_waiting=settings.password_hash_max_waiting,
            max_wait_seconds=settings.password_hash_max_wait_seconds,
        )

    @property
    def running(self) -> int:
        return int(self._slots.borrowed_tokens)

    @property
    def waiting(self) -> int:
        return self._waiting

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a hashing thread once a slot is free; ``HashingBusy`` (503) when the
        queue is full or the wait runs out."""
        borrower = object()
        if self._slots.available_tokens < 1 and self._waiting >= self.max_waiting:
            _log.warning("password_hashing_busy", running=self.running, waiting=self._waiting)
            raise HashingBusy(self._retry_after())
        self._waiting += 1
        try:
            with anyio.fail_after(self.max_wait_seconds):
                await self._slots.acquire_on_behalf_of(borrower)
        except TimeoutError:
            _log.warning("password_hashing_wait_expired", running=self.running)
            raise HashingBusy(self._retry_after()) from None
        finally:
            self._waiting -= 1
        try:
            return await run_in_thread(fn, *args, limiter=self._threads)
        finally:
            self._slots.release_on_behalf_of(borrower)

    def _retry_after(self) -> int:
        # About the time the queue ahead takes to drain, never less than a second.
        return max(1, math.ceil(self.max_wait_seconds))

    async def hash(self, password: str) -> str:
        return await self.run(hash_password, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self.run(verify_password, password_hash, password)
