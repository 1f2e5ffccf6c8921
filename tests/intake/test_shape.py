"""The shape of intake's layers where behaviour depends on it: a person is read once per
``GET /beneficiaries/{id}``, and each domain error keeps its problem type and message."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.intake import errors
from services.intake.db import beneficiaries
from shared.errors import Conflict, Forbidden, NotFound
from tests.intake.conftest import Org, register


async def test_reading_a_person_reads_the_row_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _ = orgs
    created = await register(intake, a)
    reads: list[str] = []
    for name in ("any_status", "get_visible"):
        real = getattr(beneficiaries, name)

        async def counted(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            reads.append(_name)
            return await _real(*args, **kw)

        monkeypatch.setattr(beneficiaries, name, counted)
    answer = await intake.get(f"/api/v1/beneficiaries/{created['id']}", headers=a.operator)
    assert answer.status_code == 200
    assert reads == ["any_status"]


def test_each_domain_error_keeps_its_problem_and_message() -> None:
    assert isinstance(errors.BeneficiaryNotFound(), NotFound)
    assert errors.BeneficiaryNotFound().detail == "No such person."
    assert errors.ConsentNotFound().detail == "No such consent."
    assert errors.EmergencyAccessNotFound().status == 404
    assert isinstance(errors.RegistrationForbidden(), Forbidden)
    assert isinstance(errors.EmergencyAccessOpen(uuid.uuid4()), Conflict)
    refused = errors.FieldRefused("No.", "merged_id", "is the survivor", "self")
    assert refused.status == 422
    assert refused.errors is not None
    assert refused.errors[0].field == "body.merged_id"
