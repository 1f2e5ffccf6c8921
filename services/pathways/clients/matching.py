"""Matching, as pathways calls it: whether the service points and territories an assessment or an
action names may be used by the organisation recording it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from services.pathways.errors import MatchingUnavailable


@dataclass(frozen=True)
class ServicePoint:
    id: uuid.UUID
    name: str
    tier: str
    need_domains: tuple[str, ...]


@dataclass(frozen=True)
class Checked:
    usable: dict[uuid.UUID, ServicePoint]
    unknown_territory_codes: frozenset[str]


class MatchingClient:
    def __init__(self, http: httpx.AsyncClient, url: str, token: str) -> None:
        self._http, self._url, self._token = http, url.rstrip("/"), token

    async def check(
        self,
        ids: Iterable[uuid.UUID],
        organization_id: uuid.UUID,
        territory_codes: Iterable[str],
    ) -> Checked:
        """``POST /internal/service-points/check``: which ids exist, are active and are visible
        to ``organization_id``; which codes name no territory. 503 when matching cannot answer
        (fail closed: nothing unchecked is recorded)."""
        body = {
            "ids": [str(i) for i in dict.fromkeys(ids)],
            "organization_id": str(organization_id),
            "territory_codes": list(dict.fromkeys(territory_codes)),
        }
        try:
            answer = await self._http.post(
                f"{self._url}/internal/service-points/check",
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=5.0,
            )
            answer.raise_for_status()
            found = answer.json()
            usable = {
                uuid.UUID(str(point["id"])): ServicePoint(
                    id=uuid.UUID(str(point["id"])),
                    name=str(point["name"]),
                    tier=str(point["tier"]),
                    need_domains=tuple(str(need) for need in point["need_domains"]),
                )
                for point in found["usable"]
            }
            unknown = frozenset(str(code) for code in found["unknown_territory_codes"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise MatchingUnavailable() from error
        return Checked(usable, unknown)
