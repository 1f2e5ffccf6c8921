"""The commit-woken worker against real PostgreSQL: woken by the commits that leave it work (not
by rollbacks, nor by work for another worker), housekeeping on its interval, and a stop that
leaves no task behind, even one blocked in the database or one that swallows its cancellation."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
from sqlalchemy import Column, Integer, Table, Text, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import create_engine, make_metadata, session_factory
from shared.testing.plugin import DatabaseFactory
from shared.worker import CommitWokenWorker, cancel_and_wait

KEY = "ponte.test_worker_queued"
metadata = make_metadata()
JOB = Table(
    "job",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("queue", Text, nullable=False),
)
Sessions = async_sessionmaker[AsyncSession]


class Counter(CommitWokenWorker):
    """Counts the jobs of its queue each time it wakes (the poll is long: only wakes count)."""

    commit_key = KEY
    housekeeping_name = "test-housekeeping"

    def __init__(self, sessions: Sessions, queue: str, **options: Any) -> None:
        super().__init__(**options)
        self.sessions = sessions
        self.queue = queue
        self.seen: list[int] = []
        self.housekeeping_rounds = 0
        self.wake = asyncio.Event()
        self.looked = asyncio.Event()

    def loops(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        return [(f"test-worker:{self.queue}", self._run())]

    def woken(self) -> None:
        self.wake.set()

    def wanted(self, mark: Any) -> bool:
        return self.queue in mark

    async def housekeep(self) -> None:
        self.housekeeping_rounds += 1

    async def _run(self) -> None:
        woken = False
        while self.running:
            self.wake.clear()
            if woken:
                async with self.sessions() as session:
                    count = await session.scalar(
                        select(func.count()).where(JOB.c.queue == self.queue)
                    )
                self.seen.append(count or 0)
                self.looked.set()
            woken = await self.pause(60.0, self.wake)


@pytest.fixture(scope="module")
async def engine(database_factory: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(await database_factory("worker"), pool_size=10)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> Sessions:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE job RESTART IDENTITY"))
    return session_factory(engine)


async def queue_job(sessions: Sessions, queue: str, *, commit: bool = True) -> None:
    async with sessions() as session, session.begin():
        await session.execute(insert(JOB).values(queue=queue))
        session.info.setdefault(KEY, set()).add(queue)
        if not commit:
            await session.rollback()


def worker_tasks() -> list[asyncio.Task[Any]]:
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(("test-worker", "test-housekeeping", "test-child"))
        and not task.done()
    ]


async def test_a_commit_that_leaves_work_wakes_the_worker_at_once(sessions: Sessions) -> None:
    async with Counter(sessions, "a") as worker:
        await queue_job(sessions, "a")
        await asyncio.wait_for(worker.looked.wait(), timeout=5)
        assert worker.seen == [1]


async def test_a_rollback_or_work_for_another_worker_does_not_wake_it(sessions: Sessions) -> None:
    async with Counter(sessions, "a") as worker, Counter(sessions, "b") as other:
        await queue_job(sessions, "a", commit=False)
        await queue_job(sessions, "b")
        await asyncio.wait_for(other.looked.wait(), timeout=5)
        await asyncio.sleep(0.2)
        assert worker.seen == []
        assert other.seen == [1]
        async with sessions() as session, session.begin():
            assert KEY not in session.info  # a rollback forgot the mark
        await queue_job(sessions, "a")
        await asyncio.wait_for(worker.looked.wait(), timeout=5)
        assert worker.seen == [1]


async def test_notify_from_another_thread_wakes_the_worker(sessions: Sessions) -> None:
    async with Counter(sessions, "a") as worker:
        await queue_job(sessions, "elsewhere")
        thread = threading.Thread(target=worker.notify)
        thread.start()
        thread.join()
        await asyncio.wait_for(worker.looked.wait(), timeout=5)
        assert worker.seen == [0]


async def test_housekeeping_runs_at_start_then_at_its_interval(sessions: Sessions) -> None:
    async with Counter(sessions, "a", housekeeping_seconds=0.05) as worker:
        await asyncio.sleep(0.3)
        assert worker.housekeeping_rounds >= 3
    rounds = worker.housekeeping_rounds
    await asyncio.sleep(0.15)
    assert worker.housekeeping_rounds == rounds  # none after the stop


async def test_without_an_interval_there_is_no_housekeeping(sessions: Sessions) -> None:
    async with Counter(sessions, "a") as worker:
        await asyncio.sleep(0.05)
        assert worker.housekeeping_rounds == 0
        assert [task.get_name() for task in worker_tasks()] == ["test-worker:a"]


async def test_stop_cancels_a_child_blocked_in_the_database_and_leaves_no_task(
    sessions: Sessions,
) -> None:
    worker = Counter(sessions, "a", housekeeping_seconds=600, stop_grace_seconds=0.2)
    worker.start()
    worker.start()  # a second start changes nothing
    started = asyncio.Event()

    async def blocked() -> None:
        async with sessions() as session:
            started.set()
            await session.execute(text("SELECT pg_sleep(30)"))

    child = worker.spawn(blocked(), name="test-child")
    assert child is not None
    await asyncio.wait_for(started.wait(), timeout=5)
    await asyncio.sleep(0.1)
    assert len(worker_tasks()) == 3
    await asyncio.wait_for(worker.stop(), timeout=10)
    assert worker_tasks() == []
    assert child.cancelled()
    async with sessions() as session:  # the connection went back to the pool usable
        assert await session.scalar(text("SELECT 1")) == 1


async def test_stop_lets_the_work_in_flight_finish_within_the_grace(sessions: Sessions) -> None:
    worker = Counter(sessions, "a", stop_grace_seconds=5)
    worker.start()
    started, finished = asyncio.Event(), []

    async def step() -> None:
        async with sessions() as session:
            started.set()
            finished.append(await session.scalar(text("SELECT 7 FROM pg_sleep(0.3)")))

    assert worker.spawn(step(), name="test-child") is not None
    await asyncio.wait_for(started.wait(), timeout=5)
    await asyncio.wait_for(worker.stop(), timeout=10)
    assert finished == [7]  # not cancelled: a delivery in flight moves its cursor
    assert worker_tasks() == []


async def test_a_loop_that_swallows_its_cancellation_still_ends_at_stop(
    sessions: Sessions,
) -> None:
    class Stubborn(Counter):
        async def _run(self) -> None:
            while self.running:
                try:
                    await self.pause(60.0, self.wake)
                except asyncio.CancelledError:
                    continue  # wrongly swallowed: ``running`` still ends the loop

    worker = Stubborn(sessions, "a")
    worker.start()
    await asyncio.sleep(0.05)
    await asyncio.wait_for(worker.stop(), timeout=5)
    assert worker_tasks() == []


async def test_after_stop_nothing_is_spawned_and_the_worker_can_start_again(
    sessions: Sessions,
) -> None:
    worker = Counter(sessions, "a")
    worker.start()
    await worker.stop()
    await worker.stop()  # twice is harmless

    async def never() -> None:
        raise AssertionError("spawned after stop")

    assert worker.spawn(never(), name="test-child") is None
    await queue_job(sessions, "a")  # a stopped worker is not woken
    assert worker.seen == []
    async with worker:
        await queue_job(sessions, "a")
        await asyncio.wait_for(worker.looked.wait(), timeout=5)
        assert worker.seen == [2]
    assert worker_tasks() == []


async def test_a_task_that_loses_its_cancellation_is_still_stopped() -> None:
    """Python 3.11's ``asyncio.wait_for`` can swallow a cancellation (gh-86296); a loop around it
    then runs on. ``cancel_and_wait`` cancels again until the task has ended."""
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                if swallowed == 2:
                    raise
                swallowed += 1  # as wait_for does when the awaited call finishes meanwhile

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0.02)
    await asyncio.wait_for(cancel_and_wait(task, every=0.05), timeout=5)
    assert task.cancelled()
    assert swallowed == 2
    await cancel_and_wait(None)  # nothing to stop
