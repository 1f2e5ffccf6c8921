"""What reaches the production image: the runtime lock (every third-party module the shipped code
imports, at the dev lock's pins), services/ and shared/, and nothing else."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("services", "shared")
NOT_SHIPPED = ROOT / "shared" / "testing"  # the pytest plugin: .dockerignore keeps it out
# Imported by shipped code that never runs in a container, each with its reason.
DEV_ONLY_IMPORTS = {
    "pgserver": "shared/embedded.py: the embedded PostgreSQL of `make run` and the tests",
}


def pins(lock: str) -> dict[str, str]:
    """``name==version`` -> its hash lines, from a pip-compile lock."""
    text = (ROOT / lock).read_text()
    found = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        head = block.split(" ", 1)[0]
        if "==" in head:
            found[head] = " ".join(sorted(re.findall(r"--hash=sha256:\w+", block)))
    return found


def imported_top_level_modules() -> dict[str, str]:
    """Third-party top-level module -> the first shipped file importing it."""
    modules: dict[str, str] = {}
    for folder in SHIPPED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.is_relative_to(NOT_SHIPPED):
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in SHIPPED:
                        modules.setdefault(top, str(path.relative_to(ROOT)))
    return modules


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_runtime_lock_is_the_dev_locks_pins_and_hashes() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime
    assert {pin: dev.get(pin) for pin in runtime} == runtime
    assert len(dev) > len(runtime)


def test_the_runtime_lock_has_every_module_the_shipped_code_imports() -> None:
    locked = {normalised(pin.split("==")[0]) for pin in pins("requirements.lock")}
    distributions = packages_distributions()
    missing = []
    for module, where in imported_top_level_modules().items():
        if module in DEV_ONLY_IMPORTS:
            continue
        names = {normalised(name) for name in distributions.get(module, [module])}
        if not names & locked:
            missing.append(f"{module} ({where})")
    assert missing == []


def test_dev_only_imports_are_not_in_the_runtime_lock() -> None:
    locked = {normalised(pin.split("==")[0]) for pin in pins("requirements.lock")}
    for dev_only in ("pytest", "hypothesis", "mypy", "ruff", "pgserver", "testcontainers"):
        assert dev_only not in locked


def test_the_image_installs_the_runtime_lock_and_copies_only_the_code() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.findall(r"-r (\S+)", dockerfile) == ["requirements.lock"]
    copied = re.findall(r"^COPY (?!--from)(?:--\S+ )*(\S+)", dockerfile, re.MULTILINE)
    assert copied == ["requirements.lock", "shared", "services"]
    assert "requirements-dev.lock" not in dockerfile


def test_the_docker_context_is_an_allowlist() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"  # everything out (.venv, var/ with the demo's data, tests) ...
    allowed = sorted(rule[1:] for rule in rules if rule.startswith("!"))
    assert allowed == ["requirements.lock", "services", "shared"]  # ... but these
    assert "shared/testing/" in rules
