"""End to end, real processes: two more gateway replicas in front of the stack's services, sharing
their rate limits in a real Redis, with a browser origin configured, and a matching process whose
ESCO has Italian labels. A burst on sign-in gets 429 with Retry-After whichever replica it hits;
a person's record revalidates with 304; a long list comes gzipped; CORS answers the configured
origin only; Accept-Language picks the labels of code lists and of ESCO."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis

from shared.testing.plugin import DatabaseFactory
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tests.e2e.helpers import organisation
from tests.gateway.redis_keys import REDIS_URL
from tests.matching.esco import import_subset
from tests.support import migrated_database
from tools.processes import ServiceProcess, free_port

pytestmark = pytest.mark.e2e

ORIGIN = "https://field-app.ponte.example"
SIGN_INS_PER_MINUTE = 5
LAY_BRICKS = "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"
ESCO_SKILL_COLUMNS = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,scopeNote,definition,inScheme,description"
).split(",")
PERSON = {
    "given_name": "Fatima",
    "family_name": "Diallo",
    "birth_date": "1996-04-11",
    "sex": "female",
    "nationality": "SN",
    "municipality": "Bologna",
    "languages": [{"code": "wo", "native": True}, {"code": "fr", "level": "C1"}],
    "skills": [{"label": "tailoring"}, {"label": "retail sales"}],
    "needs": ["employment", "language"],
}


@dataclass
class Edge:
    replicas: list[ServiceProcess]
    redis_prefix: str

    def client(self, replica: int = 0) -> httpx.Client:
        return httpx.Client(base_url=self.replicas[replica].url, timeout=30.0)


@pytest.fixture(scope="module")
async def italian_matching_database(
    database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A matching database with the ESCO subset and an Italian label file."""
    url = await migrated_database(database_factory, "matching")
    labels = tmp_path_factory.mktemp("esco-it") / "skills_it.csv"
    with labels.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ESCO_SKILL_COLUMNS)
        writer.writeheader()
        writer.writerow(
            {
                "conceptType": "KnowledgeSkillCompetence",
                "conceptUri": LAY_BRICKS,
                "skillType": "skill/competence",
                "preferredLabel": "posare mattoni",
                "status": "released",
            }
        )
    await import_subset(url, labels)
    return url


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"ponte-e2e:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def edge(
    stack: Stack,
    italian_matching_database: str,
    redis_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Edge]:
    logs = tmp_path_factory.mktemp("edge-logs")
    matching = ServiceProcess(
        "matching",
        free_port(),
        {
            **stack.processes["matching"].env,
            "PONTE_MATCHING_DATABASE_URL": italian_matching_database,
        },
        log_path=logs / "matching-italian.log",
    )
    replica_env = {
        **stack.processes["gateway"].env,  # same database, keys and issuer as the stack's
        "PONTE_GATEWAY_MATCHING_URL": matching.url,
        "PONTE_REDIS_URL": REDIS_URL,
        "PONTE_GATEWAY_RATE_LIMIT_KEY_PREFIX": redis_prefix,
        "PONTE_GATEWAY_RATE_LIMIT_TOKEN_PER_MINUTE": str(SIGN_INS_PER_MINUTE),
        "PONTE_GATEWAY_CORS_ORIGINS": json.dumps([ORIGIN]),
        # The stack's gateway delivers the webhooks; these replicas only answer requests.
        "PONTE_GATEWAY_WEBHOOK_DELIVER": "false",
    }
    replicas = [
        ServiceProcess("gateway", free_port(), replica_env, log_path=logs / f"gateway-{n}.log")
        for n in (1, 2)
    ]
    processes = [matching, *replicas]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()
        yield Edge(replicas, redis_prefix)
    finally:
        for process in processes:
            process.stop()


def _sign_in(client: httpx.Client) -> httpx.Response:
    return client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )


def test_a_burst_on_sign_in_gets_429_whichever_replica_it_reaches(edge: Edge) -> None:
    with edge.client(0) as first, edge.client(1) as second:
        answers = [_sign_in(first if n % 2 else second) for n in range(SIGN_INS_PER_MINUTE + 2)]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * SIGN_INS_PER_MINUTE + [429, 429]
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"].endswith("/problems/too-many-requests")
    assert 1 <= int(limited.headers["retry-after"]) <= 60 // SIGN_INS_PER_MINUTE
    shared = redis.Redis.from_url(REDIS_URL)
    try:
        assert shared.exists(f"{edge.redis_prefix}t:127.0.0.1") == 1
    finally:
        shared.close()


def test_a_persons_record_revalidates_with_304_through_the_gateway(
    stack: Stack, edge: Edge
) -> None:
    with stack.client() as setup:
        operator = organisation(setup, "Edge NGO").operator
    with edge.client() as client:
        created = client.post("/api/v1/beneficiaries", json=PERSON, headers=operator)
        assert created.status_code == 201, created.text
        url = f"/api/v1/beneficiaries/{created.json()['id']}"
        read = client.get(url, headers=operator)
        tag = read.headers["etag"]
        for replica in (0, 1):
            with edge.client(replica) as other:
                again = other.get(url, headers={**operator, "If-None-Match": tag})
                assert again.status_code == 304
                assert again.content == b""
                assert again.headers["etag"] == tag
        changed = client.patch(
            url, json={"municipality": "Modena"}, headers={**operator, "If-Match": tag}
        )
        assert changed.status_code == 200, changed.text
        fresh = client.get(url, headers={**operator, "If-None-Match": tag})
        assert fresh.status_code == 200
        assert fresh.json()["municipality"] == "Modena"


def test_a_long_list_comes_gzipped(stack: Stack, edge: Edge) -> None:
    with stack.client() as setup:
        operator = organisation(setup, "Edge list").operator
    with edge.client() as client:
        for given_name in ("Awa", "Binta", "Coumba", "Dieynaba"):
            answer = client.post(
                "/api/v1/beneficiaries", json={**PERSON, "given_name": given_name}, headers=operator
            )
            assert answer.status_code == 201, answer.text
        listed = client.get(
            "/api/v1/beneficiaries", headers={**operator, "Accept-Encoding": "gzip"}
        )
        assert listed.status_code == 200
        assert listed.headers["content-encoding"] == "gzip"
        assert len(listed.json()["items"]) == 4
        assert listed.num_bytes_downloaded < len(listed.content) / 2
        plain = client.get(
            "/api/v1/beneficiaries", headers={**operator, "Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
        assert plain.json() == listed.json()


def test_cors_answers_the_configured_origin_only(edge: Edge) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, idempotency-key, content-type",
    }
    with edge.client() as client:
        allowed = client.options("/api/v1/beneficiaries", headers={"Origin": ORIGIN, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
        refused = client.options(
            "/api/v1/beneficiaries", headers={"Origin": "https://elsewhere.example", **preflight}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers


def test_accept_language_picks_the_labels_of_code_lists_and_of_esco(
    stack: Stack, edge: Edge
) -> None:
    with stack.client() as setup:
        operator = organisation(setup, "Edge languages").operator
    with edge.client() as client:
        italian = client.get(
            "/api/v1/code-lists/countries", headers={**operator, "Accept-Language": "it-IT, en"}
        )
        assert italian.headers["content-language"] == "it"
        assert "accept-language" in italian.headers["vary"].lower()
        labels = {item["code"]: item["label"] for item in italian.json()["items"]}
        assert labels["SN"] == "Senegal"
        assert labels["DE"] == "Germania"
        cached = client.get(
            "/api/v1/code-lists/countries",
            headers={**operator, "Accept-Language": "it", "If-None-Match": italian.headers["etag"]},
        )
        assert cached.status_code == 304
        greek = client.get(
            "/api/v1/code-lists/countries",
            headers={**operator, "Accept-Language": "el", "If-None-Match": italian.headers["etag"]},
        )
        assert greek.status_code == 200
        assert greek.headers["content-language"] == "el"

        skills = client.get(
            "/api/v1/taxonomy/skills",
            params={"q": "mattoni"},
            headers={**operator, "Accept-Language": "fr;q=0.9, it-IT, en;q=0.5"},
        )
        assert skills.status_code == 200, skills.text
        assert skills.headers["content-language"] == "it"
        assert skills.json()["items"][0]["uri"] == LAY_BRICKS
        assert skills.json()["items"][0]["preferred_label"] == "posare mattoni"
        english = client.get(
            "/api/v1/taxonomy/skills",
            params={"q": "brick"},
            headers={**operator, "Accept-Language": "en"},
        )
        assert english.headers["content-language"] == "en"
        assert any(item["uri"] == LAY_BRICKS for item in english.json()["items"])
