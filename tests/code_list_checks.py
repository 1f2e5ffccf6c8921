"""Checks every service's enum code lists pass (tests/<service>/test_code_lists.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from enum import StrEnum
from types import ModuleType

from shared.code_lists import LANGUAGES, Catalogue

GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


def domain_enums(package: ModuleType) -> dict[str, tuple[str, ...]]:
    """Every ``StrEnum`` defined in the modules of ``package``: name -> its values."""
    found: dict[str, tuple[str, ...]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, StrEnum)
                and value.__module__ == module.__name__
            ):
                found[f"{module_info.name}.{name}"] = tuple(member.value for member in value)
    return found


def check_labels(catalogue: Catalogue) -> None:
    """Every list loads (codes = the enum's, labels complete); the translations are not English
    copied over, and the Greek is Greek."""
    for name in catalogue.names:
        code_list = catalogue.get(name)
        assert code_list.entries, name
        translated = 0
        for entry in code_list.entries:
            labels = entry["labels"]
            assert set(labels) == set(LANGUAGES), (name, entry["code"])
            assert GREEK.search(labels["el"]) or labels["el"] == labels["en"], (name, labels)
            assert all(len(label) <= 60 for label in labels.values()), (name, labels)
            translated += sum(labels[language] != labels["en"] for language in ("it", "es", "el"))
        # Cognates ("Social", "Distance") may match English; whole lists may not.
        assert translated >= len(code_list.entries), name
