"""String types checked against the intake code lists, so an unknown code is a field-level 422
that names the list to look in, and the OpenAPI document shows the allowed values."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from services.intake.code_lists import get_code_list

_ENUM_LIMIT = 60  # longer lists (countries, languages) are described, not enumerated


@cache
def _codes(list_name: str) -> frozenset[str]:
    return frozenset(get_code_list(list_name).codes())


def _checker(list_name: str) -> Any:
    def check(value: str) -> str:
        if value not in _codes(list_name):
            raise ValueError(f"unknown code; see GET /api/v1/code-lists/{list_name}")
        return value

    return check


def _schema(list_name: str) -> dict[str, Any]:
    codes = get_code_list(list_name).codes()
    schema: dict[str, Any] = {
        "type": "string",
        "description": f"A code of GET /api/v1/code-lists/{list_name}.",
    }
    if len(codes) <= _ENUM_LIMIT:
        schema["enum"] = list(codes)
    return schema


def coded(list_name: str) -> Any:
    """``Annotated[str, ...]`` accepting only the codes of ``list_name``."""
    return Annotated[
        str,
        StringConstraints(max_length=64),
        AfterValidator(_checker(list_name)),
        WithJsonSchema(_schema(list_name)),
    ]


Country = coded("countries")
LanguageCode = coded("languages")
CefrLevel = coded("cefr-levels")
IscedLevelCode = coded("isced-levels")
IscedFieldCode = coded("isced-fields")
Sex = coded("sexes")
NeedDomain = coded("need-domains")
PermitType = coded("permit-types")
IloIndicator = coded("ilo-forced-labour-indicators")
RecognitionStatus = coded("recognition-statuses")
LanguageSkill = coded("language-skills")

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
EscoSkillUri = Annotated[
    str, StringConstraints(pattern=rf"^http://data\.europa\.eu/esco/skill/{_UUID}$")
]
EscoOccupationUri = Annotated[
    str, StringConstraints(pattern=rf"^http://data\.europa\.eu/esco/occupation/{_UUID}$")
]
