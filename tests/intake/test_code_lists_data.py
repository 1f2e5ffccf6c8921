"""The intake code lists as data: complete in five languages, well coded, and faithful to their
sources. Pure unit tests: no database, no app."""

from __future__ import annotations

import json
import re
from collections import Counter
from enum import StrEnum
from typing import Any

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.code_lists import (
    LANGUAGES,
    CodeList,
    CodeListError,
    UnknownCodeList,
    get_code_list,
    list_names,
    negotiate,
)
from services.intake.code_lists.loader import LOCALISED_FIELDS, validate
from services.intake.code_lists.render import (
    code_list_json,
    index_json,
    localised_entry,
    multilingual_entry,
)
from services.intake.domain.documents import DocumentKind, DocumentStatus, SupportType
from services.intake.domain.enums import BatchMode, ItemStatus, JobStatus
from services.intake.domain.transfers import TransferStatus

GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
ALL_LISTS = list_names()
PILOT_COUNTRIES = {"IT": "it", "ES": "es", "FR": "fr", "CY": "el", "GR": "el"}
COMMON_ORIGINS = (
    "AF SY IR IQ PK BD NG SN ML ER SO SD CD CG VE BO TZ MD RU KR KP LA PS TR UA VN CI GM GN"
).split()


def codes(name: str) -> list[str]:
    return list(get_code_list(name).codes())


def entry(name: str, code: str) -> dict[str, Any]:
    return next(dict(item) for item in get_code_list(name).entries if item["code"] == code)


# --- every list -------------------------------------------------------------------------------


def test_the_nineteen_lists_are_served() -> None:
    assert set(ALL_LISTS) == set(
        "countries languages cefr-levels language-skills isced-levels isced-fields need-domains "
        "permit-types "
        "ilo-forced-labour-indicators recognition-statuses sexes organization-types "
        "document-kinds document-statuses document-supports transfer-statuses "
        "batch-modes batch-item-statuses job-statuses".split()
    )


@pytest.mark.parametrize(
    ("name", "enum"),
    [
        ("document-kinds", DocumentKind),
        ("document-statuses", DocumentStatus),
        ("document-supports", SupportType),
        ("transfer-statuses", TransferStatus),
        ("batch-modes", BatchMode),
        ("batch-item-statuses", ItemStatus),
        ("job-statuses", JobStatus),
    ],
)
def test_the_document_lists_follow_their_enums(name: str, enum: type[StrEnum]) -> None:
    assert codes(name) == [member.value for member in enum]


@pytest.mark.parametrize("name", ALL_LISTS)
def test_metadata_is_filled_in_and_codes_are_unique(name: str) -> None:
    code_list = get_code_list(name)
    assert code_list.name == name
    assert code_list.description.strip()
    assert code_list.source.strip()
    assert "{" not in code_list.source  # the pycountry version was substituted
    all_codes = codes(name)
    assert all(code.strip() == code for code in all_codes)
    assert all(all_codes)
    assert len(set(all_codes)) == len(all_codes)


@pytest.mark.parametrize("name", ALL_LISTS)
def test_every_text_exists_in_all_five_languages_and_greek_is_greek(name: str) -> None:
    for item in get_code_list(name).entries:
        assert item["labels"], item["code"]
        for field in LOCALISED_FIELDS:
            texts = item.get(field)
            if texts is None:
                continue
            where = (item["code"], field)
            assert set(texts) == set(LANGUAGES), where
            assert all(text and text.strip() == text for text in texts.values()), where
            assert GREEK.search(texts["el"]), where
            assert not any(GREEK.search(texts[language]) for language in LANGUAGES[:4]), where


@pytest.mark.parametrize("name", [name for name in ALL_LISTS if name != "permit-types"])
def test_labels_are_distinct_within_a_language(name: str) -> None:
    for language in LANGUAGES:
        labels = Counter(item["labels"][language] for item in get_code_list(name).entries)
        assert [label for label, count in labels.items() if count > 1] == [], language


# --- countries and languages ------------------------------------------------------------------


def test_countries_cover_iso_3166_with_alpha_3() -> None:
    countries = get_code_list("countries")
    assert len(countries.entries) == len(pycountry.countries) >= 249
    for item in countries.entries:
        assert re.fullmatch(r"[A-Z]{2}", item["code"])
        assert re.fullmatch(r"[A-Z]{3}", item["alpha_3"])
        assert isinstance(item["is_eu"], bool)
    assert entry("countries", "IT")["alpha_3"] == "ITA"


def test_country_labels_in_the_pilot_languages() -> None:
    assert entry("countries", "IT")["labels"] == {
        "en": "Italy",
        "it": "Italia",
        "es": "Italia",
        "fr": "Italie",
        "el": "Ιταλία",
    }
    assert entry("countries", "ES")["labels"]["es"] == "España"
    assert entry("countries", "FR")["labels"]["fr"] == "France"
    assert entry("countries", "GR")["labels"]["el"] == "Ελλάδα"
    assert entry("countries", "CY")["labels"]["el"] == "Κύπρος"
    assert entry("countries", "DE")["labels"]["it"] == "Germania"
    assert entry("countries", "MA")["labels"]["es"] == "Marruecos"
    assert entry("countries", "CG")["labels"]["en"] == "Republic of the Congo"  # not "Congo"


def test_exactly_the_eu_27_are_flagged() -> None:
    eu = {item["code"] for item in get_code_list("countries").entries if item["is_eu"]}
    assert len(eu) == 27
    assert {"IT", "ES", "FR", "CY", "GR", "HR"} <= eu
    assert not eu & {"GB", "CH", "NO", "TR", "UA", "AL", "MA", "SY"}


@pytest.mark.parametrize("code", COMMON_ORIGINS)
def test_countries_people_come_from_read_naturally(code: str) -> None:
    """No inverted catalogue forms ("Iran, Islamic Republic of") for common origins."""
    for language, label in entry("countries", code)["labels"].items():
        assert "," not in label, (code, language, label)


def test_languages_are_iso_639_1() -> None:
    languages = get_code_list("languages")
    assert len(languages.entries) >= 180
    for item in languages.entries:
        assert re.fullmatch(r"[a-z]{2}", item["code"])
        assert re.fullmatch(r"[a-z]{3}", item["alpha_3"])
        for label in item["labels"].values():
            assert "macro" not in label.lower()
            assert "μακρο" not in label.lower()
            assert label[0].isupper(), (item["code"], label)
    assert {"ar", "fa", "ps", "ti", "so", "uk", "ur", "bn", "wo", "ff"} <= set(codes("languages"))
    assert entry("languages", "el")["labels"]["el"] == "Ελληνικά"
    assert entry("languages", "it")["labels"]["it"] == "Italiano"
    assert entry("languages", "es")["labels"]["el"] == "Ισπανικά"
    assert entry("languages", "ar")["labels"]["es"] == "Árabe"
    assert entry("languages", "fr")["labels"]["fr"] == "Français"


# --- curated lists ----------------------------------------------------------------------------


def test_cefr_levels_are_the_six_in_order() -> None:
    levels = get_code_list("cefr-levels").entries
    assert [item["code"] for item in levels] == ["A1", "A2", "B1", "B2", "C1", "C2"]
    assert [item["rank"] for item in levels] == [1, 2, 3, 4, 5, 6]
    bands = ["basic", "basic", "independent", "independent", "proficient", "proficient"]
    assert [item["band"] for item in levels] == bands
    for item in levels:
        assert all(label.startswith(item["code"]) for label in item["labels"].values())
    assert levels[2]["labels"]["en"] == "B1 – Threshold"
    assert levels[5]["labels"]["it"] == "C2 – Padronanza"


def test_language_skills_follow_the_self_assessment_grid() -> None:
    skills = get_code_list("language-skills").entries
    expected = "listening reading spoken_interaction spoken_production writing".split()
    assert [item["code"] for item in skills] == expected
    groups = "understanding understanding speaking speaking writing".split()
    assert [item["group"] for item in skills] == groups
    assert [item["rank"] for item in skills] == sorted(item["rank"] for item in skills)


def test_isced_levels_zero_to_eight() -> None:
    levels = get_code_list("isced-levels").entries
    assert [item["level"] for item in levels] == list(range(9))
    assert [item["code"] for item in levels] == [str(level) for level in range(9)]
    assert levels[0]["labels"]["en"] == "Early childhood education"
    assert levels[8]["labels"]["en"] == "Doctoral or equivalent level"


def test_need_domains_and_their_tie_break_order() -> None:
    domains = get_code_list("need-domains").entries
    by_priority = sorted(domains, key=lambda item: item["priority_order"])
    assert [item["code"] for item in by_priority] == (
        "documents_legal housing health language income employment training childcare transport "
        "digital_skills"
    ).split()
    assert sorted(item["priority_order"] for item in domains) == list(range(1, 11))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "recognition-statuses",
            ["none", "requested", "partially_recognised", "recognised", "refused"],
        ),
        (
            "isced-fields",
            ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "99"],
        ),
        ("sexes", ["female", "male", "other", "undisclosed"]),
        (
            "organization-types",
            (
                "employment_service ngo local_authority vet_provider employer "
                "employer_association chamber_of_commerce trade_union migrant_association "
                "university other"
            ).split(),
        ),
    ],
)
def test_small_lists_have_exactly_their_codes(name: str, expected: list[str]) -> None:
    assert codes(name) == expected


def test_the_eleven_ilo_indicators() -> None:
    indicators = get_code_list("ilo-forced-labour-indicators").entries
    assert [item["code"] for item in indicators] == (
        "abuse_of_vulnerability deception restriction_of_movement isolation "
        "physical_and_sexual_violence intimidation_and_threats retention_of_identity_documents "
        "withholding_of_wages debt_bondage abusive_working_and_living_conditions "
        "excessive_overtime"
    ).split()
    for item in indicators:
        for language, text in item["descriptions"].items():
            assert text.endswith("."), (item["code"], language)
            assert ". " not in text, (item["code"], language)  # one sentence


# --- permit types -----------------------------------------------------------------------------


def test_permit_types_cover_the_five_pilot_countries() -> None:
    permits = get_code_list("permit-types").entries
    per_country = Counter(item["country"] for item in permits)
    assert set(per_country) == {None, *PILOT_COUNTRIES}
    assert all(per_country[country] >= 5 for country in PILOT_COUNTRIES)
    for country in PILOT_COUNTRIES:
        assert sum(item["allows_work"] for item in permits if item["country"] == country) >= 3
    for item in permits:
        assert isinstance(item["allows_work"], bool), item["code"]
        if item["country"] is None:
            assert item["original_term"] is None
        else:
            assert item["code"].startswith(f"{item['country']}-")
            # The label in the country's own language is the official term, at most followed by
            # a plain-words explanation in brackets.
            own_label = item["labels"][PILOT_COUNTRIES[item["country"]]]
            term = re.escape(item["original_term"])
            assert re.fullmatch(rf"{term}( \([^()]+\))?", own_label), item["code"]


def test_permit_labels_are_distinct_within_a_country() -> None:
    permits = get_code_list("permit-types").entries
    for language in LANGUAGES:
        labels = Counter((item["country"], item["labels"][language]) for item in permits)
        assert [key for key, count in labels.items() if count > 1] == [], language


@pytest.mark.parametrize(
    ("code", "allows_work", "note_mentions"),
    [
        ("none", False, None),
        ("eu-long-term", True, "2003/109"),
        ("IT-lavoro-subordinato", True, None),
        ("IT-richiesta-asilo", True, "60"),
        ("IT-studio", True, "1,040"),
        ("IT-cure-mediche", False, None),
        ("ES-solicitante-asilo", True, "six months"),
        ("FR-etudiant", True, "964"),
        ("FR-demandeur-asile", True, "six months"),
        ("CY-asylum-seeker", True, "nine months"),
        ("GR-asylum-seeker", True, "60 days"),
    ],
)
def test_work_rights_of_key_permits(
    code: str, allows_work: bool, note_mentions: str | None
) -> None:
    permit = entry("permit-types", code)
    assert permit["allows_work"] is allows_work
    if note_mentions is not None:
        assert note_mentions in permit["notes"]["en"]


# --- rendering --------------------------------------------------------------------------------


def test_a_localised_entry_has_one_label_and_keeps_its_fields() -> None:
    permit = next(item for item in get_code_list("permit-types").entries if item["notes"])
    item = localised_entry(permit, "el")
    assert list(item)[:2] == ["code", "label"]
    assert item["label"] == permit["labels"]["el"]
    assert item["note"] == permit["notes"]["el"]
    assert "labels" not in item
    assert "notes" not in item
    assert item["allows_work"] is permit["allows_work"]


def test_a_multilingual_entry_keeps_all_labels() -> None:
    level = get_code_list("cefr-levels").entries[0]
    item = multilingual_entry(level)
    assert item["labels"] == dict(level["labels"])
    assert "label" not in item
    item["labels"]["en"] = "changed"
    assert level["labels"]["en"] == "A1 – Breakthrough"  # the cached data is not shared


@pytest.mark.parametrize("name", ALL_LISTS)
def test_payloads_are_json_and_built_once(name: str) -> None:
    payload = code_list_json(name, "it", False)
    assert code_list_json(name, "it", False) is payload
    document = json.loads(payload)
    assert document["name"] == name
    assert document["language"] == "it"
    assert len(document["items"]) == len(get_code_list(name).entries)
    assert all(item["label"] for item in document["items"])
    every = json.loads(code_list_json(name, "it", True))
    assert all(set(item["labels"]) == set(LANGUAGES) for item in every["items"])


def test_italy_in_italian_payload() -> None:
    document = json.loads(code_list_json("countries", "it", False))
    italy = next(item for item in document["items"] if item["code"] == "IT")
    assert italy == {"code": "IT", "label": "Italia", "alpha_3": "ITA", "is_eu": True}


def test_index_counts_every_list() -> None:
    index = json.loads(index_json())["items"]
    assert [summary["name"] for summary in index] == list(ALL_LISTS)
    for summary in index:
        assert summary["count"] == len(get_code_list(summary["name"]).entries)
        assert summary["description"]
        assert summary["source"]


def test_unknown_list() -> None:
    with pytest.raises(UnknownCodeList):
        get_code_list("permits")
    with pytest.raises(UnknownCodeList):
        code_list_json("../countries", "en", False)


# --- validation of the data itself -----------------------------------------------------------


def _labels(text: str) -> dict[str, str]:
    return {language: f"{text} {language} λ" for language in LANGUAGES}


@pytest.mark.parametrize(
    ("items", "error"),
    [
        (({"code": "a", "labels": {"en": "x"}},), "needs exactly the languages"),
        (({"code": "a", "labels": _labels("x") | {"fr": "  "}},), "empty"),
        (({"code": "a", "labels": _labels("x")}, {"code": "a", "labels": _labels("y")}), "dup"),
        (({"code": "a", "labels": _labels("x"), "label": "x"},), "reserved"),
        (({"code": "", "labels": _labels("x")},), "no code"),
        (({"code": "a"},), "no labels"),
    ],
)
def test_validation_rejects_bad_data(items: tuple[dict[str, Any], ...], error: str) -> None:
    with pytest.raises(CodeListError, match=error):
        validate(CodeList("t", "d", "s", items))


# --- language negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("it", "it"),
        ("it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", "it"),
        ("de-DE, de;q=0.9, es;q=0.7, fr;q=0.8", "fr"),
        ("de, nl", "en"),
        ("*", "en"),
        ("el-GR", "el"),
        ("EL", "el"),
        ("it;q=0, es", "es"),
        ("fr;q=0.5, el;q=0.5", "fr"),
        ("it;q=abc, es;q=0.1", "es"),
        ("it;q=2, es;q=0.3", "es"),
        ("pt-BR, es-419;q=0.8", "es"),
        ("en;q=0.1, fr", "fr"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


@given(st.text(max_size=200))
def test_negotiation_never_fails(header: str) -> None:
    assert negotiate(header) in LANGUAGES
