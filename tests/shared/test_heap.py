"""``shared.heap.settle``: what is alive is frozen, what is garbage is not."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from shared import heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_settle_freezes_what_lives_and_collects_the_cycles_that_do_not() -> None:
    kept = Node()
    garbage, partner = Node(), Node()
    garbage.other, partner.other = partner, garbage  # a cycle: only the collector frees it
    gone = weakref.ref(garbage)
    del garbage, partner
    frozen_before = gc.get_freeze_count()
    heap.settle()
    assert gone() is None  # collected before the freeze, not kept for the life of the process
    assert gc.get_freeze_count() > frozen_before
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's sight
