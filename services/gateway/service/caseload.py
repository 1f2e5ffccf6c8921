"""A caseload screen in one call: a page of pathways as pathways lists them to the caller, each row
with the person's name as intake shows it to the caller, read in one batch. Pathways holds no
names (intake does), so without this a screen makes one call for the page and one for the people.

Both reads carry the caller's own token, so every access rule holds as it does for the two calls:
a row whose person intake does not show the caller (or shows without the identity section) has a
null name; when intake does not answer within 3 s, the rows come without people and
``unavailable`` says so. A query pathways refuses is its answer (422), passed on."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from services.gateway.service.cases import CaseReader, Unanswered
from shared.errors import GatewayTimeout, ServiceUnavailable, Unauthorized

PEOPLE_FIELDS = ("id", "given_name", "family_name")
# The names are the page's decoration: a slow intake costs them, not the page (a batch read of
# 200 people answers in tens of milliseconds; the proxy's own timeout is 15 s).
PEOPLE_WITHIN_SECONDS = 3.0


class CaseloadReader(CaseReader):
    async def caseload(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(status, body): 200 and the page, or pathways' own refusal of the query."""
        try:
            status, body = await self.fetch("pathways", "/api/v1/pathways", query)
        except Unanswered as error:
            problem = GatewayTimeout if error.timed_out else ServiceUnavailable
            message = "The pathways service did not answer; try again shortly."
            raise problem(message, service="pathways") from error
        if status == 401:
            raise Unauthorized("The token is not valid.")
        if status != 200:
            return status, json.loads(body)
        page = json.loads(body)
        pathways: list[dict[str, Any]] = page["items"]
        people = await self._people(list(dict.fromkeys(p["beneficiary_id"] for p in pathways)))
        rows = [
            {
                "pathway": pathway,
                "person": None if people is None else people.get(pathway["beneficiary_id"]),
            }
            for pathway in pathways
        ]
        unavailable = ["people"] if people is None else []
        return 200, {"items": rows, "next_cursor": page["next_cursor"], "unavailable": unavailable}

    async def _people(self, ids: list[str]) -> dict[str, dict[str, Any]] | None:
        """The people as intake shows them to the caller, by id (one batch read: a page of
        pathways names at most 200 people, intake's batch limit); None when intake cannot say."""
        if not ids:
            return {}
        query = [*(("id", person) for person in ids), ("limit", str(len(ids)))]
        try:
            status, body = await asyncio.wait_for(
                self.fetch("intake", "/api/v1/beneficiaries", query), PEOPLE_WITHIN_SECONDS
            )
        except (Unanswered, TimeoutError):
            return None
        if status != 200:
            return None
        return {
            str(item["id"]): {name: item.get(name) for name in PEOPLE_FIELDS}
            for item in json.loads(body)["items"]
        }
