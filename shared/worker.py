"""The shape of a background worker woken by commits: the outbox relay and the webhook dispatcher.

A worker runs its loops as asyncio tasks from ``start()`` until ``await stop()`` (or ``async with
worker:``). A transaction that leaves it work marks its session (``session.info[commit_key]``);
once that transaction commits, every running worker of this process watching the key is woken at
once (:meth:`CommitWokenWorker.notify`, also safe from another thread); other replicas find the
work at their next poll. With ``housekeeping_seconds`` set, :meth:`housekeep` runs at the start
and then at that interval.

Stopping first lets the work in flight finish, for up to ``stop_grace_seconds``: the loops run
only ``while self.running`` and every wait is cut short by the stop, so a loop ends after its
current step. A step cut off instead is rolled back and done again (by this replica after a
restart, or at once by another): a delivery its consumer had already applied is sent twice, which
consumers absorb but a rolling update need not cause. Then it cancels every task still left (its
loops, its housekeeping and what it spawned), waits for all of them, and does not return while
one is left: a task that swallowed its cancellation still ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable
from types import TracebackType
from typing import Any, ClassVar, Self

from sqlalchemy import event
from sqlalchemy.orm import Session

from shared.logging import get_logger

_log = get_logger("ponte.worker")


async def cancel_and_wait(task: asyncio.Task[Any] | None, *, every: float = 1.0) -> None:
    """Cancel a background task and return once it has ended. In Python 3.11 a cancellation can
    be lost: ``asyncio.wait_for`` returns the awaited call's result when the cancellation arrives
    as that call finishes (gh-86296), and a loop around it runs on. A task still running after
    ``every`` seconds is cancelled again, so a stop never hangs (seen: the gateway's revocation
    listener held a test's teardown until the 5-minute fuse)."""
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=every)
    if not task.cancelled() and task.exception() is not None:
        _log.warning("background_task_failed", task=task.get_name())


class CommitWokenWorker:
    """Subclasses give ``commit_key``, their loops (:meth:`loops`) and what a wake-up sets
    (:meth:`woken`); optionally :meth:`wanted` and :meth:`housekeep`."""

    commit_key: ClassVar[str]
    housekeeping_name: ClassVar[str] = "housekeeping"

    def __init__(
        self, *, housekeeping_seconds: float | None = None, stop_grace_seconds: float = 5.0
    ) -> None:
        self._housekeeping_seconds = housekeeping_seconds
        self._stop_grace = stop_grace_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self._children: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._halt: asyncio.Event | None = None
        self._stopping = False

    # -- what a worker gives ---------------------------------------------------------------

    def loops(self) -> Iterable[tuple[str, Coroutine[Any, Any, None]]]:
        """The (task name, coroutine) of each loop to run."""
        raise NotImplementedError

    def woken(self) -> None:
        """Set the loops' wake events (called on the worker's loop)."""
        raise NotImplementedError

    def wanted(self, mark: Any) -> bool:
        """Whether a committed transaction's ``session.info[commit_key]`` concerns this worker."""
        return bool(mark)

    async def housekeep(self) -> None:
        """One round of housekeeping; an exception is logged and the round retried later."""

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._stopping

    def start(self) -> None:
        if self._tasks:
            return
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._halt = asyncio.Event()
        _watch_commits(self)
        self._tasks = [asyncio.create_task(coro, name=name) for name, coro in self.loops()]
        if self._housekeeping_seconds is not None:
            housekeeping = self._housekeeping(self._housekeeping_seconds)
            self._tasks.append(asyncio.create_task(housekeeping, name=self.housekeeping_name))

    async def stop(self) -> None:
        """Let the work in flight finish (up to the grace period), then cancel every task and
        wait until none is left (work still in flight is rolled back)."""
        _running.discard(self)
        self._stopping = True
        if self._halt is not None:
            self._halt.set()
        if self._loop is not None and not self._loop.is_closed():
            self.woken()
        if (finishing := [*self._tasks, *self._children]) and self._stop_grace > 0:
            await asyncio.wait(finishing, timeout=self._stop_grace)
        while pending := [*self._tasks, *self._children]:
            self._tasks = []
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            self._children.difference_update(pending)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def notify(self) -> None:
        """Look for work now rather than at the next poll. Safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.woken()
        else:
            loop.call_soon_threadsafe(self.woken)

    # -- helpers for the loops -------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None] | None:
        """Run ``coro`` as a task the worker cancels at stop (``None``, and not run, once it is
        stopping)."""
        if self._stopping:
            coro.close()
            return None
        task = asyncio.create_task(coro, name=name)
        self._children.add(task)
        task.add_done_callback(self._children.discard)
        return task

    async def pause(self, seconds: float, wake: asyncio.Event) -> bool:
        """Wait ``seconds``, less if ``wake`` is set (then ``True``) or the worker stops."""
        if self._stopping:
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await wake.wait()
                return True
        return False

    async def _housekeeping(self, interval: float) -> None:
        assert self._halt is not None
        while self.running:
            try:
                await self.housekeep()
            except Exception as error:  # retried at the next interval
                _log.error("worker_housekeeping_error", error=type(error).__name__)
            await self.pause(interval, self._halt)


# The workers running in this process, and every key one of them ever watched (a commit pops
# them from the session, as a rollback does).
_running: set[CommitWokenWorker] = set()
_keys: set[str] = set()


def _watch_commits(worker: CommitWokenWorker) -> None:
    _running.add(worker)
    _keys.add(worker.commit_key)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    marks = {key: session.info.pop(key, None) for key in tuple(_keys)}
    for worker in tuple(_running):
        mark = marks.get(worker.commit_key)
        if mark and worker.wanted(mark):
            worker.notify()


def _after_rollback(session: Session) -> None:
    for key in tuple(_keys):
        session.info.pop(key, None)
