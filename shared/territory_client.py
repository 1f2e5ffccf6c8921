"""Matching's internal territory API, as intake and the gateway call it: which territory codes
exist, and which municipality a name stands for (matching owns the territories). A code given is
checked before anything is stored: unknown, 422 naming the field; matching silent, 503."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TextIO, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shared.contracts import territories as contract
from shared.errors import FieldError, ServiceUnavailable, UnprocessableContent

Answer = TypeVar("Answer", bound=BaseModel)


class MatchingUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(
            "The matching service, which holds the territories, did not answer; nothing was "
            "stored. Try again."
        )


class UnknownTerritories(UnprocessableContent):
    """Territory codes that name no territory (``problems``: field -> code)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(
            "Unknown territory code.",
            errors=[
                FieldError(
                    field=field, message=f"no territory has the code {code!r}", code="unknown"
                )
                for field, code in problems.items()
            ],
        )


class TerritoryClient:
    def __init__(
        self, http: httpx.AsyncClient, matching_url: str, token: str, *, timeout: float = 5.0
    ) -> None:
        self._http = http
        self._base = matching_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    async def _post(self, path: str, body: BaseModel, answer_type: type[Answer]) -> Answer:
        """Matching's answer; 503 (nothing done) when it does not give one."""
        try:
            answer = await self._http.post(
                f"{self._base}{path}",
                content=body.model_dump_json(),
                headers={
                    "Authorization": f"Bearer {self._token}",
                    "Content-Type": "application/json",
                },
                timeout=self._timeout,
            )
            answer.raise_for_status()
            return answer_type.model_validate_json(answer.content)
        except (httpx.HTTPError, ValidationError) as error:
            raise MatchingUnavailable from error

    async def known_codes(self, codes: Iterable[str]) -> set[str]:
        """Those of ``codes`` that name a territory."""
        asked = sorted(set(codes))
        if not asked:
            return set()
        found = await self._post(
            contract.CHECK_PATH, contract.CodesCheck(codes=asked), contract.KnownCodes
        )
        return set(found.known)

    async def resolve(self, names: Iterable[str]) -> contract.Resolution:
        """Each name's code where exactly one municipality has it, a batch at a time."""
        asked = sorted(set(names))
        codes: dict[str, str | None] = {}
        candidates: dict[str, list[contract.Candidate]] = {}
        for start in range(0, len(asked), contract.MAX_ITEMS):
            part = await self._post(
                contract.RESOLVE_PATH,
                contract.NamesResolve(names=asked[start : start + contract.MAX_ITEMS]),
                contract.Resolution,
            )
            codes.update(part.codes)
            candidates.update(part.candidates)
        return contract.Resolution(codes=codes, candidates=candidates)

    async def require_known(self, codes: dict[str, str]) -> None:
        """``codes``: field -> code; 422 naming every field whose code is unknown."""
        if not codes:
            return
        known = await self.known_codes(codes.values())
        unknown = {name: code for name, code in codes.items() if code not in known}
        if unknown:
            raise UnknownTerritories(unknown)


@dataclass(frozen=True)
class Unresolved:
    """A record whose place name could not be read as one municipality, for the operator."""

    id: str
    municipality: str
    reason: str  # no_such_name, ambiguous
    candidates: str  # "code (name, in parent); ..." for an ambiguous name


def unresolved(resolution: contract.Resolution, id_: object, name: str) -> Unresolved | None:
    """None when ``name`` was read as one municipality; else why not."""
    if resolution.codes.get(name) is not None:
        return None
    listed = resolution.candidates.get(name, [])
    return Unresolved(
        id=str(id_),
        municipality=name,
        reason="ambiguous" if listed else "no_such_name",
        candidates="; ".join(f"{c.code} ({c.name_latin}, in {c.parent_code})" for c in listed),
    )


def print_report(
    kind: str, resolved: int, left: list[Unresolved], report: Path | None, out: TextIO
) -> None:
    """What a ``resolve`` command tells the operator: each record left, with the reason (also as
    CSV in ``report``), then the counts as JSON."""
    for item in left:
        listed = f": {item.candidates}" if item.candidates else ""
        print(f"unresolved {kind} {item.id} {item.municipality!r}: {item.reason}{listed}", file=out)
    if report is not None:
        with report.open("w", newline="", encoding="utf-8") as written:
            writer = csv.DictWriter(written, fieldnames=[f.name for f in fields(Unresolved)])
            writer.writeheader()
            writer.writerows(asdict(item) for item in left)
    print(json.dumps({"resolved": resolved, "unresolved": len(left)}, indent=2), file=out)
