"""Pathways, as matching calls it: whose a pathway is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from services.matching.errors import PathwayUncheckable


@dataclass(frozen=True)
class PathwayOwner:
    pathway_id: uuid.UUID
    beneficiary_id: uuid.UUID
    organization_id: uuid.UUID


class PathwaysClient:
    def __init__(self, http: httpx.AsyncClient, url: str, token: str) -> None:
        self._http, self._url, self._token = http, url, token

    async def owner(self, pathway_id: uuid.UUID) -> PathwayOwner | None:
        """``GET /internal/pathways/{id}/owner``: None when pathways knows no such pathway; 503
        when it cannot answer (fail closed)."""
        try:
            answer = await self._http.get(
                f"{self._url}/internal/pathways/{pathway_id}/owner",
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
            owner = answer.json()
            return PathwayOwner(
                pathway_id=uuid.UUID(str(owner["pathway_id"])),
                beneficiary_id=uuid.UUID(str(owner["beneficiary_id"])),
                organization_id=uuid.UUID(str(owner["organization_id"])),
            )
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise PathwayUncheckable() from error
