"""The one-call case view: the person, their pathways with the plan's actions, open referrals,
consents and the latest notes, read from the services that own them with the caller's own
token, in parallel.

Every part is the owning service's answer to the caller, so every access rule holds as it does for
the single calls (the person's sections, a shared organisation's grants, the access log of the
read). The person decides: if intake does not show them to the caller, the case is 404 whatever
the other services would say. A part whose service is down or slow is left out and named in
``unavailable``, so a front-end still shows the rest of the case."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from services.gateway.schemas.cases import LATEST_NOTES, CasePathway, CaseView, Section
from shared.errors import GatewayTimeout, NotFound, ServiceUnavailable, Unauthorized

# What the caller's request passes on to the services (the token decides what they answer).
FORWARDED_HEADERS = ("authorization", "accept-language", "x-request-id", "traceparent")
OPEN_REFERRAL_STATUSES = ("proposed", "accepted", "enrolled")
RECENT_CLOSED_PATHWAYS = 3
PAGE = 200  # the services' largest page: one page holds every pathway and referral of a person


class _Unanswered(Exception):
    def __init__(self, service: str, timed_out: bool) -> None:
        super().__init__(service)
        self.service, self.timed_out = service, timed_out


class CaseReader:
    def __init__(
        self,
        client: httpx.AsyncClient,
        upstreams: Mapping[str, str],
        headers: Mapping[str, str],
        timeout: float,
    ) -> None:
        self._client, self._upstreams, self._timeout = client, upstreams, timeout
        self._headers = {name: value for name, value in headers.items() if value}

    async def _get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The service's JSON on 200; None on any other answer; _Unanswered when there is none."""
        try:
            answer = await self._client.get(
                f"{self._upstreams[service]}{path}",
                params=params,
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as error:
            timed_out = not isinstance(error, httpx.ConnectTimeout)
            raise _Unanswered(service, timed_out) from error
        except httpx.HTTPError as error:
            raise _Unanswered(service, timed_out=False) from error
        if answer.status_code in (401, 404):
            raise _Refused(answer.status_code)
        return answer.json() if answer.status_code == 200 else None

    async def case(self, beneficiary_id: uuid.UUID) -> CaseView:
        person_path = f"/api/v1/beneficiaries/{beneficiary_id}"
        answers: tuple[Any, ...] = await asyncio.gather(
            self._get("intake", person_path),
            self._part(self._pathways(beneficiary_id)),
            self._part(self._referrals(beneficiary_id)),
            self._part(self._get("intake", f"{person_path}/consents")),
            self._part(self._notes(person_path)),
            return_exceptions=True,
        )
        person, pathways, referrals, consents, notes = answers
        beneficiary = _person_or_problem(person)
        parts: dict[Section, Any] = {
            "pathways": pathways,
            "referrals": referrals,
            "consents": consents,
            "notes": notes,
        }
        return CaseView(
            beneficiary=beneficiary,
            pathways=parts["pathways"],
            referrals=parts["referrals"],
            consents=parts["consents"],
            notes=parts["notes"],
            unavailable=[name for name, part in parts.items() if part is None],
        )

    @staticmethod
    async def _part(reading: Any) -> Any:
        """A part, or None when its service could not give it (the case still shows)."""
        try:
            return await reading
        except (_Unanswered, _Refused):
            return None

    async def _notes(self, person_path: str) -> list[dict[str, Any]] | None:
        page = await self._get("intake", f"{person_path}/notes", {"limit": LATEST_NOTES})
        return None if page is None else list(page["items"])

    async def _pathways(self, beneficiary_id: uuid.UUID) -> list[CasePathway] | None:
        page = await self._get(
            "pathways", "/api/v1/pathways", {"beneficiary_id": str(beneficiary_id), "limit": PAGE}
        )
        if page is None:
            return None
        items: list[dict[str, Any]] = page["items"]
        open_ones = [item for item in items if item["status"] == "open"]
        closed = sorted(
            (item for item in items if item["status"] != "open"),
            key=lambda item: item.get("closed_at") or "",
            reverse=True,
        )[:RECENT_CLOSED_PATHWAYS]
        actions = await asyncio.gather(
            *(self._get("pathways", f"/api/v1/pathways/{item['id']}/actions") for item in open_ones)
        )
        planned = zip(open_ones, actions, strict=True)
        return [
            *(CasePathway(pathway=item, actions=acts) for item, acts in planned),
            *(CasePathway(pathway=item, actions=None) for item in closed),
        ]

    async def _referrals(self, beneficiary_id: uuid.UUID) -> list[dict[str, Any]] | None:
        pages = await asyncio.gather(
            *(
                self._get(
                    "matching",
                    "/api/v1/referrals",
                    {"beneficiary_id": str(beneficiary_id), "status": status, "limit": PAGE},
                )
                for status in OPEN_REFERRAL_STATUSES
            )
        )
        if any(page is None for page in pages):
            return None
        referrals = [item for page in pages for item in page["items"]]
        return sorted(referrals, key=lambda item: item["updated_at"], reverse=True)


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _person_or_problem(person: object) -> dict[str, Any]:
    """The person as intake showed them to the caller, or the problem the case answers."""
    if isinstance(person, _Refused):
        if person.status == 401:
            raise Unauthorized("The token is not valid.")
        raise NotFound("No such person.")
    if isinstance(person, _Unanswered):
        problem = GatewayTimeout if person.timed_out else ServiceUnavailable
        raise problem("The intake service did not answer; try again shortly.", service="intake")
    if isinstance(person, BaseException):
        raise person
    if not isinstance(person, dict):
        raise ServiceUnavailable("The intake service could not answer.", service="intake")
    return person
