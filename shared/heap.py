"""The cycle collector and what a service keeps for its whole life.

CPython's cycle collector walks every container object it tracks when it collects the oldest
generation, holding the GIL, so every request of the process waits for it. A service's
long-lived heap (the modules it imported, its application, matching's ESCO taxonomy and indexes)
made those pauses 110-320 ms in matching under the mixed load, several a minute (``make bench
SUITES=load``): most of a route's p99. Objects that live for the life of the process, or until
they are replaced whole, are moved out of the collector's sight once they are built
(``gc.freeze``), so that a collection walks only what requests allocate.

A frozen object is still freed by reference counting when the last reference goes; only cyclic
garbage would stay. Hence the collection just before each freeze (whatever garbage exists is
gone before it can be frozen), and the indexes are built without reference cycles (a test drops
one and checks it is freed with the collector disabled).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what is garbage now, then exempt every object still alive from future
    collections. Costs one collection of what is not yet frozen: a start-up's or a rebuild's."""
    gc.collect()
    gc.freeze()
