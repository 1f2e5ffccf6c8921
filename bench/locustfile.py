"""Locust users for ``bench/load.py`` (run as a subprocess: Locust monkey-patches with gevent).

``OperatorUser`` is an operator of one of the seeded organisations doing the mixed workload;
``HelloUser`` (the bare hello-world) and ``ProxiedUser`` (a trivial call through the gateway) are
the ceilings, with no think time (each user sends its next request as soon as the last one is
answered: the most the stack sustains). The operators run in open loop at an arrival rate
(``PONTE_LOAD_PACE`` tasks a second each, Poisson arrivals, ``bench/capacity.py``); without a
pace, closed loop like the ceilings.

The seed (organisations, tokens, people, name prefixes) is read from the JSON file named by
``PONTE_LOAD_SEED``, written by ``bench/load.py``.

Mix (weights of the operator's tasks, out of 100; reads dominate as on a case worker's day):
  25 read a person                 GET  /api/v1/beneficiaries/{id}
  20 search by name                GET  /api/v1/beneficiaries?q=
  15 matches for a person          GET  /api/v1/beneficiaries/{id}/matches
  10 list referrals                GET  /api/v1/referrals
  15 next step of a pathway        POST /api/v1/pathways, then .../assessments, /actions,
                                        /monitoring (twice), /adjustments, /rights-checks in order
  10 register a person             POST /api/v1/beneficiaries (Idempotency-Key)
   5 refer a person to an offer    POST /api/v1/referrals (an offer from the person's matches)
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, task

from tools.synthetic_people import people

SEED: dict[str, Any] = (
    json.loads(Path(os.environ["PONTE_LOAD_SEED"]).read_text())
    if "PONTE_LOAD_SEED" in os.environ
    else {"organisations": [], "rights_answers": {}, "registration_seed": 0}
)
ORGANISATIONS: list[dict[str, Any]] = SEED["organisations"]
# The capacity steps run one Locust process each on the same seed: step k opens pathways for and
# refers only its own share of the people (every SHARES-th, from the k-th), and registers people
# of its own, so that no step collides with what an earlier one did (one open pathway per person
# and organisation, one active referral per person and offer).
STEP = int(os.environ.get("PONTE_LOAD_STEP", "0"))
SHARES = int(SEED.get("shares", 1))  # bench.capacity.SHARES
# People nobody has opened a pathway for yet, per organisation: each is taken once, so users
# never collide. One process: no locking needed.
UNOPENED: list[deque[str]] = [deque(org["pathway_people"][STEP::SHARES]) for org in ORGANISATIONS]
REFERABLE: list[list[str]] = [org["people"][STEP::SHARES] for org in ORGANISATIONS]
PROPOSED: set[tuple[str, str]] = set()  # (person, offer) pairs referred: one active referral each
_users = itertools.count()


def _registrations() -> Iterator[dict[str, Any]]:
    for index, person in enumerate(people(10_000_000, seed=SEED["registration_seed"])):
        person["birth_date"] = person["birth_date"].isoformat()
        person["arrival_date"] = person["arrival_date"].isoformat()
        person["external_id"] = f"load-{SEED['registration_seed']}-{STEP}-{index}"
        yield person


REGISTRATIONS = _registrations()

ASSESSMENT = {
    "territorial_context": {"municipality": "Latina", "services_within_reach": ["CPI Latina"]},
    "labour_market_position": "informal",
    "needs": [
        {"domain": "documents_legal", "severity": "high", "conditions": ["employment"]},
        {"domain": "employment", "severity": "high"},
    ],
}
# The loop of one cycle (monitoring twice, as it repeats), then the next cycle's assessment.
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("assessments", ASSESSMENT),
    (
        "actions",
        {"actions": [{"type": "legal_aid", "title": "Permit renewal", "need": "documents_legal"}]},
    ),
    ("monitoring", {"notes": "Works in the fields, paid cash"}),
    ("monitoring", {"notes": "Started a language course"}),
    (
        "adjustments",
        {
            "reason": "Add a job placement",
            "add": [{"type": "job_placement", "title": "CPI job desk"}],
        },
    ),
    ("rights-checks", {"answers": SEED["rights_answers"]}),
]


def _idempotent(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


# Open loop: each user's tasks arrive as a Poisson process of PONTE_LOAD_PACE a second, on a
# schedule of its own that the answers' latency does not move (a user that falls behind starts
# its next task at once), so the offered rate is users x pace and arrivals are not synchronised
# (Locust's constant_throughput keeps users that started together firing together: bursts).
# Unset: no think time (closed loop, throughput is what the stack sustains).
PACE = float(os.environ.get("PONTE_LOAD_PACE", "0"))


def poisson_arrivals(rate: float) -> Any:
    def wait_time(user: Any) -> float:
        now = time.monotonic()
        due = getattr(user, "_next_arrival", now + random.uniform(0, 1 / rate))
        user._next_arrival = due + random.expovariate(rate)
        return max(0.0, due - now)

    return wait_time


class OperatorUser(FastHttpUser):
    wait_time = poisson_arrivals(PACE) if PACE else constant(0)

    def on_start(self) -> None:
        self.org_index = next(_users) % len(ORGANISATIONS)
        org = ORGANISATIONS[self.org_index]
        self.headers = {"Authorization": f"Bearer {org['token']}"}
        self.people: list[str] = org["people"]
        self.names: list[str] = org["names"]
        self.pathway: str | None = None
        self.step = 0
        self.candidates: list[tuple[str, str]] = []  # (person, offer) from matches seen

    def _post(self, url: str, name: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """POST with an Idempotency-Key; the answer's body if 201, else None (a failure)."""
        with self.client.post(
            url, name=name, json=body, headers=_idempotent(self.headers), catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return None
            result: dict[str, Any] = answer.json()
            return result

    @task(25)
    def read_person(self) -> None:
        person = random.choice(self.people)
        self.client.get(
            f"/api/v1/beneficiaries/{person}",
            name="GET /api/v1/beneficiaries/{id}",
            headers=self.headers,
        )

    @task(20)
    def search(self) -> None:
        self.client.get(
            "/api/v1/beneficiaries",
            params={"q": random.choice(self.names), "limit": 20},
            name="GET /api/v1/beneficiaries?q=",
            headers=self.headers,
        )

    @task(15)
    def matches(self) -> None:
        self._matches()

    def _matches(self, person: str | None = None) -> None:
        person = person or random.choice(self.people)
        with self.client.get(
            f"/api/v1/beneficiaries/{person}/matches",
            params={"limit": 10},
            name="GET /api/v1/beneficiaries/{id}/matches",
            headers=self.headers,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {(answer.text or '')[:200]}")
                return
            items = answer.json()["items"]
        self.candidates = [(person, item["offer"]["id"]) for item in items[:3]]

    @task(10)
    def list_referrals(self) -> None:
        self.client.get(
            "/api/v1/referrals",
            params={"limit": 50},
            name="GET /api/v1/referrals",
            headers=self.headers,
        )

    @task(15)
    def pathway_step(self) -> None:
        if self.pathway is None:
            if not UNOPENED[self.org_index]:
                return  # everyone has a pathway and this user lost its own: nothing to record
            person = UNOPENED[self.org_index].popleft()
            opened = self._post(
                "/api/v1/pathways", "POST /api/v1/pathways", {"beneficiary_id": person}
            )
            self.pathway, self.step = (opened["id"] if opened else None), 0
            return
        kind, body = STEPS[self.step]
        recorded = self._post(
            f"/api/v1/pathways/{self.pathway}/{kind}", f"POST /api/v1/pathways/{{id}}/{kind}", body
        )
        self.step = (self.step + 1) % len(STEPS)
        if recorded is None or (self.step == 0 and UNOPENED[self.org_index]):
            # After a whole cycle, the next person while any are left (else the next cycle);
            # after a failure, start afresh rather than post steps out of order.
            self.pathway = None

    @task(10)
    def register(self) -> None:
        self._post("/api/v1/beneficiaries", "POST /api/v1/beneficiaries", next(REGISTRATIONS))

    @task(5)
    def refer(self) -> None:
        referable = REFERABLE[self.org_index]
        pairs = [p for p in self.candidates if p not in PROPOSED and p[0] in referable]
        if not pairs:
            # an operator refers from the matches they are looking at
            self._matches(random.choice(referable))
            pairs = [pair for pair in self.candidates if pair not in PROPOSED]
            if not pairs:
                return
        person, offer = pairs[0]
        PROPOSED.add((person, offer))
        self._post(
            "/api/v1/referrals",
            "POST /api/v1/referrals",
            {"beneficiary_id": person, "offer_id": offer, "note": "Load test referral"},
        )


class HelloUser(FastHttpUser):
    """The ceiling: the bare hello-world, one trivial request after another."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/hello", name="GET /hello")


PROXIED = "GET /api/v1/code-lists/sexes"


class ProxiedUser(FastHttpUser):
    """The gateway's floor: a trivial authenticated call proxied to intake."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {ORGANISATIONS[0]['token']}"}

    @task
    def code_lists(self) -> None:
        # A small list of intake's: the index is the gateway's own (composed, cached), not proxied.
        self.client.get("/api/v1/code-lists/sexes", name=PROXIED, headers=self.headers)
