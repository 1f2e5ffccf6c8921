"""Where the engine's short work runs: on the event loop when it is small, else in a thread.

A ranking of a small index, the explanations of a page of matches and a referral's one pair run
on the event loop. In a thread they held the GIL anyway (mostly Python, a few milliseconds), and
the loop waited for it at every switch, so every other request of the service waited too: under
the mixed load at 125 requests/s, /matches p95 went from 130 to 65 ms and POST /referrals from
180 to 110 ms when they moved to the loop (``make bench SUITES=load``). A large index (numpy,
which leaves the GIL) and a long page (up to 100 explanations) still go to a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shared.offload import run_in_thread

OFFERS = 2_000  # an index of at most this many offers is ranked on the loop
EXPLAINED = 20  # a page of at most this many matches is explained on the loop
T = TypeVar("T")


async def run(small: bool, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work`` on the event loop when ``small``, else in an offload thread at normal priority."""
    if small:
        return work(*args, **kwargs)
    return await run_in_thread(work, *args, interactive=True, **kwargs)
