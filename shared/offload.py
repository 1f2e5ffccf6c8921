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

Both run the work at a lower CPU priority (``BACKGROUND_NICENESS``). A bound on concurrency keeps
one request from taking every core for long, but while the work runs it still competes with the
event loops that serve everybody else: on a machine of two cores, four argon2 checks at once
made another organisation's reads 12-16 times slower (``make bench SUITES=isolation``). A lower
priority lets the scheduler serve the short requests first and give the heavy work what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import types
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from multiprocessing import popen_spawn_posix
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


# A pool's worker is a spawned interpreter holding the modules of the functions it ran (measured:
# ~35 MiB for intake's duplicate scoring, docs/limits.md); the services run under a 512 MiB limit
# on nodes with many more CPUs than they are given, so by default a pool has at most this many.
DEFAULT_MAX_PROCESSES = 2
# A worker is replaced after this many tasks, so that what its caches keep (the name-likeness
# cache of duplicate scoring) never grows for the life of the service.
TASKS_PER_WORKER = 200
# Linux's nice value for offloaded work (0 is normal, 19 the lowest): at 10 a busy thread gets
# about a tenth of the CPU a normal one gets when both want it, and all of it when nobody else does.
BACKGROUND_NICENESS = 10
# Threads of the offload pool: an upper bound only; the callers' limiters bound the work itself.
MAX_THREADS = 32
# An offload thread that runs Python (allocation building its matrices, ranking its scores)
# holds the GIL; the event loop's thread then waits CPython's switch interval (5 ms by default)
# for it at each step of every other request, several per request. A service process waits at
# most this long instead; the heavy thread pays a few more switches.
GIL_SWITCH_SECONDS = 0.001


def lower_priority() -> None:
    """Lower the calling thread's CPU priority (on Linux a nice value is per thread, and threads
    it starts inherit it). Lowering needs no privilege; elsewhere, or if refused, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


def _cgroup_cpus() -> int | None:
    """The CPU quota of the container (cgroup v2 ``cpu.max``), rounded up; None when unlimited."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, -(-int(quota) // int(period)))


def machine_workers() -> int:
    """CPUs this process may use (affinity, and the container's CPU quota when it has one)."""
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = max(1, os.cpu_count() or 1)
    quota = _cgroup_cpus()
    return cpus if quota is None else min(cpus, quota)


class _LeanPopen(popen_spawn_posix.Popen):
    """Starts a worker without the service's ``__main__``.

    A spawned child re-imports the parent's main module (as ``__mp_main__``) when it is a script:
    under the ``uvicorn`` console script, or a script that starts a service, that would load the
    server (or run the script again) in every worker. Workers run only module-level functions
    of ``domain/`` modules, so they are started as if the parent had no main module: they import
    the function's module and what it imports, nothing else."""

    _lock = threading.Lock()  # the pool may start workers from its own thread too
    _bare_main = types.ModuleType("__main__")

    def _launch(self, process_obj: BaseProcess) -> None:
        with self._lock:
            main = sys.modules["__main__"]
            sys.modules["__main__"] = self._bare_main
            try:
                super()._launch(process_obj)  # type: ignore[misc]
            finally:
                sys.modules["__main__"] = main


class _LeanProcess(SpawnProcess):
    @staticmethod
    def _Popen(process_obj: BaseProcess) -> _LeanPopen:
        return _LeanPopen(process_obj)


class _LeanContext(SpawnContext):
    Process = _LeanProcess


_configured_processes = 0
_process_pool: ProcessPoolExecutor | None = None
_process_pool_pid: int | None = None


def configure(*, processes: int = 0) -> None:
    """Set the pool's size (a service's ``offload_processes`` setting; 0: the machine's CPUs, at
    most ``DEFAULT_MAX_PROCESSES``), taking effect for the next pool made, and the process's GIL
    switch interval (``GIL_SWITCH_SECONDS``)."""
    global _configured_processes
    if processes < 0:
        raise ValueError("processes cannot be negative")
    _configured_processes = processes
    sys.setswitchinterval(GIL_SWITCH_SECONDS)


def process_count() -> int:
    return _configured_processes or min(machine_workers(), DEFAULT_MAX_PROCESSES)


def process_pool() -> ProcessPoolExecutor:
    """The process's pool, made on first use ("spawn": forking a process with an event loop and
    threads running is unsafe), remade in a forked child. Workers start on demand, so a service
    that never offloads never pays for them."""
    global _process_pool, _process_pool_pid
    if _process_pool is None or _process_pool_pid != os.getpid():
        context = _LeanContext()
        _process_pool = ProcessPoolExecutor(
            max_workers=process_count(),
            mp_context=context,
            max_tasks_per_child=TASKS_PER_WORKER,
            initializer=lower_priority,
        )
        _process_pool_pid = os.getpid()
    return _process_pool


def shutdown_process_pool(*, wait: bool = False) -> None:
    """Called at application shutdown: the workers go with their service, and work still queued
    is cancelled (its requests are ending too)."""
    global _process_pool
    pool, _process_pool = _process_pool, None
    if pool is not None and _process_pool_pid == os.getpid():
        pool.shutdown(wait=wait, cancel_futures=True)


async def close_process_pool() -> None:
    """``shutdown_process_pool`` waiting for the workers to exit, without blocking the loop."""
    await anyio.to_thread.run_sync(partial(shutdown_process_pool, wait=True))


async def run_in_process(fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """``fn(*args, **kwargs)`` in the pool; ``fn`` must be a module-level function whose module
    imports only what the work needs (a worker imports it, not the service)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(process_pool(), partial(fn, *args, **kwargs))


_thread_limiter: anyio.CapacityLimiter | None = None
_thread_pool: ThreadPoolExecutor | None = None
_interactive_pool: ThreadPoolExecutor | None = None


def thread_limiter() -> anyio.CapacityLimiter:
    global _thread_limiter
    if _thread_limiter is None:
        _thread_limiter = anyio.CapacityLimiter(machine_workers())
    return _thread_limiter


def thread_pool() -> ThreadPoolExecutor:
    """Threads kept apart from anyio's default ones (which also serve short blocking calls), so
    that their lower priority never slows anything but offloaded work."""
    global _thread_pool
    if _thread_pool is None:
        _thread_pool = ThreadPoolExecutor(
            max_workers=MAX_THREADS, thread_name_prefix="offload", initializer=lower_priority
        )
    return _thread_pool


def interactive_pool() -> ThreadPoolExecutor:
    """Threads at the normal priority, for work the size of a request (one person's ranking):
    at the background priority it got a tenth of a busy machine's CPU, and a ranking of 20 ms
    took seconds behind everybody's short requests (``make bench SUITES=load``)."""
    global _interactive_pool
    if _interactive_pool is None:
        _interactive_pool = ThreadPoolExecutor(
            max_workers=MAX_THREADS, thread_name_prefix="interactive"
        )
    return _interactive_pool


async def run_in_thread(
    fn: Callable[..., T],
    /,
    *args: object,
    limiter: anyio.CapacityLimiter | None = None,
    interactive: bool = False,
    **kwargs: object,
) -> T:
    """``fn(*args, **kwargs)`` in an offload thread once ``limiter`` lets it start. The thread
    is always awaited, even when the caller is cancelled (as ``anyio.to_thread.run_sync``
    does): a thread cannot be stopped, and the limiter's token must stay taken while it runs.
    ``interactive``: work the size of a request, at the normal priority (``interactive_pool``);
    otherwise heavy work, at the background one."""
    async with limiter or thread_limiter():
        pool = interactive_pool() if interactive else thread_pool()
        future = asyncio.get_running_loop().run_in_executor(pool, partial(fn, *args, **kwargs))
        with anyio.CancelScope(shield=True):
            result = await future
    return result
