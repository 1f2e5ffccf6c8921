"""What would make an offer reachable, through the API: the skills held and missing, the nearest
skill held, the trainings that teach a missing one; how free text was read; the same object in
matches and candidates; labels in the caller's language."""

from __future__ import annotations

import json

import httpx

from services.matching.domain.skill_gaps import nearest
from tests.dates import in_days
from tests.matching.conftest import deliver, offer, person
from tests.matching.esco import subset_taxonomy
from tests.matching.test_referrals import referral_row
from tests.support import Org, envelope, sql

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


def bricklaying() -> list[str]:
    return sorted(subset_taxonomy().essential[BRICKLAYER])


async def test_a_match_names_what_is_held_what_is_missing_and_where_to_learn_it(
    matching: httpx.AsyncClient, matching_database: str, orgs: tuple[Org, Org, Org]
) -> None:
    ngo, provider, outsider = orgs
    taxonomy = subset_taxonomy()
    skills = bricklaying()
    held, lacking = skills[:2], skills[2:5]
    job = await offer(
        matching, provider, type="job", title="Bricklayer", skills_required=held + lacking,
        occupation_uri=BRICKLAYER,
    )  # fmt: skip
    course = await offer(
        matching, provider, type="training", title="Evening course", skills_taught=lacking[:1],
        starts_on=in_days(90),
    )  # fmt: skip
    sooner = await offer(
        matching, provider, type="training", title="Sooner course", skills_taught=lacking[:1],
        starts_on=in_days(60),
    )  # fmt: skip
    await offer(  # the person cannot take it: it is not listed
        matching, provider, type="training", title="Needs C1 Italian", skills_taught=lacking[:1],
        min_language_code="it", min_language_level="C1",
    )  # fmt: skip
    await offer(  # a draft: nobody else sees it
        matching, provider, type="training", title="Draft", skills_taught=lacking[:1],
        status="draft",
    )  # fmt: skip
    typed = [taxonomy.label(held[0]) + ".", taxonomy.label(held[1]).upper(), "zzqx blorf"]
    someone = await person(matching, ngo, skills=[{"label": text} for text in typed])
    answer = await matching.get(f"/api/v1/beneficiaries/{someone}/matches", headers=ngo.operator)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-language"] == "en"
    body = answer.json()
    read = body["free_text_skills"]
    assert [r["text"] for r in read] == typed
    assert [r["uri"] for r in read] == [held[0], held[1], None]
    assert read[2]["label"] is None
    assert read[0]["confidence"] > 0.7
    [item] = [i for i in body["items"] if i["offer"]["id"] == job["id"]]
    skills = item["skills"]
    assert [s["uri"] for s in skills["matched"]] == held
    assert skills["matched"][0]["label"] == taxonomy.label(held[0])
    assert skills["missing_total"] == len(lacking)
    assert sorted(s["uri"] for s in skills["missing"]) == sorted(lacking)
    taught = next(s for s in skills["missing"] if s["uri"] == lacking[0])
    assert [t["offer_id"] for t in taught["taught_by"]] == [sooner["id"], course["id"]]
    assert [t["title"] for t in taught["taught_by"]] == ["Sooner course", "Evening course"]
    for gap in skills["missing"]:
        expected = nearest(taxonomy, frozenset(held), gap["uri"])
        assert (gap["nearest"] or {}).get("uri") == expected
        if gap["uri"] != lacking[0]:
            assert gap["taught_by"] == []

    # The same object for the same pair among the offer's candidates.
    candidates = await matching.get(f"/api/v1/offers/{job['id']}/candidates", headers=ngo.operator)
    assert candidates.status_code == 200, candidates.text
    [mine] = [c for c in candidates.json()["items"] if c["beneficiary_id"] == str(someone)]
    assert mine["skills"] == skills
    assert mine["score"] == item["score"]

    # A referral's kept match goes with its card when the person's consent ends (its proposal
    # needs intake: tests/e2e/test_matching.py proposes one through the gateway).
    referral = await referral_row(matching_database, someone, job, ngo)
    await sql(
        matching_database,
        "UPDATE referral SET match = $2::jsonb, score = $3 WHERE id = $1",
        referral, json.dumps({"explanation": item["explanation"], "skills": skills}), item["score"],
    )  # fmt: skip
    seen = await matching.get(f"/api/v1/referrals/{referral}", headers=provider.provider)
    assert seen.json()["match"]["skills"] == skills
    await deliver(
        matching,
        envelope(
            "beneficiary.access_changed",
            {"beneficiary_id": str(someone), "owner_organization_id": str(ngo.id), "grants": [],
             "matching_consent": False, "version": 2},
        ),
    )  # fmt: skip
    ended = await matching.get(f"/api/v1/referrals/{referral}", headers=provider.provider)
    assert ended.json()["match"] is None
    [row] = await sql(
        matching_database,
        "SELECT match IS NULL AS no_match, person_card IS NULL AS no_card, version FROM referral "
        "WHERE id = $1",
        referral,
    )
    assert row["no_match"]
    assert row["no_card"]  # SQL NULL: a later withdrawal finds nothing more to end
    await deliver(
        matching,
        envelope(
            "beneficiary.access_changed",
            {"beneficiary_id": str(someone), "owner_organization_id": str(ngo.id), "grants": [],
             "matching_consent": False, "version": 3},
        ),
    )  # fmt: skip
    [again] = await sql(matching_database, "SELECT version FROM referral WHERE id = $1", referral)
    assert again["version"] == row["version"]

    # Another organisation that does not see the person gets nothing of them.
    hidden = await matching.get(
        f"/api/v1/beneficiaries/{someone}/matches", headers=outsider.operator
    )
    assert hidden.status_code == 404


async def test_nothing_recognised_is_said_and_the_order_is_still_meaningful(
    matching: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    """When none of a profile's free text is recognised, the caller is told, and offers of
    equal score go by the sooner start, not by their ids."""
    ngo, provider, _ = orgs
    started = [
        await offer(matching, provider, title="Started", starts_on=in_days(-n)) for n in (5, 20, 10)
    ]
    someone = await person(matching, ngo, skills=[{"label": "zzqx blorf"}])
    answer = await matching.get(f"/api/v1/beneficiaries/{someone}/matches", headers=ngo.operator)
    body = answer.json()
    assert body["free_text_skills"] == [
        {"text": "zzqx blorf", "uri": None, "label": None, "confidence": None}
    ]
    scores = {item["offer"]["id"]: item["score"] for item in body["items"]}
    assert len({scores[o["id"]] for o in started}) == 1  # both already started: equal scores
    ids = [item["offer"]["id"] for item in body["items"] if item["offer"]["id"] in scores]
    assert [i for i in ids if i in {o["id"] for o in started}] == [
        started[1]["id"],
        started[2]["id"],
        started[0]["id"],
    ]
