"""The rights checklist: its items against the ILO code list, the escalation mapping, evaluation,
validation and resolution; random checklists for the rules that hold whatever the answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.pathways.domain.rights import (
    ILO_INDICATORS,
    ITEMS_BY_CODE,
    RIGHTS_ITEMS,
    Answer,
    EscalationTarget,
    Violation,
    check_answers,
    evaluate,
    resolves,
)

CODE_LIST = (
    Path(__file__).parents[2] / "services/intake/code_lists/data/ilo-forced-labour-indicators.json"
)
RIGHTS = [
    "written_contract",
    "minimum_pay",
    "working_hours",
    "health_and_safety",
    "documents_kept_by_person",
    "freedom_to_leave",
    "no_debt_to_employer",
    "access_to_health_care",
    "housing_conditions",
    "social_security_registration",
]
UNION = EscalationTarget.TRADE_UNION
INSPECTORATE = EscalationTarget.LABOUR_INSPECTORATE
LEGAL = EscalationTarget.LEGAL_AID
ANTI_TRAFFICKING = EscalationTarget.ANTI_TRAFFICKING_SERVICE
ANSWERS: list[Answer] = ["yes", "no", "unknown", "not_applicable"]


def all_yes(**changes: Answer) -> dict[str, Answer]:
    answers: dict[str, Answer] = {item.code: "yes" for item in RIGHTS_ITEMS}
    answers.update(changes)
    return answers


def test_the_checklist_holds_the_ilo_indicators_and_the_rights() -> None:
    codes = [item["code"] for item in json.loads(CODE_LIST.read_text())["items"]]
    assert list(ILO_INDICATORS) == codes
    assert [item.code for item in RIGHTS_ITEMS] == [*codes, *RIGHTS]
    assert len(RIGHTS_ITEMS) >= 21
    assert len(ITEMS_BY_CODE) == len(RIGHTS_ITEMS)


def test_every_item_asks_a_question_with_someone_to_act() -> None:
    for item in RIGHTS_ITEMS:
        assert item.question.endswith("?"), item.code
        assert item.targets, item.code
        assert len(set(item.targets)) == len(item.targets), item.code
    for code in ILO_INDICATORS:
        assert ITEMS_BY_CODE[code].question.startswith("Is the person free of "), code
        assert ITEMS_BY_CODE[code].forced_labour


@pytest.mark.parametrize(
    ("code", "targets", "forced_labour"),
    [
        ("withholding_of_wages", (UNION, INSPECTORATE), True),
        ("excessive_overtime", (UNION, INSPECTORATE), True),
        ("written_contract", (UNION, INSPECTORATE), False),
        ("minimum_pay", (UNION, INSPECTORATE), False),
        ("working_hours", (UNION, INSPECTORATE), False),
        ("social_security_registration", (UNION, INSPECTORATE), False),
        ("health_and_safety", (INSPECTORATE,), False),
        ("abusive_working_and_living_conditions", (INSPECTORATE, UNION), True),
        ("retention_of_identity_documents", (ANTI_TRAFFICKING, LEGAL), True),
        ("documents_kept_by_person", (ANTI_TRAFFICKING, LEGAL), True),
        ("restriction_of_movement", (ANTI_TRAFFICKING, LEGAL), True),
        ("freedom_to_leave", (ANTI_TRAFFICKING, LEGAL), True),
        ("physical_and_sexual_violence", (ANTI_TRAFFICKING, LEGAL), True),
        ("debt_bondage", (ANTI_TRAFFICKING, LEGAL), True),
        ("no_debt_to_employer", (ANTI_TRAFFICKING, LEGAL), True),
        ("deception", (ANTI_TRAFFICKING, LEGAL), True),
        ("access_to_health_care", (LEGAL,), False),
        ("housing_conditions", (LEGAL,), False),
    ],
)
def test_escalation_mapping(
    code: str, targets: tuple[EscalationTarget, ...], forced_labour: bool
) -> None:
    assert ITEMS_BY_CODE[code].targets == targets
    assert ITEMS_BY_CODE[code].forced_labour is forced_labour


def test_a_clean_checklist() -> None:
    result = evaluate(all_yes())
    assert result.violations == []
    assert not result.urgent
    assert result.missing == []
    assert result.unknown == []


def test_withheld_wages_are_urgent_and_go_to_union_and_inspectorate() -> None:
    result = evaluate(all_yes(withholding_of_wages="no"))
    assert result.violations == [Violation("withholding_of_wages", (UNION, INSPECTORATE), True)]
    assert result.urgent


def test_a_labour_right_alone_is_not_urgent() -> None:
    result = evaluate(all_yes(written_contract="no", minimum_pay="no", housing_conditions="no"))
    assert [v.item for v in result.violations] == [
        "written_contract",
        "minimum_pay",
        "housing_conditions",
    ]
    assert not result.urgent


def test_two_indicators_also_go_to_the_anti_trafficking_service() -> None:
    result = evaluate(all_yes(withholding_of_wages="no", excessive_overtime="no", minimum_pay="no"))
    assert result.violations == [
        Violation("withholding_of_wages", (UNION, INSPECTORATE, ANTI_TRAFFICKING), True),
        Violation("excessive_overtime", (UNION, INSPECTORATE, ANTI_TRAFFICKING), True),
        Violation("minimum_pay", (UNION, INSPECTORATE), False),
    ]


def test_a_right_and_the_indicator_it_mirrors_count_once() -> None:
    result = evaluate(
        all_yes(
            withholding_of_wages="no",
            retention_of_identity_documents="no",
            documents_kept_by_person="no",
        )
    )
    assert result.violations[0] == Violation(
        "retention_of_identity_documents", (ANTI_TRAFFICKING, LEGAL), True
    )
    assert ANTI_TRAFFICKING in result.violations[1].targets  # two distinct indicators
    alone = evaluate(all_yes(retention_of_identity_documents="no", documents_kept_by_person="no"))
    # One indicator, asked twice: a warning, not yet a likely case, so the targets stay the item's.
    assert [v.targets for v in alone.violations] == [(ANTI_TRAFFICKING, LEGAL)] * 2
    assert alone.urgent


def test_missing_and_unknown_are_listed_not_violations() -> None:
    answers = all_yes(isolation="unknown", working_hours="not_applicable")
    del answers["housing_conditions"]
    del answers["deception"]
    result = evaluate(answers)
    assert result.violations == []
    assert result.missing == ["deception", "housing_conditions"]
    assert result.unknown == ["isolation"]


def test_check_answers() -> None:
    assert check_answers(all_yes()) == []
    assert check_answers(all_yes(deception="unknown", minimum_pay="not_applicable")) == []
    answers: dict[str, str] = dict(all_yes(), minimum_pay="maybe", curfew="no")
    del answers["isolation"]
    assert check_answers(answers) == [
        "'curfew' is not a rights item",
        "'minimum_pay' has answer 'maybe', not one of yes, no, unknown, not_applicable",
        "not answered: isolation",
    ]


def test_check_answers_finds_a_right_contradicting_its_indicator() -> None:
    assert check_answers(all_yes(debt_bondage="no")) == [
        "'no_debt_to_employer' and 'debt_bondage' contradict each other: "
        "one is answered yes and the other no"
    ]
    assert check_answers(all_yes(debt_bondage="no", no_debt_to_employer="unknown")) == []


def test_only_a_yes_resolves_an_open_violation() -> None:
    answers = all_yes(withholding_of_wages="no", minimum_pay="not_applicable", isolation="unknown")
    del answers["housing_conditions"]
    open_items = ["withholding_of_wages", "minimum_pay", "isolation", "housing_conditions"]
    assert resolves([*open_items, "written_contract"], answers) == {"written_contract"}
    assert resolves([], answers) == set()


checklists = st.dictionaries(
    st.sampled_from([item.code for item in RIGHTS_ITEMS]), st.sampled_from(ANSWERS)
)


@given(checklists)
def test_violations_are_exactly_the_unfavourable_answers(answers: dict[str, Answer]) -> None:
    result = evaluate(answers)
    assert [v.item for v in result.violations] == [
        item.code for item in RIGHTS_ITEMS if answers.get(item.code) == "no"
    ]
    assert result.urgent == any(v.forced_labour for v in result.violations)
    assert set(result.missing) == set(ITEMS_BY_CODE) - set(answers)
    assert result.unknown == [c for c in ITEMS_BY_CODE if answers.get(c) == "unknown"]
    for violation in result.violations:
        assert set(ITEMS_BY_CODE[violation.item].targets) <= set(violation.targets)
        assert violation.forced_labour == ITEMS_BY_CODE[violation.item].forced_labour
        if not violation.forced_labour:
            assert violation.targets == ITEMS_BY_CODE[violation.item].targets
    assert (result.missing == []) == ("not answered" not in " ".join(check_answers(answers)))


@given(checklists, st.lists(st.sampled_from(list(ITEMS_BY_CODE))))
def test_resolved_violations_are_open_ones_answered_yes(
    answers: dict[str, Answer], open_items: list[str]
) -> None:
    resolved = resolves(open_items, answers)
    assert resolved <= set(open_items)
    assert all(answers[code] == "yes" for code in resolved)
    assert not resolved & {v.item for v in evaluate(answers).violations}
