"""Run the services as real uvicorn processes: used by ``make run`` and the end-to-end tests."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES = ("gateway", "intake", "pathways", "matching")
DEFAULT_PORTS = {"gateway": 8000, "intake": 8001, "pathways": 8002, "matching": 8003}
# The gateway's internal door (/internal/*, /metrics: services/gateway/edge/surfaces.py).
DEFAULT_GATEWAY_INTERNAL_PORT = 8100
ROOT = Path(__file__).resolve().parent.parent


# Listening ports are handed out from a band below the kernel's ephemeral range: a port probed
# with bind(0) and closed stays free for the seconds a service takes to start, and every
# outgoing connection (to PostgreSQL, between services) takes its local port from that same
# range, so one could take it first and the service would exit on EADDRINUSE (seen in CI:
# "gateway exited with 1", the whole end-to-end stack of a worker lost). Below the range no
# connection and no bind(0) ever lands; each xdist worker has its own band, so two workers
# never hand out the same port either.
_BAND_WIDTH = 1500
_FIRST_USABLE_PORT = 1024


def _ephemeral_floor() -> int:
    try:
        low, _high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low)
    except (OSError, ValueError):
        return 32768  # Linux's default


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw0", "gw1"... or unset
    return int(worker[2:]) if worker[2:].isdigit() else 0


def _port_band() -> Iterator[int]:
    """This process's ports, from a random point of its band (two runs at once rarely meet),
    round and round; empty where the range leaves no room below it."""
    top = _ephemeral_floor() - _worker_index() * _BAND_WIDTH
    bottom = top - _BAND_WIDTH
    if bottom < _FIRST_USABLE_PORT:
        return iter(())
    start = random.randrange(bottom, top)  # noqa: S311 - spreading, not secrecy
    return itertools.cycle([*range(start, top), *range(bottom, start)])


_band = _port_band()
_band_lock = threading.Lock()


def free_port() -> int:
    """A port nothing listens on, for a process to bind in a moment (see the band above)."""
    with _band_lock:
        for _ in range(_BAND_WIDTH):
            port = next(_band, None)
            if port is None:
                break
            if port_is_free(port):
                return port
    with socket.socket() as probe:  # no band: the kernel's choice, with its small race
        probe.bind(("127.0.0.1", 0))
        chosen: int = probe.getsockname()[1]
        return chosen


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _listens(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` holds the socket listening on ``port`` (Linux's /proc; None where
    that cannot be told). uvicorn binds only after its start-up, so for seconds the port is free
    for anyone, and another process's /readyz could pass for ours."""
    try:
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as rows:
                for row in list(rows)[1:]:
                    fields = row.split()  # local address "hex-ip:hex-port", state 0A = LISTEN
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{fields[9]}]")
        return any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: Mapping[str, str]
    log_path: Path | None = None
    app: str | None = None  # "module:attribute" of a plain ASGI app instead of the service factory
    # The gateway's internal door; a free one unless given (a replica gets its own).
    internal_port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.is_gateway and self.internal_port is None:
            self.internal_port = free_port()

    @property
    def is_gateway(self) -> bool:
        return self.name == "gateway" and self.app is None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def internal_url(self) -> str:
        """The gateway's internal door (/internal/*, /metrics); the public one elsewhere."""
        return f"http://127.0.0.1:{self.internal_port}" if self.is_gateway else self.url

    def command(self) -> list[str]:
        if self.is_gateway:  # two ports in one process: services/gateway/__main__.py
            return [
                *(sys.executable, "-m", "services.gateway", "serve"),
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--timeout-graceful-shutdown", "10"),
            ]
        target = ["--factory", f"services.{self.name}.app:create_app"]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            *([self.app] if self.app else target),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            # X-Forwarded-For is the gateway's to interpret (PONTE_GATEWAY_TRUST_FORWARDED_FOR)
            "--no-proxy-headers",
            "--timeout-graceful-shutdown",
            "10",
        ]

    def start(self) -> None:
        own = {"PONTE_GATEWAY_INTERNAL_PORT": str(self.internal_port)} if self.is_gateway else {}
        output = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.command(),
            cwd=ROOT,
            # Unbuffered as in deploy/Dockerfile: a log line is on disk when it is written.
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env, **own},
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0, path: str = "/readyz") -> None:
        """Ready on its port, and the gateway on its internal one too."""
        deadline = time.monotonic() + timeout
        doors = [(self.url, self.port)]
        if self.is_gateway and self.internal_port is not None:
            doors.append((self.internal_url, self.internal_port))
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}{self._log_tail()}"
                )
            if all(self._answers(url, port, path) for url, port in doors):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} was not ready within {timeout:.0f} s")

    def _log_tail(self, lines: int = 25) -> str:
        """The end of the process's log, so that a start that failed says why."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return "; its log ends:\n" + "\n".join(tail)

    def _answers(self, url: str, port: int, path: str) -> bool:
        try:
            return httpx.get(f"{url}{path}", timeout=1.0).status_code == 200 and (
                self.process is None or _listens(self.process.pid, port) is not False
            )
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def kill(self) -> None:
        """A crash, not a shutdown: for fault-injection tests."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def restart(self, timeout: float = 60.0) -> None:
        """Start again on the same port (after ``kill`` or ``stop``) and wait until ready."""
        self.stop()
        self.start()
        self.wait_ready(timeout)

    def pause(self) -> None:
        """SIGSTOP: alive and accepting connections (the kernel's backlog) but answering nothing,
        the way a service stuck in a long pause looks from outside."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)


def service_environment(
    database_urls: Mapping[str, str],
    ports: Mapping[str, int],
    extra: Mapping[str, str],
    *,
    gateway_internal_port: int,
) -> dict[str, dict[str, str]]:
    """Each service's PONTE_* environment: its database, where the others are, whom to trust.
    The services reach the gateway at its internal door (their calls are all to /internal/*);
    the JWKS stays on its public port, where external verifiers find it too."""
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    addresses = {**ports, "gateway": gateway_internal_port}
    common = {
        "PONTE_AUTH_ISSUER": extra.get("PONTE_AUTH_ISSUER", gateway),
        "PONTE_AUTH_JWKS_URL": f"{gateway}/.well-known/jwks.json",
        # One secret for the internal endpoints of this run, unless one is configured.
        "PONTE_INTERNAL_TOKEN": os.environ.get("PONTE_INTERNAL_TOKEN") or secrets.token_urlsafe(32),
        **extra,
    }
    upstreams = {
        f"PONTE_GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}"
        for name in SERVICES
        if name != "gateway"
    }
    environments = {}
    for name in SERVICES:
        env = {**common, f"PONTE_{name.upper()}_DATABASE_URL": database_urls[name]}
        if name == "gateway":
            env.update(upstreams)
        # Each service's address of the others (events, exports, cards; the gateway's internal
        # door for the events that become webhooks, entitlements and exports).
        for other in SERVICES:
            if other != name and name != "gateway":
                env[f"PONTE_{name.upper()}_{other.upper()}_URL"] = (
                    f"http://127.0.0.1:{addresses[other]}"
                )
        environments[name] = env
    return environments


@contextlib.contextmanager
def running_services(
    database_urls: Mapping[str, str], logs: Path, extra_env: Mapping[str, str]
) -> Iterator[dict[str, ServiceProcess]]:
    """The four services on free ports, ready; stopped on exit whatever happens."""
    *numbers, internal = free_ports(len(SERVICES) + 1)
    ports = dict(zip(SERVICES, numbers, strict=True))
    environments = service_environment(
        database_urls, ports, extra_env, gateway_internal_port=internal
    )
    processes = {
        name: ServiceProcess(
            name,
            ports[name],
            environments[name],
            log_path=logs / f"{name}.log",
            internal_port=internal if name == "gateway" else None,
        )
        for name in SERVICES
    }
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        for process in processes.values():
            process.stop()
