"""Free text to ESCO skills (``domain.skill_resolution``): the rules on a handful of labels, the
resolve endpoint, and ranking that reads Italian free text as well as English once Italian labels
are imported.

The Italian labels here are a cut written for these tests (translations of four skills of the
committed English subset, in the official files' format), not ESCO's Italian file, which this
machine does not have (``../shared/data/esco/README.md``)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx

from services.matching.app import create_app
from services.matching.domain.skill_resolution import (
    Label,
    LabelKind,
    SkillResolver,
    decide,
    key,
)
from shared.testing.plugin import DatabaseFactory
from shared.testing.tokens import TestIssuer
from tests.matching.conftest import matching_settings, offer, person
from tests.matching.esco import import_subset, subset_taxonomy
from tests.support import Org, migrated_database, serve

BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"
LAY_BRICKS = "http://data.europa.eu/esco/skill/13e1c0a2-b90d-46f4-be51-11730360b38d"
SPLIT_BRICKS = "http://data.europa.eu/esco/skill/3e3f2ff8-cf80-4415-ac6a-020d52b175c1"
SNAP_CHALK_LINE = "http://data.europa.eu/esco/skill/2da864d4-339f-40ab-91c0-9f8d229a2c0b"
SECURE_AREA = "http://data.europa.eu/esco/skill/6ed2fb8d-3580-497f-8a21-30a0ada5caae"
ITALIAN = {
    LAY_BRICKS: ("posare mattoni", "muratura"),
    SPLIT_BRICKS: ("tagliare mattoni", "spaccare mattoni"),
    SNAP_CHALK_LINE: ("tracciare linee con il filo battipista", ""),
    SECURE_AREA: ("mettere in sicurezza l'area di lavoro", "delimitare il cantiere"),
}
LABELS = [
    Label("uri:lay", "lay bricks", "en", LabelKind.PREFERRED),
    Label("uri:lay", "bricklaying", "en", LabelKind.ALTERNATIVE),
    Label("uri:lay", "brik laying", "en", LabelKind.HIDDEN),
    Label("uri:lay", "posare mattoni", "it", LabelKind.PREFERRED),
    Label("uri:split", "split bricks", "en", LabelKind.PREFERRED),
    Label("uri:weld-a", "welding", "en", LabelKind.ALTERNATIVE),
    Label("uri:weld-b", "welding", "en", LabelKind.ALTERNATIVE),
    Label("uri:drive", "drive forklift", "en", LabelKind.PREFERRED),
    Label("uri:cook", "prepare pizza", "en", LabelKind.PREFERRED),
]


def _resolved(resolver: SkillResolver, text: str, **kw: Any) -> tuple[str | None, float | None]:
    found = resolver.resolve(text, **kw).resolved
    return (found.uri, found.confidence) if found else (None, None)


def test_case_accents_punctuation_plurals_and_word_order_do_not_matter() -> None:
    assert key("Bricks, laying.") == key("laying brick") == key("  BRICK-LAYING! ")
    assert key("Posáre  mattoni") == key("posare mattoni")
    assert key("...") == ""


def test_labels_resolve_by_kind_typos_by_likeness_and_nonsense_to_nothing() -> None:
    resolver = SkillResolver(LABELS)
    assert _resolved(resolver, "Lay bricks.") == ("uri:lay", 1.0)
    assert _resolved(resolver, "Bricks, lay") == ("uri:lay", 1.0)
    assert _resolved(resolver, "bricklaying") == ("uri:lay", 0.95)
    assert _resolved(resolver, "brik laying") == ("uri:lay", 0.9)
    uri, confidence = _resolved(resolver, "lay brickss")
    assert uri == "uri:lay"
    assert confidence is not None
    assert 0.75 <= confidence < 1.0
    assert _resolved(resolver, "drive forklifts")[0] == "uri:drive"
    assert _resolved(resolver, "kalomir venshadro") == (None, None)
    assert resolver.resolve("").candidates == ()


def test_a_label_of_two_concepts_is_ambiguous_and_both_are_candidates() -> None:
    found = SkillResolver(LABELS).resolve("Welding")
    assert found.resolved is None
    assert {c.uri for c in found.candidates[:2]} == {"uri:weld-a", "uri:weld-b"}


def test_languages_limit_the_labels_searched() -> None:
    resolver = SkillResolver(LABELS)
    assert _resolved(resolver, "posare mattoni") == ("uri:lay", 1.0)
    assert _resolved(resolver, "posare mattoni", languages=["it"]) == ("uri:lay", 1.0)
    english_only = resolver.resolve("posare mattoni", languages=["en"])
    assert english_only.resolved is None
    assert all(c.language == "en" for c in english_only.candidates)


def test_a_close_second_leaves_the_text_unresolved() -> None:
    best = [
        *SkillResolver(LABELS).resolve("split brick lay").candidates,
    ]
    assert decide(best, exact=False, threshold=0.0, margin=1.0) is None
    assert decide(best, exact=False, threshold=0.0, margin=0.0) == best[0]
    assert decide([], exact=False) is None


def _italian_file(path: Path) -> Path:
    header = ["conceptType", "conceptUri", "skillType", "preferredLabel", "altLabels", "status"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for uri, (preferred, alternative) in ITALIAN.items():
            writer.writerow(
                {
                    "conceptType": "KnowledgeSkillCompetence",
                    "conceptUri": uri,
                    "skillType": "skill/competence",
                    "preferredLabel": preferred,
                    "altLabels": alternative,
                    "status": "released",
                }
            )
    return path


async def _ranked(client: httpx.AsyncClient, org: Org, skills: list[str]) -> list[Any]:
    someone = await person(client, org, skills=[{"uri": None, "label": text} for text in skills])
    answer = await client.get(f"/api/v1/beneficiaries/{someone}/matches", headers=org.operator)
    assert answer.status_code == 200, answer.text
    return [(match["offer"]["id"], round(match["score"], 6)) for match in answer.json()["items"]]


async def test_italian_free_text_ranks_as_english_once_italian_labels_are_imported(
    database_factory: DatabaseFactory, issuer: TestIssuer, tmp_path: Path
) -> None:
    url = await migrated_database(database_factory, "matching")
    await import_subset(url, _italian_file(tmp_path / "skills_it.csv"))
    taxonomy = subset_taxonomy()
    ngo, provider = Org(issuer), Org(issuer)
    app = create_app(matching_settings(url), verifier=issuer.verifier_factory())
    async with serve(app) as client:
        bricks = sorted(taxonomy.essential[BRICKLAYER])[:6]
        await offer(
            client, provider, title="Bricklaying", skills_required=bricks, occupation_uri=BRICKLAYER
        )
        others = sorted(
            uri
            for uri, occupation in taxonomy.occupations.items()
            if occupation.isco_group[0] != "7" and len(taxonomy.essential.get(uri, ())) >= 4
        )
        far = sorted(taxonomy.essential[others[0]])[:4]
        await offer(client, provider, title="Another trade", skills_required=far)

        english = await _ranked(client, ngo, [taxonomy.label(uri) for uri in ITALIAN])
        italian = await _ranked(client, ngo, [labels[0] for labels in ITALIAN.values()])
        as_typed = await _ranked(
            client, ngo, ["Posare i mattoni.", "muratura", "tagliare matoni", "Filo battipista"]
        )
        unknown = await _ranked(client, ngo, ["kalomir venshadro"])
        assert english == italian  # the same offers, the same scores
        assert [offer_id for offer_id, _ in as_typed] == [offer_id for offer_id, _ in english]
        assert english[0][1] > unknown[0][1]  # recognised skills lift the bricklaying offer

        resolved = await client.get(
            "/api/v1/taxonomy/resolve",
            params={"text": "Posare mattoni!", "language": "it"},
            headers=ngo.operator,
        )
        assert resolved.status_code == 200, resolved.text
        body = resolved.json()
        assert body["resolved"]["uri"] == LAY_BRICKS
        assert (body["resolved"]["preferred_label"], body["resolved"]["language"]) == (
            "lay bricks",
            "it",
        )
        nothing = await client.get(
            "/api/v1/taxonomy/resolve", params={"text": "kalomir"}, headers=ngo.operator
        )
        assert nothing.json()["resolved"] is None
        too_long = await client.get(
            "/api/v1/taxonomy/resolve", params={"text": "x" * 300}, headers=ngo.operator
        )
        assert too_long.status_code == 422
        assert (
            await client.get("/api/v1/taxonomy/resolve", params={"text": "x"})
        ).status_code == 401

        # The explanation's skill labels follow Accept-Language (English where none imported).
        someone = await person(
            client, ngo, skills=[{"label": labels[0]} for labels in ITALIAN.values()]
        )
        for accepted, language in (("it-IT, en;q=0.5", "it"), ("el", "en")):
            answer = await client.get(
                f"/api/v1/beneficiaries/{someone}/matches",
                headers={**ngo.operator, "Accept-Language": accepted},
            )
            assert answer.headers["content-language"] == language
            first = answer.json()["items"][0]
            held = {skill["uri"]: skill["label"] for skill in first["skills"]["matched"]}
            assert held[LAY_BRICKS] == ("posare mattoni" if language == "it" else "lay bricks")
            read = {r["uri"]: r["label"] for r in answer.json()["free_text_skills"]}
            assert read[LAY_BRICKS] == held[LAY_BRICKS]
            unlabelled = [u for u in bricks if u not in ITALIAN]
            missing = {skill["uri"]: skill["label"] for skill in first["skills"]["missing"]}
            for uri in set(unlabelled) & set(missing):
                assert missing[uri] == taxonomy.label(uri)  # no Italian label: English
