"""What the ``isolation`` suite watches while one caller runs something heavy: another caller's
reads, one at a time, and the memory and CPU of the services' process trees."""

from __future__ import annotations

import contextlib
import multiprocessing
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event
from typing import Any

import httpx
import psutil

MIB = 1024 * 1024


_SPAWN = multiprocessing.get_context("spawn")


def _read_until_halted(
    base_url: str,
    headers: dict[str, str],
    paths: Sequence[str],
    limit: int | None,
    ready: Event,
    halt: Event,
    results: SimpleQueue[tuple[list[float], dict[str, int]]],
) -> None:
    timings: list[float] = []
    statuses: Counter[str] = Counter()
    with httpx.Client(base_url=base_url, headers=headers, timeout=60.0) as client:
        ready.set()
        while not halt.is_set() and (limit is None or len(timings) < limit):
            path = paths[len(timings) % len(paths)]
            started = time.perf_counter()
            try:
                status = str(client.get(path).status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            timings.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    results.put((timings, dict(statuses)))


class Reads:
    """One kind of read, sent again and again, one at a time (a person at a desk, not a load
    test), until stopped or until ``limit`` reads are done. Each reader is a process of its own:
    B is another client, and threads of the bench would share its GIL with the loop that sends
    A's heavy request (a burst of 60 sign-ins), counting the bench's own contention in B's
    latency."""

    def __init__(
        self, base_url: str, headers: Mapping[str, str], paths: Sequence[str], limit: int | None
    ) -> None:
        self.timings: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.ready = _SPAWN.Event()
        self.halt = _SPAWN.Event()
        self._results: SimpleQueue[tuple[list[float], dict[str, int]]] = _SPAWN.SimpleQueue()
        self._process = _SPAWN.Process(
            target=_read_until_halted,
            args=(
                base_url,
                dict(headers),
                list(paths),
                limit,
                self.ready,
                self.halt,
                self._results,
            ),
            daemon=True,
        )
        self._collected = False

    def start(self) -> None:
        self._process.start()

    def wait_ready(self, timeout: float = 60.0) -> None:
        if not self.ready.wait(timeout):
            raise TimeoutError("a reader did not start")

    def join(self) -> None:
        if self._collected:
            return
        timings, statuses = self._results.get()
        self._process.join()
        self.timings, self.statuses, self._collected = timings, Counter(statuses), True

    def figures(self) -> dict[str, Any]:
        return summary(self.timings, self.statuses)


def summary(timings: Sequence[float], statuses: Mapping[str, int]) -> dict[str, Any]:
    """p50, p95 and max in milliseconds, and the answers that were not a 200."""
    if not timings:
        return {"requests": 0}
    cuts = statistics.quantiles(timings, n=20, method="inclusive") if len(timings) > 1 else []
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(cuts[18] if cuts else timings[0], 2),
        "max_ms": round(max(timings), 2),
        "not_200": sum(count for status, count in statuses.items() if status != "200"),
    }


@contextlib.contextmanager
def reading(
    base_url: str,
    headers: Mapping[str, str],
    probes: Mapping[str, Sequence[str]],
    limit: int | None = None,
) -> Iterator[dict[str, Reads]]:
    """One process per probe, all reading at once (the block starts once each has its
    connection), each until ``limit`` reads (then the block waits for them) or until the block
    ends."""
    readers = {name: Reads(base_url, headers, paths, limit) for name, paths in probes.items()}
    for reader in readers.values():
        reader.start()
    for reader in readers.values():
        reader.wait_ready()
    try:
        if limit is not None:
            for reader in readers.values():
                reader.join()
        yield readers
    finally:
        for reader in readers.values():
            reader.halt.set()
        for reader in readers.values():
            reader.join()


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(root: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants (worker pools included). Pages the
    processes share are counted once per process: a little above what a cgroup would charge."""
    total = 0
    for process in _tree(root):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total


def tree_cpu_seconds(root: psutil.Process) -> float:
    total = 0.0
    for process in _tree(root):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = process.cpu_times()
            total += times.user + times.system
    return total


class MemoryWatch(threading.Thread):
    """The resident memory of each named process tree, sampled every ``interval`` seconds; the
    first sample and the peak."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.roots = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.before = {name: tree_rss(root) for name, root in self.roots.items()}
        self.peak = dict(self.before)
        self.samples = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            for name, root in self.roots.items():
                self.peak[name] = max(self.peak[name], tree_rss(root))
            self.samples += 1

    def stop(self) -> None:
        self.halt.set()
        self.join()


def wait_idle(
    pids: Mapping[str, int], *, cores: float = 0.2, window: float = 0.5, timeout: float = 60.0
) -> float:
    """Seconds until none of the process trees uses more than ``cores`` CPUs over ``window``
    seconds (work whose caller has gone, e.g. after a 504, still counts as running)."""
    roots = [psutil.Process(pid) for pid in pids.values()]
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        before = [tree_cpu_seconds(root) for root in roots]
        time.sleep(window)
        after = [tree_cpu_seconds(root) for root in roots]
        if all((b - a) / window <= cores for a, b in zip(before, after, strict=True)):
            break
    return round(time.perf_counter() - started, 2)


def mib(size: int) -> float:
    return round(size / MIB, 1)
