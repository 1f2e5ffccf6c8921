"""A person's qualifications as records with ids (pure: documents in, documents out).

Qualifications live in the profile, so they are versioned, shown by section, exported, erased and
merged with it; each has an id that Ponte sets and keeps, so that a recognition procedure of a
pathway can name the qualification it recognises, and its decision find it again."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from services.intake.domain.profile import FieldProblem

# A recognition that raises the person's education level (a refusal does not)
RAISES_LEVEL = frozenset({"recognised", "partially_recognised"})


def with_ids(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """``after`` with an id on each qualification: the one sent, when the record held it (its
    recorded recognition kept: only a decision sets it), or a new one when none was sent (any
    recognition sent dropped). Problems: an id the record does not hold, an id twice."""
    if "qualifications" not in after:
        return dict(after), []
    held = {str(item.get("id")): item for item in before.get("qualifications") or ()}
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for index, sent in enumerate(after.get("qualifications") or ()):
        item = {key: value for key, value in sent.items() if key != "recognition"}
        given = item.get("id")
        if given is None:
            item["id"] = str(new_id())
        elif given not in held:
            problems.append(
                FieldProblem(f"qualifications.{index}.id", "is not a qualification of this record")
            )
        elif given in seen:
            problems.append(FieldProblem(f"qualifications.{index}.id", "is listed twice"))
        elif (recognition := held[given].get("recognition")) is not None:
            item["recognition"] = recognition
        seen.add(str(item["id"]))
        kept.append(item)
    return {**after, "qualifications": kept}, problems


def documents_named(profile: Mapping[str, Any]) -> set[str]:
    """Every document id the qualifications name."""
    return {
        str(document)
        for item in profile.get("qualifications") or ()
        for document in item.get("document_ids") or ()
    }


def unknown_documents(profile: Mapping[str, Any], owned: Iterable[str]) -> list[FieldProblem]:
    """A problem for each qualification naming a document that is not one of the person's."""
    mine = set(owned)
    return [
        FieldProblem(f"qualifications.{index}.document_ids", "names a document not of this person")
        for index, item in enumerate(profile.get("qualifications") or ())
        if any(str(document) not in mine for document in item.get("document_ids") or ())
    ]


def with_recognition(
    profile: Mapping[str, Any],
    qualification_id: str,
    recognition: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The profile after a recognition decision on one of its qualifications: the
    qualification's status and recorded recognition, and the education level raised to the
    equivalent level when the decision recognises one above it (never lowered: the person may
    hold a higher level otherwise). None when the record holds no such qualification."""
    qualifications = [dict(item) for item in profile.get("qualifications") or ()]
    target = next((item for item in qualifications if item.get("id") == qualification_id), None)
    if target is None:
        return None
    decision = recognition["decision"]
    target.update(recognition_status=decision, recognition=dict(recognition))
    after = {**profile, "qualifications": qualifications}
    equivalent = recognition.get("equivalent_level")
    current = profile.get("education_level")
    if (
        decision in RAISES_LEVEL
        and equivalent is not None
        and (current is None or int(equivalent) > int(current))
    ):
        after["education_level"] = equivalent
    return after


def decided(
    *,
    decision: str,
    decided_on: date,
    equivalent_level: str | None,
    procedure: str | None,
    authority: str | None,
    pathway_id: uuid.UUID,
    action_id: uuid.UUID,
) -> dict[str, Any]:
    """The recognition as the qualification records it."""
    return {
        "decision": decision,
        "decided_on": decided_on.isoformat(),
        "equivalent_level": equivalent_level,
        "procedure": procedure,
        "authority": authority,
        "pathway_id": str(pathway_id),
        "action_id": str(action_id),
    }
