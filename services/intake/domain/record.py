"""A person's record as stored and as shown: the API document (validated JSON) is the source of
truth; the columns that lists filter, sort and block on are derived from it here, as are the
history diff, the section-filtered view and the statistical remainder kept after erasure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.intake.code_lists import get_code_list
from services.intake.domain.access import View
from services.intake.domain.duplicates import PersonKey, blocking_keys
from services.intake.domain.names import search_prefixes
from services.intake.domain.profile import as_date, derive

Document = dict[str, Any]


def permit_allows_work(document: Mapping[str, Any]) -> bool | None:
    """What the record says, else what the permit type allows; None when nothing is known."""
    legal = document.get("legal_status") or {}
    if legal.get("permit_allows_work") is not None:
        return bool(legal["permit_allows_work"])
    permit_type = legal.get("permit_type")
    if permit_type is None:
        return None
    entry = next(e for e in get_code_list("permit-types").entries if e["code"] == permit_type)
    return bool(entry["allows_work"])


def person_key(document: Mapping[str, Any]) -> PersonKey:
    return PersonKey(
        given_name=document.get("given_name") or "",
        family_name=document.get("family_name") or "",
        birth_date=as_date(document.get("birth_date")),
        sex=document.get("sex"),
        nationality=document.get("nationality"),
        country_of_birth=document.get("country_of_birth"),
    )


def columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The row's searchable columns, derived from the document."""
    birth = as_date(document.get("birth_date"))
    arrival = as_date(document.get("arrival_date"))
    legal = document.get("legal_status") or {}
    given, family = document.get("given_name") or "", document.get("family_name") or ""
    return {
        "external_id": document.get("external_id"),
        "given_name": given,
        "family_name": family,
        "birth_date": birth,
        "birth_year": birth.year if birth else None,
        "sex": document.get("sex"),
        "nationality": document.get("nationality"),
        "stateless": bool(document.get("stateless")),
        "country_of_birth": document.get("country_of_birth"),
        "arrival_date": arrival,
        "arrival_year": arrival.year if arrival else None,
        "municipality": document.get("municipality"),
        "territory_code": document.get("territory_code"),
        "permit_type": legal.get("permit_type"),
        "permit_expires_on": as_date(legal.get("permit_expires_on")),
        "permit_allows_work": permit_allows_work(document),
        "education_level": document.get("education_level"),
        "needs": list(document.get("needs") or ()),
        "profile": dict(document),
        "search_prefixes": search_prefixes(given, family),
        "blocking_keys": blocking_keys(person_key(document)),
    }


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"from": old, "to": new}}`` for every top-level field that differs."""
    fields = set(before) | set(after)
    return {
        field: {"from": before.get(field), "to": after.get(field)}
        for field in sorted(fields)
        if before.get(field) != after.get(field)
    }


def shown(
    document: Mapping[str, Any], view: View, today: date, *, allows_work: bool | None
) -> dict[str, Any]:
    """The document reduced to what the view may see, with the derived fields."""
    visible = view.fields()
    shown_fields = {key: value for key, value in document.items() if key in visible}
    if "derived" in visible:
        shown_fields["derived"] = derive(document, today, allows_work)
    return shown_fields


# Kept after erasure, for the statistics funders ask for (people reached by sex, age band,
# nationality, territory); everything else about the person goes.
STATISTICAL_COLUMNS = (
    "sex",
    "nationality",
    "birth_year",
    "arrival_year",
    "municipality",
    "territory_code",
    "needs",
)


def erased_columns() -> dict[str, Any]:
    return {
        "external_id": None,
        "given_name": None,
        "family_name": None,
        "birth_date": None,
        "stateless": False,
        "country_of_birth": None,
        "arrival_date": None,
        "permit_type": None,
        "permit_expires_on": None,
        "permit_allows_work": None,
        "education_level": None,
        "profile": {},
        "search_prefixes": [],
        "blocking_keys": [],
    }
