"""The clients generated from docs/openapi.json work against the running stack (issue 19, item 5):
`make clients`' TypeScript (openapi-typescript and openapi-fetch, strict tsc) and Python
(openapi-python-client, mypy --strict) programs each sign in as an operator, register a person,
read them back, find them in the list and read a code list; the person each registered comes back
through the API as they sent it. Generation is cached by the document's hash
(tools/openapi_clients/build.py), so it costs once; the TypeScript half needs Node.js and npm."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.helpers import PASSWORD, bearer, new_user, organisation, token
from tools.openapi_clients import build

# On a clean clone the first call installs the Python generator's virtualenv and the npm packages
# (about two minutes in all), more than the suite's 5-minute fuse leaves room for on a slow day.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _journey(stack: Stack, program: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    """Run ``program`` as a new operator of a new organisation; its summary, checked through the
    API with the operator's own token."""
    with stack.client() as client:
        ngo = organisation(client, "Generated clients")
        _, email = new_user(client, ngo.admin, ngo.id, "operator", "Generated clients")
        family_name = f"Client-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            **extra_env,
            "PONTE_BASE_URL": stack.gateway,
            "PONTE_USERNAME": email,
            "PONTE_PASSWORD": PASSWORD,
            "PONTE_FAMILY_NAME": family_name,
        }
        done = subprocess.run(
            program, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])

        person = summary["read_back"]
        assert person["id"] == summary["registered_id"]
        assert (person["given_name"], person["family_name"]) == ("Amina", family_name)
        assert person["birth_date"] == "1994-03-18"
        assert sorted(person["needs"]) == ["employment", "language"]
        assert summary["listed"] is True
        assert summary["listed_count"] == 1
        countries = summary["code_list"]
        assert (countries["name"], countries["language"]) == ("countries", "it")
        assert countries["entries"] > 100
        assert countries["nationality_label"] == "Senegal"

        operator = bearer(token(client, email))
        stored = client.get(f"/api/v1/beneficiaries/{summary['registered_id']}", headers=operator)
        assert stored.status_code == 200, stored.text
        assert stored.json()["family_name"] == family_name
        assert stored.json()["organization_id"] == ngo.id
    return summary


def test_the_generated_python_client_runs_its_journey(stack: Stack) -> None:
    summary = _journey(stack, build.python(), build.python_environment())
    assert summary["client"] == "python"


def test_the_generated_typescript_client_runs_its_journey(stack: Stack) -> None:
    reason = build.node_missing()
    if reason is not None:
        pytest.skip(f"the TypeScript client needs Node.js and npm ({reason}); CI has them")
    summary = _journey(stack, build.typescript(), {})
    assert summary["client"] == "typescript"
