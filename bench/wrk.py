"""Running wrk and reading its report."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "make bench needs wrk (Debian/Ubuntu: apt install wrk; macOS: brew install wrk)"
        )
    return path


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors += sum(int(group) for group in socket.groups())
    return WrkResult(rps, p50, p99, errors, total)


def run(
    url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> WrkResult:
    command = [require_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse(completed.stdout)


def median(results: list[WrkResult]) -> WrkResult:
    return WrkResult(
        requests_per_second=round(statistics.median(r.requests_per_second for r in results), 1),
        p50_ms=round(statistics.median(r.p50_ms for r in results), 2),
        p99_ms=round(statistics.median(r.p99_ms for r in results), 2),
        errors=sum(r.errors for r in results),
        requests=sum(r.requests for r in results),
    )
