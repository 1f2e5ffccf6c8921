"""Unknown query parameters are refused (422), on every route of every service.

A parameter a route does not declare used to be ignored, so ``GET /beneficiaries?external_id=x``
answered with everyone, as if filtered. Each route's parameters are read once from FastAPI's own
record of it (the flattened dependant, so parameters of dependencies count too, and the fields of
a query model), and compared with the request's.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.errors import FieldError, UnprocessableContent

_NAMES_ATTRIBUTE = "_ponte_query_names"
_SHOWN = 10  # names listed in one answer; the rest are counted
_NAME_WIDTH = 40


def declared_query_names(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` reads, cached on the route."""
    cached: frozenset[str] | None = getattr(route, _NAMES_ATTRIBUTE, None)
    if cached is not None:
        return cached
    names: set[str] = set()
    pending: list[Dependant] = [route.dependant]
    while pending:  # the route's own parameters and those of every dependency under it
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        for param in dependant.query_params:
            annotation: Any = param.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names.update(field.alias or name for name, field in annotation.model_fields.items())
            else:
                names.add(param.alias)
    frozen = frozenset(names)
    setattr(route, _NAMES_ATTRIBUTE, frozen)
    return frozen


async def refuse_unknown_query_params(request: Request) -> None:
    """An app-wide dependency: 422 naming the query parameters the matched route does not take."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = declared_query_names(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if not unknown:
        return
    shown = [name[:_NAME_WIDTH] for name in unknown[:_SHOWN]]
    more = f" (and {len(unknown) - _SHOWN} more)" if len(unknown) > _SHOWN else ""
    accepted = ", ".join(sorted(known)) or "none"
    raise UnprocessableContent(
        f"Unknown query parameters: {', '.join(shown)}{more}. This operation takes: {accepted}.",
        errors=[
            FieldError(
                field=f"query.{name}", message="unknown query parameter", code="extra_forbidden"
            )
            for name in shown
        ],
    )
