"""The one-call case view while a service does not answer (paused: alive, silent, as a service
stuck in a long pause looks; cheaper than a kill and a restart): with matching silent the case
still answers, referrals null and named in ``unavailable``; with intake (the person) silent it is
a 504 problem, never a case without its person, while the caseload (``GET /api/v1/cases``) still
lists the pathways, without names and with ``people`` in ``unavailable``. Whole again once they
are back."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import eventually, organisation
from tests.faults.conftest import person, unique_label

pytestmark = pytest.mark.e2e


def test_a_case_shows_what_it_can_while_a_service_is_down(stack: Stack) -> None:
    with stack.client(timeout=30.0) as client:
        ngo = organisation(client, "Degraded")
        created = client.post(
            "/api/v1/beneficiaries", json=person(unique_label("Case")), headers=ngo.operator
        )
        assert created.status_code == 201, created.text
        case_url = f"/api/v1/cases/{created.json()['id']}"
        opened = eventually(
            lambda: (
                (
                    a := client.post(
                        "/api/v1/pathways",
                        json={"beneficiary_id": created.json()["id"]},
                        headers=ngo.operator,
                    )
                ).status_code
                == 201
                and a.json()
            )
        )
        whole = client.get(case_url, headers=ngo.operator)
        assert whole.status_code == 200, whole.text
        assert whole.json()["unavailable"] == []
        assert whole.json()["referrals"] == []

        matching = stack.processes["matching"]
        matching.pause()
        try:
            partial = client.get(case_url, headers=ngo.operator)
            assert partial.status_code == 200, partial.text
            assert partial.json()["unavailable"] == ["referrals"]
            assert partial.json()["referrals"] is None
            assert partial.json()["beneficiary"] == whole.json()["beneficiary"]
        finally:
            matching.resume()

        intake = stack.processes["intake"]
        intake.pause()
        try:
            silent = client.get(case_url, headers=ngo.operator)
            assert silent.status_code == 504, silent.text
            assert silent.headers["content-type"] == "application/problem+json"
            assert silent.json()["service"] == "intake"
            caseload = client.get("/api/v1/cases", headers=ngo.operator)
            assert caseload.status_code == 200, caseload.text
            assert caseload.json()["unavailable"] == ["people"]
            assert [(row["pathway"]["id"], row["person"]) for row in caseload.json()["items"]] == [
                (opened["id"], None)
            ]
        finally:
            intake.resume()

        again = eventually(
            lambda: (a := client.get(case_url, headers=ngo.operator)).status_code == 200 and a
        )
        assert again.json()["unavailable"] == []
