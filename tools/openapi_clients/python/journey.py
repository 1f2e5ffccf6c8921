"""A partner's first steps with the client openapi-python-client generates from
docs/openapi.json: sign in, register a person, read them back, find them in the list, read a code
list; prints what it saw as one JSON object. `make clients` generates the client and checks this
program with mypy --strict; run it with the client's own virtualenv:

    PONTE_BASE_URL=http://127.0.0.1:8000 PONTE_USERNAME=... PONTE_PASSWORD=... \\
    PYTHONPATH=tools/openapi_clients/python/generated \\
        tools/openapi_clients/python/.venv/bin/python tools/openapi_clients/python/journey.py
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from typing import Any, TypeVar

from ponte_client import AuthenticatedClient, Client
from ponte_client.api.auth import token
from ponte_client.api.beneficiaries import list_beneficiaries, read_beneficiary, register
from ponte_client.api.code_lists import read_code_list
from ponte_client.models import (
    BeneficiaryCreate,
    BeneficiaryCreateNeedsItem,
    BeneficiaryPage,
    BeneficiaryRead,
    CodeListRead,
    ReadCodeListLangType0,
    Registered,
    TokenForm,
    TokenFormGrantType,
    TokenResponse,
)
from ponte_client.types import Response, Unset

Expected = TypeVar("Expected")


def setting(name: str, fallback: str | None = None) -> str:
    value = os.environ.get(name) or fallback
    if not value:
        raise SystemExit(f"set {name}")
    return value


def expect(step: str, answer: Response[Any], kind: type[Expected]) -> Expected:
    """The parsed answer if it is the success ``kind``; else stop with the status and body (a
    problem+json, or OAuth's error)."""
    if isinstance(answer.parsed, kind):
        return answer.parsed
    raise SystemExit(f"{step}: HTTP {answer.status_code} {answer.content.decode(errors='replace')}")


def optional(value: str | Unset | None) -> str | None:
    return None if isinstance(value, Unset) else value


def main() -> None:
    base_url = setting("PONTE_BASE_URL", "http://127.0.0.1:8000")
    family_name = setting("PONTE_FAMILY_NAME", f"Typed-{time.time_ns()}")
    form = TokenForm(
        grant_type=TokenFormGrantType.PASSWORD,
        username=setting("PONTE_USERNAME"),
        password=setting("PONTE_PASSWORD"),
    )
    with Client(base_url=base_url) as anonymous:
        signed_in = expect(
            "sign-in", token.sync_detailed(client=anonymous, body=form), TokenResponse
        )

    with AuthenticatedClient(base_url=base_url, token=signed_in.access_token) as api:
        person = BeneficiaryCreate(
            given_name="Amina",
            family_name=family_name,
            birth_date=datetime.date(1994, 3, 18),
            nationality="SN",
            needs=[BeneficiaryCreateNeedsItem.LANGUAGE, BeneficiaryCreateNeedsItem.EMPLOYMENT],
        )
        created = expect("register", register.sync_detailed(client=api, body=person), Registered)
        read = expect(
            "read",
            read_beneficiary.sync_detailed(created.id, client=api),
            BeneficiaryRead,
        )
        page = expect(
            "list",
            list_beneficiaries.sync_detailed(client=api, q=family_name, limit=50),
            BeneficiaryPage,
        )
        countries = expect(
            "code list",
            read_code_list.sync_detailed("countries", client=api, lang=ReadCodeListLangType0.IT),
            CodeListRead,
        )

    listed_ids = [str(item.id) for item in page.items]
    nationality = next((item for item in countries.items if item.code == read.nationality), None)
    needs = [] if isinstance(read.needs, Unset) else [str(need) for need in read.needs or []]
    birth_date = None if isinstance(read.birth_date, Unset) else read.birth_date
    summary = {
        "client": "python",
        "registered_id": str(created.id),
        "read_back": {
            "id": str(read.id),
            "given_name": optional(read.given_name),
            "family_name": optional(read.family_name),
            "birth_date": birth_date.isoformat() if birth_date else None,
            "needs": needs,
            "status": str(read.status),
        },
        "listed": str(created.id) in listed_ids,
        "listed_count": len(listed_ids),
        "code_list": {
            "name": countries.name,
            "language": str(countries.language),
            "entries": len(countries.items),
            "nationality_label": optional(nationality.label) if nationality else None,
        },
    }
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
