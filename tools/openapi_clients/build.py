"""Generate a TypeScript and a Python client from docs/openapi.json and type-check a short program
with each (`make clients`; the end-to-end test tests/e2e/test_generated_clients.py then runs them
against the stack).

- TypeScript (tools/openapi_clients/ts/): openapi-typescript's types and openapi-fetch, pinned in
  package-lock.json (npm ci); `tsc` strict compiles journey.ts to generated/build/journey.js.
- Python (tools/openapi_clients/python/): openapi-python-client in a virtualenv of its own
  (python/.venv, from the hashed requirements.lock: the generator wants an httpx older than the
  services' pin, so it cannot join requirements-dev.lock); the client goes to
  generated/ponte_client, and mypy --strict checks journey.py with the client modules it uses.

Everything generated is in the two gitignored ``generated/`` folders, with a stamp: the hash of
what it was made from (the document, the pins, the program). Nothing is redone while the stamp
matches, so a second run, or the test after `make clients`, costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.json"
TS = ROOT / "tools" / "openapi_clients" / "ts"
PY = ROOT / "tools" / "openapi_clients" / "python"
PY_VENV = PY / ".venv"
PY_GENERATED = PY / "generated"
# What the Python generator may say without the client missing anything: it cannot send a CSV
# body (POST /territories/{code}/profiles takes JSON or CSV; the client sends JSON).
ACCEPTED_WARNINGS = ("Unsupported content type text/csv",)
# What it says when it leaves an operation or a schema out.
DROPPED = ("will not be generated", "Unable to parse", "Cannot parse", "ERROR")


class ClientBuildFailed(RuntimeError):
    """A step of the generation or of the type check failed; the message has its output."""


def _digest(*paths: Path) -> str:
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.relative_to(ROOT).as_posix().encode())
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 (our own tools, pinned, with fixed arguments)
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise ClientBuildFailed(f"{' '.join(argv)} (in {cwd}) exited {done.returncode}:\n{output}")
    return output


def _fresh(stamp: Path, key: str) -> bool:
    return stamp.is_file() and stamp.read_text() == key


def node_missing() -> str | None:
    """Why the TypeScript client cannot be built here, or None."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found" if missing else None


def typescript() -> list[str]:
    """The TypeScript client's types, and the compiled journey: the command that runs it."""
    stamp = TS / "generated" / ".stamp"
    key = _digest(
        DOCUMENT, TS / "package-lock.json", TS / "tsconfig.json", TS / "journey.ts", Path(__file__)
    )
    program = ["node", str(TS / "generated" / "build" / "journey.js")]
    if _fresh(stamp, key):
        return program
    installed = TS / "node_modules" / ".ponte-lock"
    lock = _digest(TS / "package-lock.json")
    if not _fresh(installed, lock):
        _run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], TS)
        installed.write_text(lock)
    shutil.rmtree(TS / "generated", ignore_errors=True)
    bin_ = TS / "node_modules" / ".bin"
    # --default-non-nullable false: a property with a default is optional, as the document says
    # (otherwise a request body would have to send `stateless`, whose default is false).
    generator = [str(bin_ / "openapi-typescript"), str(DOCUMENT), "--output", "generated/ponte.ts"]
    _run([*generator, "--default-non-nullable", "false"], TS)
    _run([str(bin_ / "tsc"), "--project", "tsconfig.json"], TS)
    stamp.write_text(key)
    return program


def _python_venv() -> Path:
    lock = PY / "requirements.lock"
    installed = PY_VENV / ".ponte-lock"
    key = _digest(lock)
    python = PY_VENV / "bin" / "python"
    if not _fresh(installed, key):
        shutil.rmtree(PY_VENV, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(PY_VENV)], PY)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, "--require-hashes", "--no-deps", "-r", str(lock)], PY)
        installed.write_text(key)
    return python


def _check_generator_output(output: str) -> None:
    """Fail when the generator left an operation or a schema out (it still exits 0)."""
    for accepted in ACCEPTED_WARNINGS:
        output = output.replace(accepted, "")
    dropped = [marker for marker in DROPPED if marker in output]
    if dropped:
        raise ClientBuildFailed(f"openapi-python-client left parts out ({dropped}):\n{output}")


def python_environment() -> dict[str, str]:
    """The environment the Python journey runs in: the generated client on its path."""
    return {"PYTHONPATH": str(PY_GENERATED)}


def python() -> list[str]:
    """The generated Python client, checked with its journey: the command that runs it."""
    python = _python_venv()
    program = [str(python), str(PY / "journey.py")]
    stamp = PY_GENERATED / ".stamp"
    sources = (PY / "requirements.lock", PY / "config.yaml", PY / "mypy.ini", PY / "journey.py")
    key = _digest(DOCUMENT, *sources, Path(__file__))
    if _fresh(stamp, key):
        return program
    shutil.rmtree(PY_GENERATED, ignore_errors=True)
    bin_ = str(PY_VENV / "bin")
    # The generator formats what it writes with ruff (its own, from the same virtualenv).
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}"}
    generator = [f"{bin_}/openapi-python-client", "generate", "--path", str(DOCUMENT)]
    options = [
        "--config",
        "config.yaml",
        "--meta",
        "none",
        "--output-path",
        "generated/ponte_client",
    ]
    output = _run([*generator, *options], PY, env)
    _check_generator_output(output)
    # The program, and (followed from its imports) the parts of the client it uses, strictly: the
    # whole generated package is ~600 modules, a minute of CI for modules no program calls.
    _run([f"{bin_}/mypy", "--config-file", "mypy.ini", "journey.py"], PY)
    stamp.write_text(key)
    return program


def main() -> None:
    print("python:", " ".join(python()))
    reason = node_missing()
    if reason is not None:
        raise SystemExit(f"the TypeScript client needs Node.js and npm: {reason}")
    print("typescript:", " ".join(typescript()))


if __name__ == "__main__":
    main()
