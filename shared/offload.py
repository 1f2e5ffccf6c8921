"""CPU-heavy work off the event loop, so that one caller's heavy request never stalls the others.

Two doors, by what the work holds while it runs:

- ``run_in_process``: pure-Python work that holds the GIL (duplicate scoring, ranking,
  indicators). A thread would still take the GIL from the event loop every switch interval, so
  it runs in a small process pool, one per service process, sized to the machine. The function
  and its arguments must be picklable (module-level functions of ``domain/`` modules).
- ``run_in_thread``: work in C that releases the GIL (argon2 hashing, a linear-programming
  solver), in a thread, under a capacity limiter so that a burst cannot start more at once than
  the machine (and its memory) can hold.

Both are awaited by the request that asked for the work; a request's own bound on its size (a
batch, a number of offers, people x offers) is checked before it gets here.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


def machine_workers() -> int:
    """CPUs this process may use (cgroup and affinity aware where the platform says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_process_pool: ProcessPoolExecutor | None = None
_process_pool_pid: int | None = None


def process_pool() -> ProcessPoolExecutor:
    """The process's pool, made on first use ("spawn": forking a process with an event loop and
    threads running is unsafe), remade in a forked child."""
    global _process_pool, _process_pool_pid
    if _process_pool is None or _process_pool_pid != os.getpid():
        context = multiprocessing.get_context("spawn")
        _process_pool = ProcessPoolExecutor(max_workers=machine_workers(), mp_context=context)
        _process_pool_pid = os.getpid()
    return _process_pool


def shutdown_process_pool() -> None:
    """Called at application shutdown: the workers go with their service."""
    global _process_pool
    if _process_pool is not None and _process_pool_pid == os.getpid():
        _process_pool.shutdown(wait=False, cancel_futures=True)
    _process_pool = None


async def run_in_process(fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(process_pool(), partial(fn, *args, **kwargs))


_thread_limiter: anyio.CapacityLimiter | None = None


def thread_limiter() -> anyio.CapacityLimiter:
    global _thread_limiter
    if _thread_limiter is None:
        _thread_limiter = anyio.CapacityLimiter(machine_workers())
    return _thread_limiter


async def run_in_thread(
    fn: Callable[..., T],
    /,
    *args: object,
    limiter: anyio.CapacityLimiter | None = None,
    **kwargs: object,
) -> T:
    return await anyio.to_thread.run_sync(
        partial(fn, *args, **kwargs), limiter=limiter or thread_limiter()
    )
