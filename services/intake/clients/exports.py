"""The other services' share of a GDPR export, over their internal API
(``GET /internal/beneficiaries/{id}/export`` with the services' shared token)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Part:
    """One service's answer: its lists (None when it did not answer) and the manifest status."""

    service: str
    document: dict[str, list[Any]] | None
    status: str


class ExportClient:
    def __init__(self, http: httpx.AsyncClient, token: str, *, timeout: float = 10.0) -> None:
        self._http = http
        self._token = token
        self._timeout = timeout

    async def _one(self, base_url: str, beneficiary_id: uuid.UUID) -> httpx.Response:
        return await self._http.get(
            f"{base_url}/internal/beneficiaries/{beneficiary_id}/export",
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=self._timeout,
        )

    async def part(self, service: str, base_url: str, ids: Sequence[uuid.UUID]) -> Part:
        """The service's part for every id of the person, list by list."""
        try:
            answers = await asyncio.gather(*(self._one(base_url, id_) for id_ in ids))
            document: dict[str, list[Any]] = {}
            for answer in answers:
                answer.raise_for_status()
                body = answer.json()
                if not isinstance(body, dict):
                    raise ValueError("not an export document")
                for key, value in body.items():
                    document.setdefault(key, []).extend(
                        value if isinstance(value, list) else [value]
                    )
            return Part(service, document, "included")
        except (httpx.HTTPError, ValueError) as error:
            return Part(service, None, f"unavailable ({type(error).__name__})")

    async def parts(self, services: dict[str, str], ids: Sequence[uuid.UUID]) -> list[Part]:
        """Every service's part, asked at once."""
        return list(
            await asyncio.gather(*(self.part(name, url, ids) for name, url in services.items()))
        )
