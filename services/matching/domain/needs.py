"""The need domains matching knows: intake's code list ``need-domains``, the one definition that
service points, the territorial context and their schemas share."""

from __future__ import annotations

from enum import StrEnum


class NeedDomain(StrEnum):
    """Intake's code list ``need-domains``: what an assessment finds a person needs."""

    # In the code list's ``priority_order`` (pathways' PRIORITY_ORDER): the territorial context
    # lists a person's needs in this order.
    DOCUMENTS_LEGAL = "documents_legal"
    HOUSING = "housing"
    HEALTH = "health"
    LANGUAGE = "language"
    INCOME = "income"
    EMPLOYMENT = "employment"
    TRAINING = "training"
    CHILDCARE = "childcare"
    TRANSPORT = "transport"
    DIGITAL_SKILLS = "digital_skills"


# The codes as plain strings, for membership tests and ``Literal`` schemas.
NEED_DOMAINS: tuple[str, ...] = tuple(need.value for need in NeedDomain)
