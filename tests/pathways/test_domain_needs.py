"""The priority need: examples of each rule and of the explanation, validation, then random need
graphs checked against an independent transitive closure (Warshall)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.pathways.domain.needs import (
    NO_SIGNS,
    PRIORITY_ORDER,
    SEVERITY_RANK,
    AssessedNeed,
    Exploitation,
    Proposal,
    Severity,
    check_needs,
    conditioned,
    propose_priority,
)

CODE_LIST = Path(__file__).parents[2] / "services/intake/code_lists/data/need-domains.json"
SEVERITIES: list[Severity] = ["low", "medium", "high", "critical"]


def need(domain: str, severity: Severity = "high", *conditions: str) -> AssessedNeed:
    return AssessedNeed(domain, severity, tuple(conditions))


def test_priority_order_is_the_code_lists() -> None:
    items = json.loads(CODE_LIST.read_text())["items"]
    assert tuple(i["code"] for i in sorted(items, key=lambda i: i["priority_order"])) == (
        PRIORITY_ORDER
    )


def test_documents_condition_the_most() -> None:
    proposal = propose_priority(
        [
            need("employment", "critical"),
            need("housing", "high", "employment"),
            need("documents_legal", "medium", "housing", "income"),
            need("income", "high", "employment"),
        ]
    )
    assert proposal.domain == "documents_legal"
    assert proposal.reason == (
        "documents_legal conditions 3 other needs (employment, housing, income), "
        "more than any other need (next: housing, 1)."
    )
    assert proposal.ranking == [
        (
            "documents_legal",
            "conditions 3 other needs (employment, housing, income); severity medium",
        ),
        ("housing", "conditions 1 other need (employment); severity high"),
        ("income", "conditions 1 other need (employment); severity high"),
        ("employment", "conditions no other need; severity critical"),
    ]


def test_conditions_count_through_chains() -> None:
    needs = [need("language", "low", "training"), need("training", "low", "employment")]
    needs.append(need("employment", "critical"))
    assert conditioned(needs)["language"] == {"training", "employment"}
    assert propose_priority(needs).domain == "language"


def test_cycles_end_and_never_count_the_need_itself() -> None:
    needs = [
        need("housing", "high", "employment"),
        need("employment", "high", "income"),
        need("income", "high", "housing"),
        need("health", "high", "health"),
    ]
    reach = conditioned(needs)
    assert reach == {
        "housing": {"employment", "income"},
        "employment": {"income", "housing"},
        "income": {"housing", "employment"},
        "health": frozenset(),
    }
    proposal = propose_priority(needs)
    assert proposal.domain == "housing"
    # income comes before employment in the documented order, so it is the runner-up.
    assert proposal.reason.endswith("documented order decides: housing comes before income.")


def test_a_tie_goes_to_the_more_severe_need() -> None:
    proposal = propose_priority(
        [
            need("documents_legal", "medium", "employment"),
            need("housing", "critical", "income"),
            need("employment", "low"),
            need("income", "low"),
        ]
    )
    assert proposal.domain == "housing"
    assert proposal.reason == (
        "housing conditions 1 other need (income); documents_legal also conditions 1, "
        "but housing is more severe (critical against medium)."
    )


def test_then_the_documented_order_decides() -> None:
    proposal = propose_priority([need("language"), need("health"), need("transport")])
    assert proposal.domain == "health"
    assert proposal.reason == (
        "health conditions no other need; neither does language, with the same severity (high), "
        "so the documented order decides: health comes before language."
    )
    assert [domain for domain, _ in proposal.ranking] == ["health", "language", "transport"]


def test_conditions_on_needs_not_assessed_do_not_count() -> None:
    proposal = propose_priority(
        [need("transport", "low", "employment", "training"), need("childcare", "low")]
    )
    assert proposal.domain == "childcare"


def test_domains_outside_the_code_list_come_last() -> None:
    ranking = propose_priority([need("zeta"), need("alpha"), need("digital_skills")]).ranking
    assert [domain for domain, _ in ranking] == ["digital_skills", "alpha", "zeta"]


def test_one_need_and_no_need() -> None:
    assert propose_priority([need("housing", "low")]).reason == (
        "housing conditions no other need; it is the only need assessed (severity low)."
    )
    assert propose_priority([]) == Proposal(None, "No needs were assessed.", [])


def test_a_domain_assessed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'housing' is assessed more than once"):
        propose_priority([need("housing"), need("health"), need("housing", "low")])


def test_check_needs_lists_every_problem() -> None:
    problems = check_needs(
        [
            need("housing", "high", "employment", "housing"),
            need("housing", "low"),
            need("pets", "low"),
            AssessedNeed("health", "dire", ()),  # type: ignore[arg-type]
        ]
    )
    assert problems == [
        "'housing' conditions 'employment', which was not assessed as a need",
        "'housing' cannot condition itself",
        "'housing' is assessed more than once",
        "'pets' is not a need domain",
        "'health' has severity 'dire', not one of low, medium, high, critical",
    ]
    assert check_needs([need("documents_legal", "critical", "housing"), need("housing")]) == []


DOMAINS = [*PRIORITY_ORDER, "other_a", "other_b"]


@st.composite
def need_graphs(draw: st.DrawFn) -> list[AssessedNeed]:
    domains = draw(st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=12, unique=True))
    return [
        AssessedNeed(
            domain,
            draw(st.sampled_from(SEVERITIES)),
            tuple(draw(st.lists(st.sampled_from(DOMAINS), max_size=6))),
        )
        for domain in domains
    ]


def closure(needs: list[AssessedNeed]) -> dict[str, set[str]]:
    """Warshall's transitive closure over the assessed domains, without self-loops."""
    names = [n.domain for n in needs]
    edge = {(n.domain, c) for n in needs for c in n.conditions if c in names}
    for k in names:
        for i in names:
            for j in names:
                if (i, k) in edge and (k, j) in edge:
                    edge.add((i, j))
    return {i: {j for j in names if j != i and (i, j) in edge} for i in names}


@given(need_graphs())
def test_the_proposal_conditions_the_most(needs: list[AssessedNeed]) -> None:
    proposal = propose_priority(needs)
    reach = closure(needs)
    assert conditioned(needs) == reach
    assert proposal.domain in reach
    assert len(reach[proposal.domain]) == max(len(r) for r in reach.values())
    assert proposal.reason.startswith(f"{proposal.domain} conditions ")
    assert ", ".join(sorted(reach[proposal.domain])) in proposal.reason
    ranked = [domain for domain, _ in proposal.ranking]
    assert sorted(ranked) == sorted(reach)
    assert ranked[0] == proposal.domain
    severity = {n.domain: SEVERITY_RANK[n.severity] for n in needs}
    keys = [(-len(reach[d]), -severity[d]) for d in ranked]
    assert keys == sorted(keys)


@given(need_graphs(), st.data())
def test_the_proposal_does_not_depend_on_input_order(
    needs: list[AssessedNeed], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(needs))
    assert propose_priority(shuffled) == propose_priority(needs)


@given(need_graphs())
def test_check_needs_flags_exactly_the_bad_conditions(needs: list[AssessedNeed]) -> None:
    assessed = {n.domain for n in needs}
    problems = check_needs(needs)
    bad = [(n.domain, c) for n in needs for c in n.conditions if c == n.domain or c not in assessed]
    unknown = [n.domain for n in needs if n.domain not in PRIORITY_ORDER]
    assert len(problems) == len(bad) + len(unknown)


# --- signs of exploitation (intake's ILO indicators, open rights violations) -------------------

TANGLE = [
    need("housing", "critical", "employment", "health"),
    need("employment", "high"),
    need("health", "medium"),
    need("documents_legal", "low"),
]


@pytest.mark.parametrize(
    ("signs", "words"),
    [
        (
            Exploitation(forced_labour_indicators=True),
            "intake recorded ILO forced-labour indicators",
        ),
        (Exploitation(open_violations=2), "2 rights violation(s) still open"),
        (
            Exploitation(True, 1),
            "intake recorded ILO forced-labour indicators and 1 rights violation(s) still open",
        ),
    ],
)
def test_under_signs_of_exploitation_legal_protection_comes_first(
    signs: Exploitation, words: str
) -> None:
    assert propose_priority(TANGLE).domain == "housing"  # conditions the most, otherwise
    proposal = propose_priority(TANGLE, signs)
    assert proposal.domain == "documents_legal"
    assert proposal.reason == (
        f"documents_legal comes first under signs of exploitation ({words}): legal protection "
        "comes before every other need (by the assessment it conditions no other need)."
    )
    # The rest keeps its order.
    assert [domain for domain, _ in proposal.ranking] == [
        "documents_legal",
        "housing",
        "employment",
        "health",
    ]


def test_signs_of_exploitation_without_legal_needs_assessed_are_named() -> None:
    proposal = propose_priority(TANGLE[:3], Exploitation(forced_labour_indicators=True))
    assert proposal.domain == "housing"
    assert proposal.reason.endswith(
        " Signs of exploitation (intake recorded ILO forced-labour indicators), but "
        "documents_legal was not assessed: consider it."
    )


@given(
    st.lists(
        st.tuples(st.sampled_from(PRIORITY_ORDER), st.sampled_from(SEVERITIES)),
        max_size=10,
        unique_by=lambda pair: pair[0],
    ),
    st.booleans(),
    st.integers(0, 3),
)
def test_signs_weigh_only_by_lifting_legal_protection(
    pairs: list[tuple[str, Severity]], indicators: bool, violations: int
) -> None:
    needs = [need(domain, severity) for domain, severity in pairs]
    signs = Exploitation(indicators, violations)
    plain, weighed = propose_priority(needs), propose_priority(needs, signs)
    assert propose_priority(needs, NO_SIGNS) == plain
    if signs and any(n.domain == "documents_legal" for n in needs):
        assert weighed.domain == "documents_legal"
        rest = [item for item in plain.ranking if item[0] != "documents_legal"]
        assert weighed.ranking == [
            ("documents_legal", dict(plain.ranking)["documents_legal"]),
            *rest,
        ]
    else:
        assert (weighed.domain, weighed.ranking) == (plain.domain, plain.ranking)
