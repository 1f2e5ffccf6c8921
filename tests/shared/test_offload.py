"""shared.offload: work runs in a spawned worker that imports only the function's module, the
pool is sized by configuration, errors come back to the caller, and shutdown ends the workers."""

from __future__ import annotations

import operator
import os
from collections.abc import Iterator

import psutil
import pytest

from shared import offload


@pytest.fixture(autouse=True)
def fresh_pool() -> Iterator[None]:
    offload.shutdown_process_pool(wait=True)
    yield
    offload.shutdown_process_pool(wait=True)
    offload.configure(processes=0)


async def test_work_runs_in_another_process() -> None:
    assert await offload.run_in_process(operator.add, 2, 3) == 5
    worker = await offload.run_in_process(os.getpid)
    assert worker != os.getpid()
    assert worker in {child.pid for child in psutil.Process().children()}


async def test_a_worker_imports_the_work_not_the_service() -> None:
    modules = await offload.run_in_process(eval, "sorted(__import__('sys').modules)")
    assert "fastapi" not in modules
    assert "sqlalchemy" not in modules
    assert "pytest" not in modules


async def test_errors_reach_the_caller() -> None:
    with pytest.raises(ZeroDivisionError):
        await offload.run_in_process(operator.truediv, 1, 0)


def test_the_pool_is_sized_by_configuration_and_bounded_by_default() -> None:
    offload.configure(processes=3)
    assert offload.process_count() == 3
    offload.configure(processes=0)
    assert 1 <= offload.process_count() <= offload.DEFAULT_MAX_PROCESSES
    assert offload.process_count() <= offload.machine_workers()
    with pytest.raises(ValueError, match="negative"):
        offload.configure(processes=-1)


async def test_shutdown_ends_the_workers() -> None:
    worker = await offload.run_in_process(os.getpid)
    await offload.close_process_pool()
    assert not psutil.pid_exists(worker) or psutil.Process(worker).status() == psutil.STATUS_ZOMBIE


async def test_run_in_thread_returns_the_result() -> None:
    assert await offload.run_in_thread(operator.mul, 6, 7) == 42


def _own_niceness() -> int:
    import threading

    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_offloaded_work_runs_at_a_lower_priority_than_the_event_loop() -> None:
    loop_niceness = _own_niceness()
    in_thread = await offload.run_in_thread(_own_niceness)
    in_process = await offload.run_in_process(_own_niceness)
    # A nice value is absolute; one already lower in priority than 10 is kept (raising it back
    # would need a privilege).
    assert in_thread == max(loop_niceness, offload.BACKGROUND_NICENESS)
    assert in_process == in_thread
    assert _own_niceness() == loop_niceness  # the loop's own thread is untouched
    # Work the size of a request (a person's ranking) keeps the loop's priority.
    assert await offload.run_in_thread(_own_niceness, interactive=True) == loop_niceness


async def test_a_cancelled_caller_still_waits_for_its_thread_and_keeps_its_token() -> None:
    import threading

    import anyio

    limiter = anyio.CapacityLimiter(1)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        release.wait(5)
        finished.set()

    async with anyio.create_task_group() as group:
        group.start_soon(lambda: offload.run_in_thread(work, limiter=limiter))
        await anyio.to_thread.run_sync(started.wait, 5)
        group.cancel_scope.cancel()
        await anyio.sleep(0.05)
        assert limiter.borrowed_tokens == 1  # the cancelled caller has not let go yet
        release.set()
    assert finished.is_set()  # the task group ended only after the thread did
    assert limiter.borrowed_tokens == 0
