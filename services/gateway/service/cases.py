"""The one-call case view: the person, their pathways with the plan's actions, open referrals,
consents, the latest notes, the next tasks and appointments, read from the services that own them
with the caller's own token, in parallel.

Every part is the owning service's answer to the caller, so every access rule holds as it does for
the single calls (the person's sections, a shared organisation's grants, the access log of the
read). The person decides: if intake does not show them to the caller, the case is 404 whatever
the other services would say. A part whose service is down or slow is left out and named in
``unavailable``, so a front-end still shows the rest of the case."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

import aiohttp
import httpx
from yarl import URL

from services.gateway.edge.proxy import Upstreams
from services.gateway.schemas.cases import LATEST_NOTES, NEXT_APPOINTMENTS, NEXT_TASKS
from shared import clock
from shared.errors import GatewayTimeout, NotFound, ServiceUnavailable, Unauthorized

Query = Mapping[str, Any] | Sequence[tuple[str, str]] | None
# What the caller's request passes on to the services (the token decides what they answer).
FORWARDED_HEADERS = ("authorization", "accept-language", "x-request-id", "traceparent")
OPEN_REFERRAL_STATUSES = ("proposed", "accepted", "enrolled")
RECENT_CLOSED_PATHWAYS = 3
PAGE = 200  # the services' largest page: one page holds every pathway and referral of a person


class Unanswered(Exception):
    """A service gave no answer (down, or slower than the proxy's timeout)."""

    def __init__(self, service: str, timed_out: bool) -> None:
        super().__init__(service)
        self.service, self.timed_out = service, timed_out


class CaseReader:
    """Reads through the proxy's pooled transport, at its lower level: no httpx request and
    response objects (``edge/transport.py``: ~15% of a proxied call)."""

    def __init__(self, upstreams: Upstreams, headers: Mapping[str, str]) -> None:
        self._upstreams = upstreams
        self._headers = {name: value for name, value in headers.items() if value}

    async def fetch(self, service: str, path: str, params: Query = None) -> tuple[int, bytes]:
        """The service's status and body; Unanswered when there is no answer."""
        url = URL(f"{self._upstreams.base_urls[service]}{path}")
        if params:
            url = url.with_query(params)
        try:
            answer = await self._upstreams.transport.open(
                "GET", url, headers=self._headers, data=None, timeouts=self._upstreams.timeout
            )
            try:
                return answer.status, await answer.read()
            finally:
                answer.release()
        except httpx.TimeoutException as error:
            timed_out = not isinstance(error, httpx.ConnectTimeout)
            raise Unanswered(service, timed_out) from error
        except (httpx.HTTPError, aiohttp.ClientError) as error:
            raise Unanswered(service, timed_out=False) from error

    async def _get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The service's JSON on 200; None on any other answer; Unanswered when there is none."""
        status, body = await self.fetch(service, path, params)
        if status in (401, 404):
            raise _Refused(status)
        return json.loads(body) if status == 200 else None

    async def case(self, beneficiary_id: uuid.UUID) -> dict[str, Any]:
        person = beneficiary_id
        """The case as ``CaseView`` documents it: the services' answers go out as they came
        (validated by their owners; re-validating them here would cost more than reading)."""
        person_path = f"/api/v1/beneficiaries/{beneficiary_id}"
        answers: list[Any] = await asyncio.gather(
            self._get("intake", person_path),
            self._part(self._pathways(beneficiary_id)),
            self._part(self._referrals(beneficiary_id)),
            self._part(self._consents(person_path)),
            self._part(self._notes(person_path)),
            self._part(self._items("pathways", "/api/v1/tasks", {"limit": NEXT_TASKS}, person)),
            self._part(self._appointments(person)),
            return_exceptions=True,
        )
        person, pathways, referrals, consents, notes, tasks, appointments = answers
        beneficiary = _person_or_problem(person)
        parts: dict[str, Any] = {
            "pathways": pathways,
            "referrals": referrals,
            "consents": consents,
            "notes": notes,
            "tasks": tasks,
            "appointments": appointments,
        }
        return {
            "beneficiary": beneficiary,
            **parts,
            "unavailable": [name for name, part in parts.items() if part is None],
        }

    @staticmethod
    async def _part(reading: Any) -> Any:
        """A part, or None when its service could not give it (the case still shows)."""
        try:
            return await reading
        except (Unanswered, _Refused):
            return None

    async def _notes(self, person_path: str) -> list[dict[str, Any]] | None:
        page = await self._get("intake", f"{person_path}/notes", {"limit": LATEST_NOTES})
        return None if page is None else list(page["items"])

    async def _consents(self, person_path: str) -> list[dict[str, Any]] | None:
        """The person's consents: a whole list (one page), passed on as the case view's list."""
        page = await self._get("intake", f"{person_path}/consents")
        return None if page is None else list(page["items"])

    async def _items(
        self, service: str, path: str, query: dict[str, Any], person: uuid.UUID
    ) -> list[dict[str, Any]] | None:
        """The items of one page of a list filtered to the person."""
        page = await self._get(service, path, {**query, "beneficiary_id": str(person)})
        return None if page is None else list(page["items"])

    async def _appointments(self, person: uuid.UUID) -> list[dict[str, Any]] | None:
        now = clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = {"from": now, "limit": NEXT_APPOINTMENTS}
        return await self._items("pathways", "/api/v1/appointments", query, person)

    async def _pathways(self, beneficiary_id: uuid.UUID) -> list[dict[str, Any]] | None:
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
            *(
                {"pathway": item, "actions": acts["items"] if acts is not None else None}
                for item, acts in planned
            ),
            *({"pathway": item, "actions": None} for item in closed),
        ]

    async def _referrals(self, beneficiary_id: uuid.UUID) -> list[dict[str, Any]] | None:
        """One page of the person's referrals holds them all but for a rare few; past a page,
        one list per open status, so that none is missed."""
        query = {"beneficiary_id": str(beneficiary_id), "limit": PAGE}
        page = await self._get("matching", "/api/v1/referrals", query)
        if page is None:
            return None
        pages = [page]
        if page["next_cursor"] is not None:
            pages = await asyncio.gather(
                *(
                    self._get("matching", "/api/v1/referrals", {**query, "status": status})
                    for status in OPEN_REFERRAL_STATUSES
                )
            )
            if any(page is None for page in pages):
                return None
        referrals = [
            item
            for page in pages
            for item in page["items"]
            if item["status"] in OPEN_REFERRAL_STATUSES
        ]
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
    if isinstance(person, Unanswered):
        problem = GatewayTimeout if person.timed_out else ServiceUnavailable
        raise problem("The intake service did not answer; try again shortly.", service="intake")
    if isinstance(person, BaseException):
        raise person
    if not isinstance(person, dict):
        raise ServiceUnavailable("The intake service could not answer.", service="intake")
    return person
