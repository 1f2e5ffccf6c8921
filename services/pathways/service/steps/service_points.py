"""The service points and territory a step names (an assessment's territorial context, the
actions a respond or an adjust adds), checked with matching before anything is recorded: each
point must exist, be active and be visible to the organisation running the pathway; the
territory must be known. Unusable ones answer 422 naming each field; matching down, 503."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from services.pathways.clients.matching import MatchingClient, ServicePoint
from services.pathways.db.models import Pathway
from services.pathways.errors import UnusableReferences
from services.pathways.schemas.steps import (
    ActionCreate,
    AdjustmentCreate,
    AssessmentCreate,
    RespondCreate,
)


def _of_actions(field: str, actions: list[ActionCreate]) -> dict[str, uuid.UUID]:
    return {
        f"{field}.{index}.service_point_id": action.service_point_id
        for index, action in enumerate(actions)
        if action.service_point_id is not None
    }


def named(body: BaseModel) -> tuple[dict[str, uuid.UUID], dict[str, str]]:
    """The service points and the territory codes the body names, by field."""
    if isinstance(body, AssessmentCreate):
        context = body.territorial_context
        points = {
            f"territorial_context.service_point_ids.{index}": point_id
            for index, point_id in enumerate(context.service_point_ids)
        }
        codes = (
            {"territorial_context.territory_code": context.territory_code}
            if context.territory_code
            else {}
        )
        return points, codes
    if isinstance(body, RespondCreate):
        return _of_actions("actions", body.actions), {}
    if isinstance(body, AdjustmentCreate):
        return _of_actions("add", body.add), {}
    return {}, {}


async def verify(
    matching: MatchingClient, pathway: Pathway, body: BaseModel
) -> dict[uuid.UUID, ServicePoint]:
    """The service points the body names, as matching knows them; 422 or 503 otherwise."""
    points, codes = named(body)
    if not points and not codes:
        return {}
    checked = await matching.check(list(points.values()), pathway.organization_id, codes.values())
    problems = {
        field: "is not a service point your organisation may use (unknown, closed or not "
        "published to your clusters)"
        for field, point_id in points.items()
        if point_id not in checked.usable
    }
    problems |= {
        field: f"no territory has the code {code!r}"
        for field, code in codes.items()
        if code in checked.unknown_territory_codes
    }
    if problems:
        raise UnusableReferences(problems)
    return {point_id: checked.usable[point_id] for point_id in points.values()}
