"""A person's qualifications as records with ids (``/beneficiaries/{id}/qualifications``), and
the decision of a recognition procedure applied to one (``outcome.recognition_decided``, as
pathways' relay delivers it): the qualification's status and recognition set, the education level
raised (never lowered), the history entry; only on the person's own qualification, only for an
organisation that may change the record."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.intake.conftest import Org, register
from tests.intake.test_documents import _sharing, _uploaded
from tests.intake.test_outcomes import _deliver

DIPLOMA = {
    "title": "Licence en génie civil",
    "country": "SN",
    "year": 2015,
    "institution": "Université Cheikh Anta Diop",
    "field": "07",
    "level": "6",
    "eqf_level": 6,
}


def _decided(
    person: str, org: Org, qualification: str, *, decision: str = "recognised", level: str = "6"
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "outcome.recognition_decided",
        "source": "pathways",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {
            "pathway_id": "5b0e6a4c-9f1d-4f5e-8a61-2d3c4b5a6f70",
            "action_id": "7d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6",
            "beneficiary_id": person,
            "organization_id": str(org.id),
            "qualification_id": qualification,
            "decision": decision,
            "decided_on": (date.today() - timedelta(days=2)).isoformat(),
            "equivalent_level": level if decision != "refused" else None,
            "procedure": "academic",
            "authority": "CIMEA",
            "recorded_by": "operator-42",
        },
    }


async def _record(intake: httpx.AsyncClient, person: str, org: Org) -> dict[str, Any]:
    answer = await intake.get(f"/api/v1/beneficiaries/{person}", headers=org.operator)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_qualifications_are_added_read_and_changed_with_ids_that_stay(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    person = await register(intake, a, qualifications=[{"title": "Baccalauréat", "year": 2011}])
    [first] = (await _record(intake, person["id"], a))["qualifications"]
    assert uuid.UUID(first["id"])  # set at registration
    url = f"/api/v1/beneficiaries/{person['id']}/qualifications"
    added = await intake.post(url, json=DIPLOMA, headers=a.operator)
    assert added.status_code == 201, added.text
    diploma = added.json()
    assert added.headers["Location"] == f"{url}/{diploma['id']}"
    assert {key: diploma[key] for key in DIPLOMA} == DIPLOMA
    assert diploma["recognition_status"] == "none"

    listed = await intake.get(url, headers=a.operator)
    assert [item["id"] for item in listed.json()["items"]] == [first["id"], diploma["id"]]
    one = await intake.get(f"{url}/{diploma['id']}", headers=a.operator)
    assert one.json() == diploma
    assert (await intake.get(f"{url}/{uuid.uuid4()}", headers=a.operator)).status_code == 404

    without = await intake.patch(f"{url}/{diploma['id']}", json={"year": 2016}, headers=a.operator)
    assert without.status_code == 428
    changed = await intake.patch(
        f"{url}/{diploma['id']}",
        json={"year": 2016, "institution": None, "recognition_status": "requested"},
        headers={**a.operator, "If-Match": one.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["year"], changed.json()["recognition_status"]) == (2016, "requested")
    assert "institution" not in changed.json() or changed.json()["institution"] is None
    stale = await intake.patch(
        f"{url}/{diploma['id']}",
        json={"year": 2017},
        headers={**a.operator, "If-Match": one.headers["ETag"]},
    )
    assert stale.status_code == 412

    # The whole list sent back through the record keeps both ids; an unknown id is refused.
    record_url = f"/api/v1/beneficiaries/{person['id']}"
    etag = (await intake.get(record_url, headers=a.operator)).headers["ETag"]
    held = (await intake.get(url, headers=a.operator)).json()["items"]
    unknown = await intake.patch(
        record_url,
        json={"qualifications": [*held, {"id": str(uuid.uuid4()), "title": "Invented"}]},
        headers={**a.operator, "If-Match": etag},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.qualifications.2.id"
    reordered = await intake.patch(
        record_url,
        json={"qualifications": [held[1], {"title": "Forklift licence"}]},
        headers={**a.operator, "If-Match": etag},
    )
    assert reordered.status_code == 200, reordered.text
    ids = [item["id"] for item in reordered.json()["qualifications"]]
    assert ids[0] == diploma["id"]
    assert ids[1] not in (first["id"], diploma["id"])


async def test_a_qualifications_documents_are_the_persons_and_bad_input_changes_nothing(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    person = await register(intake, a, birth_date="1990-01-01")
    other = await register(intake, a, given_name="Other", external_id="other-q")
    record_url = f"/api/v1/beneficiaries/{person['id']}"
    mine = await _uploaded(intake, record_url, a)
    theirs = await _uploaded(intake, f"/api/v1/beneficiaries/{other['id']}", a)
    url = f"{record_url}/qualifications"
    refused = await intake.post(
        url, json={**DIPLOMA, "document_ids": [theirs["id"]]}, headers=a.operator
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.document_ids"
    too_early = await intake.post(url, json={**DIPLOMA, "year": 1985}, headers=a.operator)
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["field"] == "body.year"
    unknown_field = await intake.post(url, json={**DIPLOMA, "field": "42"}, headers=a.operator)
    assert unknown_field.status_code == 422
    assert (await intake.get(url, headers=a.operator)).json()["items"] == []

    ok = await intake.post(url, json={**DIPLOMA, "document_ids": [mine["id"]]}, headers=a.operator)
    assert ok.status_code == 201, ok.text
    assert ok.json()["document_ids"] == [mine["id"]]
    registered_with_document = await intake.post(
        "/api/v1/beneficiaries",
        json={
            "given_name": "New",
            "family_name": "Person",
            "birth_date": "1992-02-02",
            "qualifications": [{"title": "Diploma", "document_ids": [mine["id"]]}],
        },
        headers=a.operator,
    )
    assert registered_with_document.status_code == 422


async def test_who_reads_and_who_changes_qualifications(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, c = orgs
    person = await register(intake, a, qualifications=[DIPLOMA])
    url = f"/api/v1/beneficiaries/{person['id']}/qualifications"
    assert (await intake.get(url, headers=b.operator)).status_code == 404
    consents = f"/api/v1/beneficiaries/{person['id']}/consents"
    for org, sections in ((b, ["profile"]), (c, ["identity"])):
        answer = await intake.post(consents, json=_sharing(org, sections), headers=a.operator)
        assert answer.status_code == 201, answer.text
    shared = await intake.get(url, headers=b.operator)
    assert shared.status_code == 200
    assert [item["title"] for item in shared.json()["items"]] == [DIPLOMA["title"]]
    assert (await intake.get(url, headers=c.operator)).status_code == 404  # identity only
    assert (await intake.post(url, json=DIPLOMA, headers=b.operator)).status_code == 403
    assert (await intake.post(url, json=DIPLOMA, headers=c.operator)).status_code == 403
    assert len((await intake.get(url, headers=a.operator)).json()["items"]) == 1


async def test_a_recognition_decision_sets_the_qualification_and_raises_the_level_once(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    person = await register(intake, a, education_level="3", qualifications=[DIPLOMA])
    [diploma] = (await _record(intake, person["id"], a))["qualifications"]
    event = _decided(person["id"], a, diploma["id"])
    await _deliver(intake, event)
    await _deliver(intake, event)  # a redelivery: applied once

    record = await _record(intake, person["id"], a)
    assert record["education_level"] == "6"
    [after] = record["qualifications"]
    assert after["recognition_status"] == "recognised"
    assert after["recognition"]["equivalent_level"] == "6"
    assert after["recognition"]["authority"] == "CIMEA"
    history = await intake.get(f"/api/v1/beneficiaries/{person['id']}/history", headers=a.admin)
    [entry] = [item for item in history.json()["items"] if item["action"] == "recognition_decided"]
    assert entry["fields"] == ["education_level", "qualifications"]
    assert entry["changes"]["education_level"] == {"from": "3", "to": "6"}
    assert (entry["actor"], entry["actor_organization_id"]) == ("operator-42", str(a.id))

    # A lower equivalent level never lowers the record; a refusal sets the status only.
    await _deliver(intake, _decided(person["id"], a, diploma["id"], level="4"))
    assert (await _record(intake, person["id"], a))["education_level"] == "6"
    await _deliver(intake, _decided(person["id"], a, diploma["id"], decision="refused"))
    record = await _record(intake, person["id"], a)
    assert record["education_level"] == "6"
    assert record["qualifications"][0]["recognition_status"] == "refused"


async def test_a_decision_on_another_persons_qualification_or_without_access_changes_nothing(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    person = await register(intake, a, education_level="2", qualifications=[DIPLOMA])
    other = await register(
        intake, a, given_name="Other", external_id="other-r", qualifications=[DIPLOMA]
    )
    [theirs] = (await _record(intake, other["id"], a))["qualifications"]
    [mine] = (await _record(intake, person["id"], a))["qualifications"]
    await _deliver(intake, _decided(person["id"], a, theirs["id"]))  # not hers
    await _deliver(intake, _decided(person["id"], b, mine["id"]))  # B has no access
    for who in (person, other):
        record = await _record(intake, who["id"], a)
        assert record["education_level"] in ("2", None)
        assert record["qualifications"][0]["recognition_status"] == "none"
