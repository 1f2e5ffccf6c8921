"""Intake's single resources carry an ETag and answer 304 when the client already holds it: a
person (by version), a consent and a code list (by content, one tag per language)."""

from __future__ import annotations

import httpx

from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register


async def _revalidate(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> str:
    """Read ``url``, then read it again with its tag: the second answer is a bodiless 304."""
    first = await client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    again = await client.get(url, headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    return tag


async def test_a_person_revalidates_until_changed(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, _, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    tag = await _revalidate(intake, url, a.operator)
    changed = await intake.patch(
        url, json={"municipality": "Bari"}, headers={**a.operator, "If-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    stale = await intake.get(url, headers={**a.operator, "If-None-Match": tag})
    assert stale.status_code == 200
    assert stale.json()["municipality"] == "Bari"


async def test_a_consent_revalidates_until_withdrawn(
    intake: httpx.AsyncClient, orgs: tuple[Org, Org, Org]
) -> None:
    a, b, _ = orgs
    url = f"/api/v1/beneficiaries/{(await register(intake, a))['id']}"
    consent = await intake.post(
        f"{url}/consents",
        json={
            "purpose": "sharing",
            "organization_id": str(b.id),
            "sections": ["identity"],
            "text_version": "it-2026-01",
            "collection_method": "paper_signed",
        },
        headers=a.operator,
    )
    assert consent.status_code == 201, consent.text
    consent_url = f"{url}/consents/{consent.json()['id']}"
    tag = await _revalidate(intake, consent_url, a.operator)
    assert (await intake.delete(consent_url, headers=a.operator)).status_code == 204
    withdrawn = await intake.get(consent_url, headers={**a.operator, "If-None-Match": tag})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False
    assert withdrawn.headers["etag"] != tag


async def test_each_language_of_a_code_list_has_its_own_tag(
    intake: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers()
    url = "/api/v1/code-lists/countries"
    italian = await _revalidate(intake, url, {**headers, "Accept-Language": "it"})
    greek = await _revalidate(intake, url, {**headers, "Accept-Language": "el"})
    assert italian != greek
    # An app that switches language must not be told its Italian copy is still good.
    switched = await intake.get(
        url, headers={**headers, "Accept-Language": "el", "If-None-Match": italian}
    )
    assert switched.status_code == 200
    assert switched.json()["language"] == "el"
