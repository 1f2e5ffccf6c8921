"""The pure rules of qualifications as records: ids kept, set or refused; a decision's effect."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.qualifications import (
    decided,
    unknown_documents,
    with_ids,
    with_recognition,
)

Q1 = "11111111-1111-4111-8111-111111111111"
NEW = uuid.UUID("22222222-2222-4222-8222-222222222222")
DECISION = decided(
    decision="recognised",
    decided_on=date(2026, 3, 1),
    equivalent_level="6",
    procedure="academic",
    authority="CIMEA",
    pathway_id=uuid.UUID(int=1),
    action_id=uuid.UUID(int=2),
)


def test_ids_are_kept_set_and_refused_and_recognition_is_never_taken_from_the_client() -> None:
    before = {"qualifications": [{"id": Q1, "title": "BSc", "recognition": DECISION}]}
    sent = {
        "qualifications": [
            {"id": Q1, "title": "BSc (Hons)", "recognition": {"decision": "forged"}},
            {"title": "Forklift", "recognition": {"decision": "forged"}},
            {"id": str(uuid.UUID(int=9)), "title": "Unknown"},
            {"id": Q1, "title": "Twice"},
        ]
    }
    after, problems = with_ids(before, sent, new_id=lambda: NEW)
    kept, added, _unknown, _twice = after["qualifications"]
    assert kept == {"id": Q1, "title": "BSc (Hons)", "recognition": DECISION}
    assert added == {"id": str(NEW), "title": "Forklift"}
    assert [(p.field, p.message) for p in problems] == [
        ("qualifications.2.id", "is not a qualification of this record"),
        ("qualifications.3.id", "is listed twice"),
    ]
    assert with_ids(before, {"given_name": "A"}) == ({"given_name": "A"}, [])


def test_documents_named_must_be_the_persons() -> None:
    profile = {"qualifications": [{"document_ids": ["d1"]}, {"document_ids": ["d2", "d3"]}]}
    assert [p.field for p in unknown_documents(profile, {"d1", "d2"})] == [
        "qualifications.1.document_ids"
    ]
    assert unknown_documents(profile, {"d1", "d2", "d3"}) == []


@given(
    current=st.one_of(st.none(), st.integers(0, 8)),
    equivalent=st.one_of(st.none(), st.integers(0, 8)),
    decision=st.sampled_from(["recognised", "partially_recognised", "refused"]),
)
def test_a_decision_raises_the_education_level_and_never_lowers_it(
    current: int | None, equivalent: int | None, decision: str
) -> None:
    profile: dict[str, object] = {"qualifications": [{"id": Q1, "title": "BSc"}]}
    if current is not None:
        profile["education_level"] = str(current)
    recognition = {**DECISION, "decision": decision,
                   "equivalent_level": None if equivalent is None else str(equivalent)}  # fmt: skip
    after = with_recognition(profile, Q1, recognition)
    assert after is not None
    level = after.get("education_level")
    raises = decision != "refused" and equivalent is not None
    expected = current if not raises else max(equivalent, -1 if current is None else current)  # type: ignore[type-var]
    assert level == (None if expected is None else str(expected))
    assert after["qualifications"][0]["recognition_status"] == decision
    assert with_recognition(profile, str(uuid.UUID(int=5)), recognition) is None
