"""What the self-service app shows a person of their own pathways."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from shared.pagination import WholeCursor


class OwnAction(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    status: str
    due_date: date | None


class OwnPathway(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID = Field(description="the organisation running it")
    stage: str | None
    cycle: int
    next_follow_up_date: date | None = Field(description="the next monitoring meeting")
    actions: list[OwnAction] = Field(description="planned and in-progress actions, by due date")


class OwnPathways(BaseModel):
    items: list[OwnPathway]
    next_cursor: WholeCursor = None
