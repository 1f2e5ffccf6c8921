"""Contract fuzzing: every operation of the gateway's merged OpenAPI, called by schemathesis with
valid (positive) and invalid (negative) data, as each role and without a token, on the world's
real objects as well as random ids. No answer may be a 5xx; every answer must be documented (status
code, content type, body schema, headers), an invalid request must be refused, and every error must
be an RFC 9457 problem (``application/problem+json`` with ``type``, ``title`` and ``status``).

Failures are collected rather than raised at the first one, so one run lists every distinct
failure (operation, check, status) once, with a curl command to replay it; the test fails if there
is any. ``PONTE_FUZZ_EXAMPLES`` sets the examples per operation and mode (small in CI, where
Hypothesis is derandomised so that a failure reproduces); ``PONTE_FUZZ_RANDOM=1`` (``make fuzz``)
draws new examples on every run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.testing.plugin import DatabaseFactory
from tests.e2e.conftest import Stack, fresh_databases
from tests.e2e.fuzz_bad_input import (
    forbidden_text_failures,
    oversized_body_failures,
    tampered_cursor_failures,
    unknown_parameter_failures,
)
from tests.e2e.fuzz_support import (
    ANONYMOUS,
    FUZZ_ENVIRONMENT,
    ROLES,
    FuzzWorld,
    build_fuzz_world,
    with_ids,
)
from tools.processes import running_services

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("PONTE_FUZZ_EXAMPLES", "2"))  # CI: ~370 cases; make fuzz: 40
RANDOM = os.environ.get("PONTE_FUZZ_RANDOM", "") == "1"
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
# Positive data is not required to be accepted (positive_data_acceptance is left out): a valid
# body still meets the state of the world (409 out of order, 404 not yours, 403 not your role).
PROBLEM = "application/problem+json"
CALLERS = (*ROLES, ANONYMOUS)
BATCH = "POST /api/v1/beneficiaries/batch"
TOKEN = "POST /api/v1/auth/token"


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)  # by role
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str, int], str] = field(default_factory=dict)  # first example
    occurrences: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    without_negative: int = 0  # operations without parameters or body

    def fail(self, operation: str, title: str, status: int, detail: str) -> None:
        key = (operation, title, status)
        self.occurrences[key] += 1
        self.failures.setdefault(key, detail)


@pytest.fixture(scope="module")
async def fuzz_databases(database_factory: DatabaseFactory) -> dict[str, str]:
    # Its own databases: the `stack` fixture's may be in use by another stack in this process.
    return await fresh_databases(database_factory)


@pytest.fixture(scope="module")
def fuzz_stack(
    fuzz_databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("fuzz-stack-logs")
    documents = tmp_path_factory.mktemp("fuzz-stack-documents")
    environment = {**FUZZ_ENVIRONMENT, "PONTE_INTAKE_DOCUMENT_STORE_URL": documents.as_uri()}
    with running_services(fuzz_databases, logs, environment) as processes:
        yield Stack(processes=processes, databases=fuzz_databases, logs=logs)


@pytest.fixture(scope="module")
def fuzz_world(fuzz_stack: Stack) -> Iterator[FuzzWorld]:
    with fuzz_stack.client() as client:
        yield build_fuzz_world(client)


def oauth_failure(response: schemathesis.Response) -> str | None:
    """Why a token-endpoint error is not RFC 6749 §5.2's JSON, or None when it is one."""
    try:
        body = response.json()
    except ValueError:
        return "the body is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return "no `error` member"
    if not isinstance(body.get("error_description"), str):
        return "no `error_description` member"
    if "no-store" not in response.headers.get("cache-control", [""])[0]:
        return "not Cache-Control: no-store"
    return None


def problem_failure(response: schemathesis.Response, label: str = "") -> str | None:
    """Why an error answer is not an RFC 9457 problem, or None when it is one (or no error).
    The token endpoint answers its own errors in OAuth's form (``application/json``)."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    if label == TOKEN and content_type.startswith("application/json"):
        return oauth_failure(response)
    if not content_type.startswith(PROBLEM):
        return f"content type {content_type!r}, not {PROBLEM}"
    try:
        body = response.json()
    except ValueError:
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not an object"
    if not isinstance(body.get("type"), str) or not isinstance(body.get("title"), str):
        return "type or title missing"
    if body.get("status") != response.status_code:
        return f"status {body.get('status')!r} in the body, {response.status_code} on the wire"
    return None


def rejected_per_item(label: str, response: schemathesis.Response) -> bool:
    """Whether the batch registration refused the invalid items one by one, as it documents:
    "Items are validated one by one: an invalid item does not stop the others unless
    `all_or_nothing` is set". Its items' schema is BeneficiaryCreate, so schemathesis expects the
    whole request refused; a 200 that reports the items "invalid" is the documented rejection."""
    if label != BATCH or response.status_code != 200:
        return False
    results = response.json().get("results", [])
    return any(result.get("status") == "invalid" for result in results)


def trimmed(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: trimmed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trimmed(item) for item in value]
    return value


def valid_once_trimmed(document: dict[str, Any], declared: dict[str, Any], body: Any) -> bool:
    """Whether the body keeps its documented schema once its strings are trimmed. Text fields trim
    surrounding whitespace before their length is checked (``StringConstraints(strip_whitespace=
    True)`` throughout), so a value too long only by its spaces is accepted, and stored, trimmed."""
    content = declared.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None or trimmed(body) == body:
        return False
    root = {"components": document["components"], **content["schema"]}
    return bool(jsonschema_rs.Draft202012Validator(root).is_valid(trimmed(body)))


def fuzz_operation(
    document: dict[str, Any],
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    world: FuzzWorld,
    base_url: str,
    session: requests.Session,
    tally: Tally,
) -> None:
    method, path = operation.method.upper(), operation.path
    declared = document["paths"][path][method.lower()]
    pool = world.pool(method, path)
    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        # The document's own examples first (Hypothesis starts from the first branch): with real
        # ids put in they get past validation to the rules, which generated bodies rarely do.
        strategy = st.one_of(*operation.get_strategies_from_examples(), strategy)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        # No shrinking: failures are collected, not raised, and every call is an HTTP round trip.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case: Case[Any], data: st.DataObject) -> None:
        # Callers in turn over the whole run, not drawn: with a few examples per operation a draw
        # would favour the first; the turn goes on across operations, so each meets every caller.
        role = CALLERS[sum(tally.cases.values()) % len(CALLERS)]
        # Negative cases go as generated: an id put in would undo the mutation they carry.
        if mode is GenerationMode.POSITIVE:
            # Hypothesis starts from the first choice: real ids first, then generated ones.
            ids = data.draw(st.sampled_from([*pool, None]), label="ids")
            if ids is not None:
                for name in case.path_parameters or {}:
                    if name in ids:
                        case.path_parameters[name] = ids[name]
                case.body = with_ids(case.body, ids)
        headers = dict(world.headers.get(role, {}))
        if method == "PATCH" and mode is GenerationMode.POSITIVE:
            # Any version ("*", so that the body decides), absent (428) or stale (412): a
            # generated tag is only ever stale.
            if_match = data.draw(st.sampled_from(["*", None, '"0"']), label="If-Match")
            if if_match is None and case.headers:
                case.headers.pop("If-Match", None)
            elif if_match is not None:
                headers["If-Match"] = if_match
        if method == "POST" and mode is GenerationMode.POSITIVE:
            # One key for many bodies: the first is kept, the others are refused (422).
            key = data.draw(st.sampled_from([None, "fuzz-key-1"]), label="Idempotency-Key")
            if key is not None:
                headers["Idempotency-Key"] = key
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        tally.cases[role] += 1
        tally.statuses[response.status_code] += 1
        label = f"{method} {path}"
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                if isinstance(failure, AcceptedNegativeData) and (
                    rejected_per_item(label, response)
                    or valid_once_trimmed(document, declared, case.body)
                ):
                    continue
                tally.fail(label, failure.title, response.status_code, f"{role}: {group.message}")
        not_problem = problem_failure(response, label)
        if not_problem is not None:
            curl = case.as_curl_command(headers=dict(response.request.headers))
            detail = f"{role}: {not_problem}\n{response.content[:300]!r}\n{curl}"
            tally.fail(label, "not a problem+json error", response.status_code, detail)

    run()


def report(operations: int, tally: Tally) -> str:
    lines = [
        f"contract fuzzing: {operations} operations, {sum(tally.cases.values())} cases "
        f"({EXAMPLES} per operation and mode; {tally.without_negative} operations without "
        f"negative cases), {len(tally.failures)} distinct failures",
        "  by role: " + ", ".join(f"{role} {n}" for role, n in sorted(tally.cases.items())),
        "  by status: " + ", ".join(f"{code} {n}" for code, n in sorted(tally.statuses.items())),
    ]
    for (label, title, status), detail in sorted(tally.failures.items()):
        count = tally.occurrences[(label, title, status)]
        lines.append(f"\n- {label} -> {status}: {title} (x{count})\n{detail[:3000]}")
    return "\n".join(lines)


def test_every_operation_keeps_its_contract_for_every_role(
    fuzz_stack: Stack, fuzz_world: FuzzWorld
) -> None:
    with fuzz_stack.client() as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    # The harness sends each role's token in turn, and none; schemathesis's own bearer values
    # would be replaced, and its spoilt ones only retest the 401 of the turn without a token.
    schema.config.generation.update(with_security_parameters=False)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)),
        key=lambda operation: (operation.path, operation.method),
    )
    tally = Tally()
    with requests.Session() as session:
        for operation in operations:
            declared = document["paths"][operation.path][operation.method.lower()]
            modes = [GenerationMode.POSITIVE]
            if declared.get("parameters") or declared.get("requestBody"):
                modes.append(GenerationMode.NEGATIVE)
            else:  # nothing to make invalid: no negative case exists
                tally.without_negative += 1
            for mode in modes:
                fuzz_operation(
                    document, operation, mode, fuzz_world, fuzz_stack.gateway, session, tally
                )
    summary = report(len(operations), tally)
    print(summary)  # `make fuzz` runs pytest with -s to show the counts
    assert len(operations) == sum(
        1 for item in document["paths"].values() for method in item if method != "parameters"
    ), "some operations could not be loaded"
    assert not tally.failures, summary


# --- bad input beside schemathesis's cases (tests/e2e/fuzz_bad_input.py) -----------------------


@pytest.fixture(scope="module")
def fuzz_document(fuzz_stack: Stack) -> dict[str, Any]:
    with fuzz_stack.client() as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def test_tampered_cursors_are_422_on_every_list_for_every_role(
    fuzz_stack: Stack, fuzz_world: FuzzWorld, fuzz_document: dict[str, Any]
) -> None:
    callers = [fuzz_world.headers.get(role, {}) for role in CALLERS]
    with fuzz_stack.client() as client:
        failures, readable = tampered_cursor_failures(
            client, fuzz_document, callers, fuzz_world.situations[0]
        )
    assert not failures, "\n".join(failures[:30])
    assert readable >= 6  # the lists that gave 500 did so for callers who may read them


def test_nul_and_bidi_characters_in_every_body_are_refused(
    fuzz_stack: Stack, fuzz_world: FuzzWorld, fuzz_document: dict[str, Any]
) -> None:
    with fuzz_stack.client() as client:
        for role in ("org_admin", "operator", "platform_admin"):
            failures, bodies = forbidden_text_failures(
                client, fuzz_document, fuzz_world.headers[role], fuzz_world.disposable[0]
            )
            assert not failures, "\n".join(failures[:30])
    assert bodies > 10


def test_oversized_chunked_bodies_are_413_everywhere(
    fuzz_stack: Stack, fuzz_world: FuzzWorld, fuzz_document: dict[str, Any]
) -> None:
    with fuzz_stack.client(timeout=60) as client:
        failures = oversized_body_failures(
            client,
            fuzz_document,
            fuzz_world.headers["org_admin"],
            lambda method, path: fuzz_world.pool(method, path)[0],
        )
    assert not failures, "\n".join(failures[:30])


def test_unknown_query_parameters_are_refused_everywhere(
    fuzz_stack: Stack, fuzz_world: FuzzWorld, fuzz_document: dict[str, Any]
) -> None:
    with fuzz_stack.client() as client:
        for role in CALLERS:
            failures = unknown_parameter_failures(
                client, fuzz_document, fuzz_world.headers.get(role, {}), fuzz_world.situations[0]
            )
            assert not failures, "\n".join(failures[:30])
