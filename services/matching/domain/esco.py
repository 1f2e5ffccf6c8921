"""The kinds in ESCO's tables: concepts, labels and occupation-skill relations."""

from __future__ import annotations

from enum import StrEnum

# The language of labels when the caller names none that was imported.
DEFAULT_LANGUAGE = "en"


class ConceptType(StrEnum):
    SKILL = "skill"  # a skill/competence or a knowledge concept
    SKILL_GROUP = "skill_group"  # a node of the skills hierarchy (S1.2, K0411, T2, ...)


class LabelKind(StrEnum):
    """Which kind of concept a label names; the search endpoints look in one kind only."""

    SKILL = "skill"
    SKILL_GROUP = "skill_group"
    OCCUPATION = "occupation"
    ISCO_GROUP = "isco_group"


class Relation(StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"
