"""The shape every service keeps (issue 14; the layout is in docs/architecture.md): statements only
in the repositories, no service importing another, shared/ importing none, no loose modules, no
module over 400 lines, and every router with its application layer. Each failure names the file
and the line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
MAX_LINES = 400
# Where statements may be built and run: the repositories (services/<svc>/db/, and the webhooks'
# own services/gateway/webhooks/db/), and migrations.
REPOSITORY_OF_WEBHOOKS = ("services", "gateway", "webhooks", "db")
# The statement builders of SQLAlchemy, when imported from it (sqlalchemy or one of its modules).
STATEMENT_BUILDERS = {"select", "insert", "update", "delete", "text"}
# Calls that run a statement (on a session, a connection or asyncpg's connection), recognised when
# they are given one: ``result.scalars()`` or Redis's ``pipeline.execute()`` are not statements.
RUNNERS = {"execute", "scalars", "scalar", "stream"}
# The ORM's own statements on a session: ``session.get(Model, id)``, ``session.delete(row)``.
SESSION_STATEMENTS = {"get", "delete"}
# Routers with no logic, that need no service/<feature>.py, each with its reason.
_CODE_LISTS = (
    "the shared code-list routes (shared/code_lists/api.py) over the service's code_lists/ "
    "(reference data and the labels of its enums, pre-rendered; no rules, no queries)"
)
ROUTERS_WITHOUT_LOGIC = {
    "services/intake/api/code_lists.py": _CODE_LISTS,
    "services/pathways/api/code_lists.py": _CODE_LISTS,
    "services/matching/api/code_lists.py": _CODE_LISTS,
}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# What is not ours to shape: generated code and the virtualenvs it is made in (`make clients`).
NOT_OURS = {".venv", "generated", "node_modules"}


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(
            path
            for path in (ROOT / folder).rglob("*.py")
            if not NOT_OURS & set(path.relative_to(ROOT).parts)
        )


def in_migrations(path: Path) -> bool:
    return "migrations" in path.relative_to(ROOT).parts


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def absolute_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, relative imports made absolute, with its line; and the
    names of ``importlib.import_module("...")`` calls."""
    package = list(path.relative_to(ROOT).parts[:-1])  # a module's package, or an __init__'s
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # ``from services import intake`` imports a service
                yield node.lineno, f"{module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and _called_name(node) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _receiver_name(call: ast.Call) -> str:
    """The name a method is called on: ``session`` in ``session.get(...)`` or
    ``self.session.get(...)``; empty when it is not a plain name."""
    assert isinstance(call.func, ast.Attribute)
    value = call.func.value
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Attribute):
        return value.attr
    return ""


def statements(path: Path) -> Iterator[tuple[int, str]]:
    """Where ``path`` builds or runs a SQL statement: (line, what)."""
    module = tree(path)
    builders: set[str] = set()  # local names of SQLAlchemy's builders
    modules: set[str] = set()  # local names of sqlalchemy and its modules
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in STATEMENT_BUILDERS:
                    builders.add(alias.asname or alias.name)
                else:
                    modules.add(alias.asname or alias.name)  # a module, or harmless
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in builders:
            yield node.lineno, f"{func.id}("
        elif not isinstance(func, ast.Attribute):
            continue
        elif (
            isinstance(func.value, ast.Name)
            and func.value.id in modules
            and func.attr in STATEMENT_BUILDERS
        ):
            yield node.lineno, f"{func.value.id}.{func.attr}("
        elif func.attr in RUNNERS and node.args:
            first = node.args[0]
            if func.attr == "stream" and isinstance(first, ast.Constant):
                continue  # httpx's client.stream("GET", url): an HTTP method, not a statement
            yield node.lineno, f".{func.attr}("
        elif func.attr in SESSION_STATEMENTS and "session" in _receiver_name(node).lower():
            yield node.lineno, f"{_receiver_name(node)}.get("


def in_repositories(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return parts[2:3] == ("db",) or parts[:4] == REPOSITORY_OF_WEBHOOKS


def report(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n" + "\n".join(problems), pytrace=False)


def test_no_sql_outside_the_repositories() -> None:
    problems = [
        f"{relative(path)}:{line}: {what} outside db/"
        for path in python_files("services")
        if not in_migrations(path) and not in_repositories(path)
        for line, what in statements(path)
    ]
    report(problems, "SQL outside services/<svc>/db/ (routers and services call repositories)")


def test_no_service_imports_another() -> None:
    problems = []
    for path in python_files("services"):
        parts = path.relative_to(SERVICES).parts
        if len(parts) < 2:
            continue
        own = parts[0]
        for line, module in absolute_imports(path):
            names = module.split(".")
            if names[0] == "services" and len(names) > 1 and names[1] not in (own, "__init__"):
                if (SERVICES / names[1]).is_dir():
                    problems.append(f"{relative(path)}:{line}: imports {module}")
    report(problems, "imports from another service (call it over HTTP, or move it to shared/)")


def test_shared_imports_no_service() -> None:
    problems = [
        f"{relative(path)}:{line}: imports {module}"
        for path in python_files("shared")
        for line, module in absolute_imports(path)
        if module.split(".")[0] == "services"
    ]
    report(problems, "shared/ importing a service")


def test_no_loose_modules_in_services() -> None:
    problems = [
        f"{relative(path)}:1: a module outside every service"
        for path in sorted(SERVICES.glob("*.py"))
        if path.name != "__init__.py"
    ]
    report(problems, "loose modules in services/")


def test_no_module_over_400_lines() -> None:
    problems = []
    for path in python_files("services", "shared", "tools"):
        if in_migrations(path):
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            problems.append(
                f"{relative(path)}:{MAX_LINES + 1}: {lines} lines (at most {MAX_LINES})"
            )
    report(problems, "modules over 400 lines (migrations aside)")


def test_every_router_has_its_application_layer() -> None:
    problems = []
    for api in sorted(SERVICES.rglob("api")):
        if not api.is_dir():
            continue
        for router in sorted(api.glob("*.py")):
            if router.stem in ("__init__", "deps") or relative(router) in ROUTERS_WITHOUT_LOGIC:
                continue
            service = api.parent / "service" / router.name
            package = api.parent / "service" / router.stem / "__init__.py"  # a split feature
            if not service.is_file() and not package.is_file():
                problems.append(f"{relative(router)}:1: no {relative(service)}")
    report(problems, "routers without their service/<feature>.py (or a reason to need none)")


def test_the_allowlist_names_existing_routers() -> None:
    for name, reason in ROUTERS_WITHOUT_LOGIC.items():
        assert (ROOT / name).is_file(), name
        assert reason
