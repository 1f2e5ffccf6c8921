"""The matching service's code lists: one per enum a client meets in its bodies, labelled in the
five languages, and following the enums when they change. Pure unit tests."""

from __future__ import annotations

import json

import pytest

from services.gateway.edge.routing import CODE_LISTS
from services.matching import domain
from services.matching.code_lists import CATALOGUE
from tests.code_list_checks import check_labels, domain_enums

# Enums of the domain no client meets as a code, each with its reason.
NOT_SERVED = {
    "announcements.Announcement": "which catalogue event a change sends; the event types name it",
    "esco.ConceptType": "ESCO's own concept types, inside the taxonomy import",
    "esco.LabelKind": "which index a taxonomy search reads; the search routes name it",
    "esco.Relation": "ESCO's essential/optional skill relations, inside the ranking",
    "needs.NeedDomain": "intake's list need-domains (tests/matching/test_domain_needs.py)",
    "skill_resolution.LabelKind": "what weighs a resolution's confidence; the API answers that",
}


def test_every_list_is_labelled_in_the_five_languages() -> None:
    check_labels(CATALOGUE)


def test_every_enum_of_the_domain_has_its_list() -> None:
    served = {CATALOGUE.get(name).codes() for name in CATALOGUE.names}
    enums = domain_enums(domain)
    missing = {name for name, codes in enums.items() if codes not in served} - set(NOT_SERVED)
    assert not missing, f"enums without a code list (add them to code_lists/): {missing}"
    assert set(NOT_SERVED) <= set(enums)


def test_the_gateway_forwards_exactly_these_lists_to_matching() -> None:
    assert CODE_LISTS["matching"] == CATALOGUE.names


@pytest.mark.parametrize(
    ("name", "code", "language", "label"),
    [
        ("offer-types", "internship", "it", "Tirocinio"),
        ("referral-statuses", "rejected", "fr", "Refusée"),
        ("cluster-member-roles", "trade_union", "es", "Sindicato"),
        ("service-point-kinds", "language_school", "el", "Σχολή γλωσσών"),
    ],
)
def test_labels_read_as_an_operator_would_say_them(
    name: str, code: str, language: str, label: str
) -> None:
    body = json.loads(CATALOGUE.code_list_json(name, language, False))
    assert {item["code"]: item["label"] for item in body["items"]}[code] == label
