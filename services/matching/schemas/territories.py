"""Bodies of ``/api/v1/territories``: NUTS 2024 regions and LAU municipalities."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.matching.domain.territories import Scheme

_LAZIO: JsonDict = {
    "code": "ITI4",
    "scheme": "nuts",
    "level": 2,
    "parent_code": "ITI",
    "country": "IT",
    "name_latin": "Lazio",
    "name_national": "Lazio",
}
_ROMA: JsonDict = {
    "code": "IT_058091",
    "scheme": "lau",
    "level": 4,
    "parent_code": "ITI43",
    "country": "IT",
    "name_latin": "Roma",
    "name_national": "Roma",
}
_PROVINCE: JsonDict = {**_LAZIO, "code": "ITI43", "level": 3, "parent_code": "ITI4"}
_PROVINCE.update(name_latin="Roma", name_national="Roma")


class TerritoryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ROMA]})

    code: str = Field(
        description="the code to store: the NUTS 2024 code (`ITI43`), or for a municipality "
        "`<country>_<LAU code>` (`IT_058091`, Eurostat's EU LAU CODE)"
    )
    scheme: Scheme = Field(description="`nuts` for a NUTS region, `lau` for a municipality")
    level: int = Field(description="NUTS level 0 (country) to 3; 4 for a municipality (LAU)")
    parent_code: str | None = Field(description="the unit one level up; none for a country")
    country: str = Field(description="Eurostat's country code (`EL` for Greece, not ISO's GR)")
    name_latin: str = Field(description="the name in Latin script")
    name_national: str = Field(description="the name in the national language and script")


class TerritoryDetail(TerritoryRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_ROMA,
                    "parents": [
                        _PROVINCE,
                        _LAZIO,
                        {**_LAZIO, "code": "ITI", "level": 1, "parent_code": "IT"}
                        | {"name_latin": "Centro (IT)", "name_national": "Centro (IT)"},
                        # The country (parent_code null) is left out: the OpenAPI document
                        # drops null values, and the example would lose a required field.
                    ],
                }
            ]
        }
    )

    parents: list[TerritoryRead] = Field(
        description="the units above, the nearest first, up to the country"
    )


class TerritoryPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_PROVINCE], "next_cursor": "eyJrIjpbIjEiXX0"}]}
    )

    items: list[TerritoryRead] = Field(
        description="broader units first, then alphabetical by Latin name"
    )
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")
