"""Countries (ISO 3166-1) and languages (ISO 639-1) from pycountry, in the five label languages.

pycountry ships the iso-codes gettext catalogues, which translate most names. Where a catalogue
has a gap, a typo or an inverted form ("Iran, Islamic Republic of"), the data file's
``label_overrides`` wins: operators pick nationalities from these labels every day, so "Siria"
beats "Repubblica araba siriana" and a Greek screen should not fall back to English.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import metadata
from typing import Any

import pycountry

from shared.code_lists.i18n import LANGUAGES, Language

Labels = dict[str, str]

# "Nepali (macrolanguage)", "Swahili (macro-lingua)", "Malais (macrolangue)", "(μακρογλώσσα)".
_MACRO = re.compile(r"\s*\((macro|μακρο)[^)]*\)", re.IGNORECASE)


@cache
def pycountry_version() -> str:
    """The installed pycountry, named in each generated list's ``source``."""
    try:
        return metadata.version("pycountry")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


class _Missing(gettext.NullTranslations):
    """Last fallback of a catalogue: answers "not translated" instead of echoing the msgid, so a
    name spelt the same in both languages ("Iran") still counts as translated."""

    def gettext(self, message: str) -> str:  # noqa: ARG002 - gettext's signature
        return ""


@cache
def _catalogue(domain: str, language: Language) -> gettext.NullTranslations:
    catalogue = gettext.translation(
        domain, pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    catalogue.add_fallback(_Missing())
    return catalogue


def _translate(domain: str, language: Language, *names: str | None) -> str:
    """The first of ``names`` the catalogue translates; else the first name, in English."""
    candidates = [name for name in names if name]
    if language == "en":  # the msgids are English already
        return candidates[0]
    catalogue = _catalogue(domain, language)
    for name in candidates:
        translated = catalogue.gettext(name)
        if translated:
            return translated
    return candidates[0]


def _labels(
    code: str,
    overrides: Mapping[str, Mapping[str, str]],
    translate: Callable[[Language], str],
) -> Labels:
    override = overrides.get(code, {})
    return {language: override.get(language) or translate(language) for language in LANGUAGES}


def _overrides(document: Mapping[str, Any]) -> Mapping[str, Mapping[str, str]]:
    overrides = document.get("label_overrides", {})
    if not isinstance(overrides, dict):
        raise TypeError("label_overrides must be an object of code -> {language: label}")
    return overrides


def countries(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every ISO 3166-1 country, by alpha-2 code, with ``alpha_3`` and ``is_eu``.

    The common name ("Syria", "South Korea") is preferred to the formal ISO name when the
    catalogue translates it; the EU-27 list comes from the data file, as pycountry has none.
    """
    overrides = _overrides(document)
    eu_members = frozenset(document["eu_members"])
    entries = []
    for country in sorted(pycountry.countries, key=lambda country: country.alpha_2):
        common_name: str | None = getattr(country, "common_name", None)

        def translate(language: Language, country: Any = country, common: Any = common_name) -> str:
            return _translate("iso3166-1", language, common, country.name)

        entries.append(
            {
                "code": country.alpha_2,
                "labels": _labels(country.alpha_2, overrides, translate),
                "alpha_3": country.alpha_3,
                "is_eu": country.alpha_2 in eu_members,
            }
        )
    return entries


def languages(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every ISO 639 language that has a two-letter code, with its ISO 639-3 ``alpha_3``."""
    overrides = _overrides(document)
    entries = []
    with_alpha_2 = (language for language in pycountry.languages if hasattr(language, "alpha_2"))
    for language in sorted(with_alpha_2, key=lambda language: language.alpha_2):

        def translate(target: Language, name: str = language.name) -> str:
            return _tidy(_translate("iso639-3", target, name))

        entries.append(
            {
                "code": language.alpha_2,
                "labels": _labels(language.alpha_2, overrides, translate),
                "alpha_3": language.alpha_3,
            }
        )
    return entries


def _tidy(name: str) -> str:
    """Drop the "(macrolanguage)" qualifier and capitalise: some catalogues write "armeno"."""
    name = _MACRO.sub("", name).strip()
    return name[:1].upper() + name[1:]
