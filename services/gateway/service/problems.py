"""The catalogue of problem types (``shared/problem_types.json``) as the gateway publishes it,
each at the URI error bodies name in ``type``. A bare HTTP status the catalogue does not list
still resolves, to its phrase: every ``type`` the API can answer leads somewhere."""

from __future__ import annotations

from http import HTTPStatus

from services.gateway.schemas.problems import ProblemType
from shared import problem_types
from shared.errors import problem_type, status_slug


def catalogue() -> list[ProblemType]:
    return [
        ProblemType(type=problem_type(entry["slug"]), **entry) for entry in problem_types.load()
    ]


def one(slug: str) -> ProblemType | None:
    for entry in problem_types.load():
        if entry["slug"] == slug:
            return ProblemType(type=problem_type(slug), **entry)
    for status in HTTPStatus:
        if status >= 400 and status_slug(status) == slug:
            return ProblemType(
                type=problem_type(slug),
                slug=slug,
                title=status.phrase,
                status=int(status),
                description=f"HTTP {int(status)} {status.phrase} (RFC 9110), as a problem.",
            )
    return None
