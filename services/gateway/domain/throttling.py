"""When failed logins start to cost time: a pure policy, so it can be tested without a clock.

The first few failures in a window are free (people mistype); after that each failure blocks the
account (or address) for twice as long as the previous one, up to a cap. A success clears the
account's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free_attempts: int
    window: timedelta
    max_block: timedelta
    first_block: timedelta = timedelta(seconds=1)

    def block_after(self, failures: int) -> timedelta:
        """How long to block once ``failures`` consecutive failures have been recorded."""
        if failures < self.free_attempts:
            return timedelta(0)
        doublings = min(failures - self.free_attempts, 30)
        block: timedelta = min(self.first_block * (2**doublings), self.max_block)
        return block

    def restarts_window(self, first_failure_at: datetime, now: datetime) -> bool:
        return now - first_failure_at > self.window


def retry_after_seconds(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds to wait (0 when not blocked), rounded up so a client never retries early."""
    if blocked_until is None or blocked_until <= now:
        return 0
    remaining = (blocked_until - now).total_seconds()
    return max(1, int(remaining) + (0 if remaining.is_integer() else 1))
