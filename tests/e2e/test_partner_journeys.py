"""The partner guide's three journeys, run as written: the shell blocks under "Three journeys"
in docs/partner-guide.md, each journey's blocks as one bash script, against the stack. What the
script leaves (its files, its output) and what the API then holds are checked.

A sync's watermark waits for every older transaction on the database server (another test's
included), so a pull may bring a change only at the next run: where a journey says "run it again
tomorrow", the test runs the journey's last block again until the change is there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import bearer, consent_to_matching, eventually, organisation, refer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (shutil.which("bash") and shutil.which("curl") and shutil.which("jq")),
        reason="the journeys are bash with curl and jq",
    ),
]
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "partner-guide.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def journeys() -> dict[int, list[str]]:
    """Each journey's shell blocks, in order, from the guide."""
    text = GUIDE.read_text()
    section = text.split("## Three journeys, end to end", 1)[1].split("\n## ", 1)[0]
    found: dict[int, list[str]] = {}
    for part in re.split(r"\n### Journey (\d):", section)[1:]:
        if part.isdigit():
            number = int(part)
            continue
        found[number] = BLOCK.findall(part)
    return found


def run(script: str, workdir: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=workdir,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def client_of(client: httpx.Client, admin: dict[str, str], roles: list[str]) -> dict[str, Any]:
    created = client.post(
        "/api/v1/clients", json={"name": "journey", "roles": roles}, headers=admin
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_the_guide_has_three_journeys_of_shell_blocks() -> None:
    found = journeys()
    assert sorted(found) == [1, 2, 3]
    assert all(len(blocks) >= 2 for blocks in found.values())


def test_journey_1_an_ngo_system_loads_and_syncs_both_ways(stack: Stack, tmp_path: Path) -> None:
    blocks = journeys()[1]
    with stack.client() as client:
        ngo = organisation(client, "Journey NGO")
        system = client_of(client, ngo.admin, ["partner_system"])
    env = {
        "PONTE": stack.gateway,
        "CLIENT_ID": system["client_id"],
        "CLIENT_SECRET": system["client_secret"],
    }
    output = run("\n".join(blocks), tmp_path, env).splitlines()
    first = json.loads(output[0])
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    assert json.loads(output[2]) == {"created": 0, "updated": 1, "unchanged": 1}

    def latest() -> dict[str, dict[str, Any]]:
        return {item["external_id"]: item for item in lines(tmp_path / "people.jsonl")}

    def synced() -> bool:
        people = latest()
        if people.get("case-1041", {}).get("municipality") == "Latina" and "case-1042" in people:
            return True
        run(f"{blocks[0]}\npull /api/v1/beneficiaries people", tmp_path, env)  # the next night
        return False

    eventually(synced, timeout=60)
    assert {item["id"] for item in latest().values()} == set(first["ids"])
    # Nothing arrived twice but the record that changed: each person once, and the changed one
    # again if a pull before the change had brought it already.
    pulled = [item["external_id"] for item in lines(tmp_path / "people.jsonl")]
    assert pulled.count("case-1042") == 1
    assert 1 <= pulled.count("case-1041") <= 2
    assert (tmp_path / "people.watermark").read_text().strip()
    assert (tmp_path / "pathways.watermark").read_text().strip()


def test_journey_2_a_provider_publishes_and_answers(stack: Stack, tmp_path: Path) -> None:
    blocks = journeys()[2]
    with stack.client() as client:
        employer = organisation(client, "Journey employer", kind="employer")
        ngo = organisation(client, "Journey referrer")
        system = client_of(client, employer.admin, ["provider"])
        offer = client.post(
            "/api/v1/offers",
            json={"type": "job", "title": "Warehouse picker", "seats": 2, "status": "open"},
            headers=employer.admin,
        ).json()
        person = client.post(
            "/api/v1/beneficiaries",
            json={"given_name": "Kofi", "family_name": "Owusu", "birth_date": "1995-08-01",
                  "sex": "male", "nationality": "GH", "municipality": "Latina"},
            headers=ngo.operator,
        ).json()  # fmt: skip
        consent_to_matching(client, person["id"], ngo.operator)
        referral = refer(client, ngo.operator, person["id"], offer["id"])
        env = {
            "PONTE": stack.gateway,
            "PROVIDER_CLIENT_ID": system["client_id"],
            "PROVIDER_CLIENT_SECRET": system["client_secret"],
        }
        output = run("\n".join(blocks), tmp_path, env)
        published = json.loads(output.splitlines()[0])
        assert published["status"] == "open"
        read = client.get(f"/api/v1/offers/{published['id']}", headers=ngo.operator)
        assert read.json()["organization_id"] == employer.id

        def answered() -> bool:
            url = f"/api/v1/referrals/{referral['id']}"
            if client.get(url, headers=ngo.operator).json()["status"] == "accepted":
                return True
            run(f"{blocks[0]}\n{blocks[-1]}", tmp_path, env)  # the provider's next round
            return False

        eventually(answered, timeout=60)


def test_journey_3_a_persons_app_offline_first(stack: Stack, tmp_path: Path) -> None:
    blocks = journeys()[3]
    with stack.client() as client:
        ngo = organisation(client, "Journey app NGO")
        employer = organisation(client, "Journey app employer", kind="employer")
        offer = client.post(
            "/api/v1/offers",
            json={"type": "training", "title": "Barista course", "seats": 4, "status": "open"},
            headers=employer.admin,
        ).json()
        person = client.post(
            "/api/v1/beneficiaries",
            json={"given_name": "Mariam", "family_name": "Sow", "birth_date": "2000-01-09",
                  "sex": "female", "nationality": "ML", "municipality": "Latina"},
            headers=ngo.operator,
        ).json()  # fmt: skip
        consent_to_matching(client, person["id"], ngo.operator)
        referral = refer(client, ngo.operator, person["id"], offer["id"])
        invitation = client.post(
            f"/api/v1/beneficiaries/{person['id']}/invitations", headers=ngo.operator
        ).json()
        env = {
            "PONTE": stack.gateway,
            "CODE": invitation["code"],
            "NEW_PASSWORD": "mariam-chooses-a-long-phrase",
        }
        output = run("\n".join(blocks), tmp_path, env).splitlines()
        assert output[0] == "304"  # the phone's copy is current
        assert json.loads(output[1]) == [{"id": referral["id"], "status": "proposed"}]
        # Two attempts, one acceptance: the retry is answered as the first was.
        assert json.loads(output[2]) == json.loads(output[3])
        assert json.loads(output[2])["person_response"] == "accepted"
        assert output[4] == "Bearer"  # refreshed
        refreshed = json.loads((tmp_path / "tokens.json").read_text())["access_token"]
        own = client.get("/api/v1/me/referrals", headers=bearer(refreshed)).json()["items"]
        assert [(item["id"], item["person_response"]) for item in own] == [
            (referral["id"], "accepted")
        ]
        profile = json.loads((tmp_path / "profile.json").read_text())
        assert profile["given_name"] == "Mariam"
