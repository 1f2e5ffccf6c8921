"""A progress bar on stderr, small enough not to be worth a dependency."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """``start(phase, total)``, ``advance(n)`` any number of times, ``finish()``.

    On a terminal the bar redraws in place at most ten times a second; into a file or a pipe
    (CI logs) only each phase's final line is written. Without a stream it is silent, which is
    what the tests and the demo use.
    """

    def __init__(self, stream: TextIO | None = None, *, width: int = 30) -> None:
        self._stream = stream
        self._live = bool(stream is not None and stream.isatty())
        self._width = width
        self._phase = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._drawn = 0.0

    def start(self, phase: str, total: int) -> None:
        self._phase, self._total, self._done = phase, max(total, 0), 0
        self._started = self._drawn = time.monotonic()
        self._draw(final=False)

    def advance(self, amount: int) -> None:
        self._done = min(self._done + amount, self._total)
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self._draw(final=False)

    def finish(self) -> None:
        self._done = self._total
        self._draw(final=True)

    def _draw(self, *, final: bool) -> None:
        if self._stream is None or not (self._live or final):
            return
        share = self._done / self._total if self._total else 1.0
        filled = round(share * self._width)
        bar = "#" * filled + "." * (self._width - filled)
        elapsed = time.monotonic() - self._started
        line = f"{self._phase:<10} [{bar}] {share:4.0%} {self._done:>10,}/{self._total:,} "
        line += f"{elapsed:5.1f}s"
        self._stream.write(("\r" if self._live else "") + line + ("\n" if final else ""))
        self._stream.flush()
