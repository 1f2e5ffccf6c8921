"""The layout rules of architecture.md that code can check."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_shared_never_imports_a_service() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.startswith("services")
        )
        for path in (ROOT / "shared").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_services_do_not_import_each_other() -> None:
    services = ["gateway", "intake", "pathways", "matching"]
    crossings = []
    for service in services:
        for path in (ROOT / "services" / service).rglob("*.py"):
            for name in _imports(path):
                for other in services:
                    if other != service and name.startswith(f"services.{other}"):
                        crossings.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossings == []


JWT_LIBRARIES = ("jwt", "jose", "joserfc", "authlib")


def test_the_jwt_library_stays_inside_one_module() -> None:
    users = [
        str(path.relative_to(ROOT))
        for folder in ("shared", "services")
        for path in (ROOT / folder).rglob("*.py")
        if any(name.split(".")[0] in JWT_LIBRARIES for name in _imports(path))
    ]
    assert users == ["shared/auth/tokens.py"]
