"""The catalogue of problem types: what each ``type`` URI of an error body means.

Every error the API answers names its type (``{issuer}/problems/{slug}``, see ``shared.errors``);
the gateway serves each type's document there and the whole catalogue at ``/problems``. The
catalogue is data, ``problem_types.json`` next to this module: :func:`entries` builds it from the
:class:`~shared.errors.Problem` subclasses of every service (``python -m tools.problem_types``
writes it, ``make openapi`` too, and a test checks it against the classes), so ``shared`` never
imports a service to know their problems.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from shared.errors import Problem, status_slug

CATALOGUE = Path(__file__).with_name("problem_types.json")


# The errors a framework answers bare (no Problem names them): a path or method nobody serves, a
# body over the limit. Their slug is the status phrase (``shared.errors.status_slug``).
BARE = {
    405: "The path exists but not with this method: Allow lists those it serves.",
    406: "No representation the Accept header allows: ask for application/json.",
    413: "The request body is larger than the service accepts.",
    500: "Something failed on Ponte's side; retry later and quote the request_id.",
    502: "A service answered the gateway with something it could not pass on; retry later.",
}


def entries(problems: Iterable[type[Problem]]) -> list[dict[str, Any]]:
    """One entry per slug: the class that first names it (the others inherit or share it) gives
    title, status and meaning; then the bare HTTP errors no class names."""
    found: dict[str, dict[str, Any]] = {}
    statuses: dict[str, set[int]] = {}
    for problem in sorted(problems, key=lambda cls: (len(cls.__mro__), cls.__qualname__)):
        statuses.setdefault(problem.slug, set()).add(problem.status)
        if problem.slug not in found:
            found[problem.slug] = {
                "slug": problem.slug,
                "title": problem.title,
                "status": problem.status,
                "description": problem.description,
            }
    for slug, seen in statuses.items():
        if len(seen) > 1:  # oauth: 400, and 401 for an unknown client
            found[slug]["statuses"] = sorted(seen)
    for status, meaning in BARE.items():
        slug = status_slug(status)
        if slug not in found:
            found[slug] = {
                "slug": slug,
                "title": HTTPStatus(status).phrase,
                "status": status,
                "description": meaning,
            }
    return sorted(found.values(), key=lambda entry: entry["slug"])


def subclasses(root: type[Problem] = Problem) -> list[type[Problem]]:
    """``root`` and every subclass of it imported so far."""
    found = [root]
    for child in root.__subclasses__():
        found.extend(subclasses(child))
    return found


def dump(catalogue: list[dict[str, Any]]) -> str:
    return json.dumps(catalogue, indent=2, ensure_ascii=False) + "\n"


@cache
def load() -> tuple[dict[str, Any], ...]:
    """The committed catalogue."""
    return tuple(json.loads(CATALOGUE.read_text(encoding="utf-8")))
