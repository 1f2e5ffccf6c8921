"""``GET /api/v1/taxonomy/skills`` and ``/occupations`` over the imported subset: prefix and
word-start matches, case and accents aside, alternative and hidden labels, ranking, validation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.matching.domain.labels import search_key
from shared.errors import problem_type
from shared.testing.tokens import TestIssuer
from tests.matching.esco import serve_matching, subset_rows

SKILLS = "/api/v1/taxonomy/skills"
OCCUPATIONS = "/api/v1/taxonomy/occupations"
LAY_BRICKS = "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"
BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


@pytest.fixture(scope="module")
async def client(matching_database: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Read-only searches: one app for the module, over the session's imported subset."""
    async with serve_matching(matching_database, issuer) as client:
        client.headers.update(issuer.headers(roles=("beneficiary",)))
        yield client


async def _items(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    answer = await client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    assert len({item["uri"] for item in items}) == len(items)  # one result per concept
    return items


async def test_an_occupation_by_the_start_of_its_name(client: httpx.AsyncClient) -> None:
    [first, *_rest] = await _items(client, OCCUPATIONS, q="Bricklayer")
    assert first == {
        "uri": BRICKLAYER,
        "preferred_label": "bricklayer",
        "matched_label": "bricklayer",
        "isco_group": "7112",
        "code": "7112.1",
    }


async def test_accents_and_case_do_not_matter(client: httpx.AsyncClient) -> None:
    host = next(
        row for row in subset_rows("occupations_en.csv") if "maître d'hôtel" in row["altLabels"]
    )
    assert search_key("MAÎTRE D'HÔ") == "maitre dho"
    for q in ("maitre d", "MAÎTRE D'HÔ", "Maitre-d"):
        items = await _items(client, OCCUPATIONS, q=q)
        assert [item["uri"] for item in items] == [host["conceptUri"]], q
        assert items[0]["matched_label"] == "maître d'hôtel"
        assert items[0]["preferred_label"] == host["preferredLabel"]
    # And the other way round: an accented label found by the accent-free query.
    cooks = await _items(client, OCCUPATIONS, q="saute")
    assert "sauté cook" in {item["matched_label"] for item in cooks}


async def test_an_alternative_label_shows_the_preferred_one(client: httpx.AsyncClient) -> None:
    items = await _items(client, SKILLS, q="bricklaying")
    bricks = next(item for item in items if item["uri"] == LAY_BRICKS)
    assert bricks["preferred_label"] == "lay bricks"
    assert bricks["matched_label"] == "bricklaying"
    assert bricks["skill_type"] == "skill/competence"
    assert bricks["reuse_level"] == "sector-specific"


async def test_a_later_word_matches_and_ranks_after_whole_labels(
    client: httpx.AsyncClient,
) -> None:
    # "bricks" starts no label of "lay bricks", only its second word: found all the same, with
    # its preferred label as the match (preferred labels before alternative ones).
    items = await _items(client, SKILLS, q="bricks", limit=50)
    assert {"uri": LAY_BRICKS, "matched_label": "lay bricks"}.items() <= next(
        item for item in items if item["uri"] == LAY_BRICKS
    ).items()
    items = await _items(client, SKILLS, q="brick", limit=50)
    starts = [search_key(item["matched_label"]).startswith("brick") for item in items]
    assert True in starts
    assert False in starts
    assert starts == sorted(starts, reverse=True)  # whole-label matches first


@pytest.mark.parametrize("q", ["cook", "clean", "w"])
async def test_the_ranking(client: httpx.AsyncClient, q: str) -> None:
    """Exact match; whole label before a later word; preferred before alternative; shorter."""
    items = await _items(client, OCCUPATIONS, q=q, limit=50)
    key = search_key(q)

    def rank(item: dict[str, Any]) -> tuple[bool, bool, bool, int]:
        matched = search_key(item["matched_label"])
        return (
            matched != key,
            not matched.startswith(key),
            item["matched_label"] != item["preferred_label"],
            len(item["matched_label"]),
        )

    ranks = [rank(item) for item in items]
    assert ranks == sorted(ranks)
    assert len({rank[:3] for rank in ranks}) >= 2  # more than one kind of match to order


async def test_an_exact_match_comes_first(client: httpx.AsyncClient) -> None:
    items = await _items(client, OCCUPATIONS, q="Cook")
    assert items[0]["matched_label"] == items[0]["preferred_label"] == "cook"
    assert len(items) > 1


async def test_hidden_labels_find_but_never_show(client: httpx.AsyncClient) -> None:
    row = next(
        row
        for row in subset_rows("skills_en.csv")
        if row["preferredLabel"] == "adopt ways to foster biodiversity and animal welfare"
    )
    assert "eat bio" in row["hiddenLabels"].split("\n")
    [item] = await _items(client, SKILLS, q="eat bio")
    assert item["uri"] == row["conceptUri"]
    assert item["matched_label"] == item["preferred_label"] == row["preferredLabel"]


async def test_the_limit_is_respected(client: httpx.AsyncClient) -> None:
    assert len(await _items(client, SKILLS, q="c")) == 20
    assert len(await _items(client, SKILLS, q="c", limit=3)) == 3
    assert len(await _items(client, SKILLS, q="c", limit=50)) == 50
    for limit in (0, 51):
        answer = await client.get(SKILLS, params={"q": "c", "limit": limit})
        assert answer.status_code == 422


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "   "}, {"q": "x" * 101}, {}])
async def test_a_missing_empty_or_long_query_is_refused(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    answer = await client.get(SKILLS, params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == problem_type("validation")
    assert [error["field"] for error in problem["errors"]] == ["query.q"]


async def test_only_punctuation_finds_nothing(client: httpx.AsyncClient) -> None:
    assert await _items(client, SKILLS, q="--!") == []


async def test_the_language_defaults_to_english(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        OCCUPATIONS, params={"q": "cook"}, headers={"Accept-Language": "it-IT,it;q=0.9"}
    )
    assert answer.json()["language"] == "en"  # no Italian labels imported here
    assert answer.headers["content-language"] == "en"
    assert answer.headers["vary"] == "Accept-Language"
    answer = await client.get(OCCUPATIONS, params={"q": "cook", "language": "it"})
    assert answer.json() == {"language": "it", "items": [], "next_cursor": None}
    answer = await client.get(OCCUPATIONS, params={"q": "cook", "language": "not a language"})
    assert answer.status_code == 422


async def test_a_token_is_required(client: httpx.AsyncClient) -> None:
    for path in (SKILLS, OCCUPATIONS):
        answer = await client.get(path, params={"q": "cook"}, headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"


async def test_the_openapi_documents_the_results(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"][SKILLS]["get"]
    assert "401" in operation["responses"]
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert content["$ref"].endswith("/SkillSearch")
    occupation = schema["components"]["schemas"]["OccupationMatch"]
    assert {"uri", "preferred_label", "matched_label", "isco_group", "code"} <= set(
        occupation["properties"]
    )
    assert occupation["examples"][0]["uri"] == BRICKLAYER
