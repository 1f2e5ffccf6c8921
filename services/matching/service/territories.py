"""Territories as reference data: the list (name prefix, level, parent) and one unit with its
parents, serialised once per answer with a content ETag (they change only with an import)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import territories as territory_db
from services.matching.domain.labels import search_key
from services.matching.domain.territories import AMBIGUOUS, NameResolution, Place, resolve_names
from services.matching.errors import UnknownTerritory
from shared.contracts.territories import Candidate, KnownCodes, Resolution
from shared.errors import FieldError, UnprocessableContent
from shared.etags import content_etag

FIELDS = ("code", "scheme", "level", "parent_code", "country", "name_latin", "name_national")


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


def _render(document: dict[str, Any]) -> Rendered:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Rendered(body, content_etag(body))


def _item(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


async def page(
    session: AsyncSession,
    *,
    q: str | None,
    level: int | None,
    parent: str | None,
    cursor: str | None,
    limit: int,
) -> Rendered:
    key = search_key(q) if q is not None else None
    if q is not None and not key:  # only spaces or punctuation: no name starts with that
        return _render({"items": [], "next_cursor": None})
    shown, next_cursor = await territory_db.page(
        session, key=key, level=level, parent=parent, cursor=cursor, limit=limit
    )
    return _render({"items": [_item(row) for row in shown], "next_cursor": next_cursor})


async def read(session: AsyncSession, code: str) -> Rendered:
    chain = await territory_db.with_ancestors(session, code)
    if not chain:
        raise UnknownTerritory()
    return _render({**_item(chain[0]), "parents": [_item(row) for row in chain[1:]]})


async def require_known(session: AsyncSession, codes: dict[str, str]) -> None:
    """422 naming every field whose territory code is unknown (``codes``: field -> code)."""
    known = await territory_db.known_codes(session, sorted(set(codes.values())))
    unknown = [
        FieldError(field=field, message=f"no territory has the code {code!r}", code="unknown")
        for field, code in codes.items()
        if code not in known
    ]
    if unknown:
        raise UnprocessableContent("Unknown territory code.", errors=unknown)


async def resolve(session: AsyncSession, names: Iterable[str]) -> dict[str, NameResolution]:
    """Each name read as a municipality: its code where exactly one LAU has that name."""
    listed = sorted(set(names))
    keys = sorted({key for key in map(search_key, listed) if key})
    rows = await territory_db.laus_named(session, keys)
    places = [
        Place(
            code=row.code,
            name_latin=row.name_latin,
            parent_code=row.parent_code,
            keys=frozenset({row.name_key, row.national_key}),
        )
        for row in rows
    ]
    return resolve_names(listed, places)


async def code_for(
    session: AsyncSession, given: str | None, municipality: str | None
) -> str | None:
    """A place's territory: the code given (422 ``body.territory_code`` when unknown), else the
    municipality's where its name is unambiguous, else none."""
    if given is not None:
        await require_known(session, {"body.territory_code": given})
        return given
    if not municipality:
        return None
    return (await resolve(session, [municipality]))[municipality].code


async def known(session: AsyncSession, codes: list[str]) -> KnownCodes:
    """For the other services: which of ``codes`` name a territory."""
    return KnownCodes(known=sorted(await territory_db.known_codes(session, sorted(set(codes)))))


async def resolution(session: AsyncSession, names: list[str]) -> Resolution:
    """For the other services: each name's code, and the municipalities of an ambiguous one."""
    resolved = await resolve(session, names)
    return Resolution(
        codes={name: found.code for name, found in resolved.items()},
        candidates={
            name: [
                Candidate(code=p.code, name_latin=p.name_latin, parent_code=p.parent_code)
                for p in found.candidates
            ]
            for name, found in resolved.items()
            if found.reason == AMBIGUOUS
        },
    )
