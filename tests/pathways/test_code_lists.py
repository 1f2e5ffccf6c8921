"""The pathways service's code lists: one per enum a client meets in its bodies, labelled in the
five languages, and following the enums when they change. Pure unit tests."""

from __future__ import annotations

import json

import pytest

from services.gateway.edge.routing import CODE_LISTS
from services.pathways import domain
from services.pathways.code_lists import CATALOGUE
from services.pathways.domain import employment, rights
from tests.code_list_checks import check_labels, domain_enums


def entry(name: str, code: str) -> dict[str, object]:
    return next(dict(item) for item in CATALOGUE.get(name).entries if item["code"] == code)


def test_every_list_is_labelled_in_the_five_languages() -> None:
    check_labels(CATALOGUE)


def test_every_enum_of_the_domain_has_its_list() -> None:
    served = {CATALOGUE.get(name).codes() for name in CATALOGUE.names}
    missing = {name for name, codes in domain_enums(domain).items() if codes not in served}
    assert not missing, f"enums without a code list (add them to code_lists/): {missing}"


def test_the_gateway_forwards_exactly_these_lists_to_pathways() -> None:
    assert CODE_LISTS["pathways"] == CATALOGUE.names


def test_the_checklist_asks_the_questions_of_the_code() -> None:
    items = CATALOGUE.get("rights-check-items")
    assert items.codes() == tuple(item.code for item in rights.RIGHTS_ITEMS)
    for item in rights.RIGHTS_ITEMS:
        found = entry("rights-check-items", item.code)
        descriptions = found["descriptions"]
        assert isinstance(descriptions, dict)
        assert descriptions["en"] == item.question
        assert all(question.rstrip().endswith(("?", ";")) for question in descriptions.values())
        assert found["forced_labour"] is item.forced_labour
        assert found["escalation"] == [target.value for target in item.targets]


def test_the_ladder_carries_its_ranks() -> None:
    for status, rank in employment.LADDER_RANK.items():
        assert entry("employment-statuses", status.value)["rank"] == rank


def test_the_ilo_items_are_named_as_in_intakes_list() -> None:
    """One wording for an indicator, whichever list shows it."""
    path = "services/intake/code_lists/data/ilo-forced-labour-indicators.json"
    with open(path, encoding="utf-8") as file:
        intake = {item["code"]: item["labels"] for item in json.load(file)["items"]}
    for code in rights.ILO_INDICATORS:
        assert entry("rights-check-items", code)["labels"] == intake[code]


@pytest.mark.parametrize(
    ("name", "code", "language", "label"),
    [
        ("pathway-stages", "assess", "it", "Valutazione"),
        ("pathway-stages", "assess", "es", "Evaluación"),
        ("pathway-stages", "assess", "fr", "Évaluation"),
        ("pathway-stages", "assess", "el", "Αξιολόγηση"),
        ("action-types", "language_course", "fr", "Cours de langue"),
        ("escalation-targets", "labour_inspectorate", "it", "Ispettorato del lavoro"),
        ("rights-check-answers", "not_applicable", "es", "No aplica"),
    ],
)
def test_labels_read_as_an_operator_would_say_them(
    name: str, code: str, language: str, label: str
) -> None:
    body = json.loads(CATALOGUE.code_list_json(name, language, False))
    assert {item["code"]: item["label"] for item in body["items"]}[code] == label
    assert body["language"] == language
