"""The problem types' documents: what an error body's ``type`` URI answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.pagination import WholeCursor


class ProblemType(BaseModel):
    type: str = Field(description="the URI error bodies carry in `type`: this document's own")
    slug: str = Field(description="its last segment, stable across deployments")
    title: str = Field(description="the `title` error bodies of this type carry")
    status: int = Field(description="the HTTP status it is answered with")
    statuses: list[int] | None = Field(
        default=None, description="every status it may come with, when more than one"
    )
    description: str = Field(description="what it means and what a client does about it")


class ProblemTypeList(BaseModel):
    items: list[ProblemType] = Field(description="every problem type, by slug")
    next_cursor: WholeCursor = None
