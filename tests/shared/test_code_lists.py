"""Code lists made of enums (``shared/code_lists``): the labels must match the codes exactly, in
all five languages, or the list does not load. Pure unit tests."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest

from shared.code_lists import CodeListError, UnknownCodeList
from shared.code_lists.enums import EnumList, enum_code_list
from shared.code_lists.render import Catalogue


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def labels(word: str) -> dict[str, str]:
    return {language: f"{word} ({language})" for language in ("en", "it", "es", "fr", "el")}


def document(items: dict[str, Any]) -> dict[str, Any]:
    return {"colours": {"description": "Colours.", "source": "a test", "items": items}}


COMPLETE = {"red": {"labels": labels("red")}, "green": {"labels": labels("green")}}


def test_a_list_follows_its_enum_in_order_with_details_from_the_code() -> None:
    spec = EnumList(lambda: Colour, lambda code: {"warm": code == "red"})
    colours = enum_code_list("colours", document(COMPLETE), spec)
    assert colours.codes() == ("red", "green")
    assert dict(colours.entries[0]) == {"code": "red", "warm": True, "labels": labels("red")}


def test_a_value_added_to_the_enum_without_labels_fails_the_list() -> None:
    class Wider(StrEnum):
        RED = "red"
        GREEN = "green"
        BLUE = "blue"

    with pytest.raises(CodeListError, match=r"without labels: \['blue'\]"):
        enum_code_list("colours", document(COMPLETE), EnumList(lambda: Wider))


def test_labels_of_a_code_that_is_gone_fail_the_list() -> None:
    items = {**COMPLETE, "mauve": {"labels": labels("mauve")}}
    with pytest.raises(CodeListError, match=r"labelled but no code: \['mauve'\]"):
        enum_code_list("colours", document(items), EnumList(lambda: Colour))


@pytest.mark.parametrize(
    "broken",
    [
        {"en": "Red", "it": "Rosso", "es": "Rojo", "fr": "Rouge"},  # no Greek
        {**labels("red"), "de": "Rot"},  # a sixth language
        {**labels("red"), "el": "  "},  # an empty label
    ],
)
def test_every_label_in_exactly_the_five_languages(broken: dict[str, str]) -> None:
    items = {**COMPLETE, "red": {"labels": broken}}
    with pytest.raises(CodeListError):
        enum_code_list("colours", document(items), EnumList(lambda: Colour))


def test_a_list_without_labels_or_metadata_fails() -> None:
    with pytest.raises(CodeListError, match="no labels for this list"):
        enum_code_list("shapes", document(COMPLETE), EnumList(lambda: Colour))
    bare = {"colours": {"description": "Colours.", "items": COMPLETE}}
    with pytest.raises(CodeListError, match="'source' is missing"):
        enum_code_list("colours", bare, EnumList(lambda: Colour))


def test_a_catalogue_serves_its_lists_only_and_names_its_service() -> None:
    colours = enum_code_list("colours", document(COMPLETE), EnumList(lambda: Colour))
    catalogue = Catalogue("palette", ("colours",), lambda _name: colours)
    body = catalogue.code_list_json("colours", "el", False).decode()
    assert '"label":"red (el)"' in body
    assert catalogue.code_list_etag("colours", "el", False) != catalogue.code_list_etag(
        "colours", "it", False
    )
    assert catalogue.summaries() == [
        {
            "name": "colours",
            "description": "Colours.",
            "source": "a test",
            "count": 2,
            "service": "palette",
        }
    ]
    with pytest.raises(UnknownCodeList):
        catalogue.code_list_json("shapes", "en", False)
