"""``python -m tools.problem_types [--check]``: write ``shared/problem_types.json``, the catalogue
of problem types, from the :class:`~shared.errors.Problem` subclasses of ``shared`` and of every
service (imported here, outside ``shared``, which imports no service). ``--check`` only compares.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import services
import shared
from shared import problem_types


def every_problem() -> list[type[Any]]:
    """Every Problem subclass of the code that ships (migrations and test helpers aside)."""
    for package in (shared, services):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module.name or module.name.startswith("shared.testing"):
                continue
            importlib.import_module(module.name)
    return problem_types.subclasses()


def generated() -> str:
    return problem_types.dump(problem_types.entries(every_problem()))


def main(argv: list[str]) -> int:
    text = generated()
    if "--check" in argv:
        current = problem_types.CATALOGUE.read_text(encoding="utf-8")
        if current != text:
            print(f"{problem_types.CATALOGUE} is stale: run python -m tools.problem_types")
            return 1
        return 0
    problem_types.CATALOGUE.write_text(text, encoding="utf-8")
    print(f"Wrote {problem_types.CATALOGUE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
