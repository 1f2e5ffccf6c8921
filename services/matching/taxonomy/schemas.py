"""Bodies of ``/api/v1/taxonomy``: search results over ESCO's skills and occupations."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from shared.pagination import WholeCursor

_SKILL_EXAMPLE: JsonDict = {
    "uri": "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d",
    "preferred_label": "lay bricks",
    "matched_label": "bricklaying",
    "skill_type": "skill/competence",
    "reuse_level": "sector-specific",
}
_OCCUPATION_EXAMPLE: JsonDict = {
    "uri": "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7",
    "preferred_label": "bricklayer",
    "matched_label": "bricklayer",
    "isco_group": "7112",
    "code": "7112.1",
}


class _Match(BaseModel):
    uri: str = Field(description="the ESCO concept URI: store this")
    preferred_label: str = Field(
        description="the concept's preferred label in the language searched, else in English"
    )
    matched_label: str = Field(
        description="the preferred or alternative label that q matched (the preferred label "
        "when q matched a hidden label, such as a common misspelling)"
    )


class SkillMatch(_Match):
    model_config = ConfigDict(json_schema_extra={"examples": [_SKILL_EXAMPLE]})

    skill_type: str | None = Field(description='"skill/competence" or "knowledge"')
    reuse_level: str | None = Field(
        description="transversal, cross-sector, sector-specific or occupation-specific"
    )


class OccupationMatch(_Match):
    model_config = ConfigDict(json_schema_extra={"examples": [_OCCUPATION_EXAMPLE]})

    isco_group: str | None = Field(description="the ISCO-08 unit group, e.g. 7112")
    code: str | None = Field(description="the ESCO occupation code, e.g. 7112.1")


class SkillSearch(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"language": "en", "items": [_SKILL_EXAMPLE]}]}
    )

    language: str = Field(description="the language of the labels searched")
    items: list[SkillMatch] = Field(description="best match first, one per skill")
    next_cursor: WholeCursor = None


class OccupationSearch(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"language": "en", "items": [_OCCUPATION_EXAMPLE]}]}
    )

    language: str = Field(description="the language of the labels searched")
    items: list[OccupationMatch] = Field(description="best match first, one per occupation")
    next_cursor: WholeCursor = None


class ResolvedSkill(BaseModel):
    uri: str
    preferred_label: str = Field(description="the skill's English preferred label")
    matched_label: str = Field(description="the label the text was found by")
    language: str = Field(description="the language of the matched label")
    confidence: float = Field(
        description="1.0: a preferred label (case, accents, punctuation, plurals and word order "
        "aside); 0.95 an alternative one, 0.9 a hidden one; below: how alike text and label are"
    )


class SkillResolution(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Brick laying.",
                    "resolved": {
                        "uri": "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d",
                        "preferred_label": "lay bricks",
                        "matched_label": "brick laying",
                        "language": "en",
                        "confidence": 0.95,
                    },
                    "candidates": [],
                }
            ]
        }
    )

    text: str
    resolved: ResolvedSkill | None = Field(
        description="the skill the text is taken to mean; null when it is unknown or ambiguous "
        "(then pick among the candidates)"
    )
    candidates: list[ResolvedSkill] = Field(description="the closest skills, best first")
