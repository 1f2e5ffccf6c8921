"""Fault injection on real processes: a stack of the fault tests' own (four uvicorn processes) on a
PostgreSQL cluster of their own (:class:`PrivateCluster`, a temporary directory and a free port),
so that killing or pausing a service, or restarting PostgreSQL, never disturbs the shared e2e stack
or the server other tests use in parallel. ``PONTE_TEST_DATABASE_URL`` plays no part here."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from shared.embedded import ensure_database
from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from tools.processes import SERVICES, free_port, running_services

BASE_ENV = {
    # tests.e2e.helpers.organisation() signs in as this admin.
    "PONTE_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
    "PONTE_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "PONTE_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "10",
    "PONTE_LOG_FORMAT": "json",
    # The writers go as fast as they can: a 429 would blur what the faults did.
    "PONTE_GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
    "PONTE_GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE": "0",
}


def person(label: str) -> dict[str, Any]:
    """A registration whose family name tells the writes apart (and finds them afterwards)."""
    return {
        "given_name": "Amadou",
        "family_name": label,
        "birth_date": "1998-03-02",
        "sex": "male",
        "nationality": "SN",
        "arrival_date": "2025-06-01",
        "municipality": "Latina",
        "languages": [{"code": "fr", "native": True}],
        "needs": ["employment"],
    }


def unique_label(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def fault_stack(
    databases: Mapping[str, str], logs: Path, extra: Mapping[str, str]
) -> Iterator[Stack]:
    with running_services(databases, logs, {**BASE_ENV, **extra}) as processes:
        try:
            yield Stack(processes=processes, databases=dict(databases), logs=logs)
        finally:
            # All at once (running_services then waits for each): a stop takes a second or two.
            for service in processes.values():
                service.resume()  # a paused process would sit out SIGTERM until SIGKILL
                if service.process is not None and service.process.poll() is None:
                    service.process.send_signal(signal.SIGTERM)


# -- a private PostgreSQL cluster ---------------------------------------------------------------


def _binaries() -> Path:
    """pgserver's PostgreSQL 16 (a dependency, so always there), else the machine's own."""
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin is not None:
        shipped = Path(spec.origin).parent / "pginstall" / "bin"
        if (shipped / "pg_ctl").exists():
            return shipped
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return candidate
    raise RuntimeError("no PostgreSQL binaries: neither pgserver's nor /usr/lib/postgresql")


def _server_user(binaries: Path) -> str | None:
    """PostgreSQL refuses to run as root: under root, run it as pgserver's own system user (the
    one the embedded server uses), with the binaries readable by it."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI) and falls back well.
        warnings.simplefilter("ignore")
        from pgserver import utils

    utils.ensure_user_exists("pgserver")
    utils.ensure_prefix_permissions(binaries)
    readable = 0o044
    utils.ensure_folder_permissions(binaries, 0o011 | readable)
    if (binaries.parent / "lib").exists():
        utils.ensure_folder_permissions(binaries.parent / "lib", readable)
    return "pgserver"


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, on a free TCP port in a temporary directory, that
    the test may stop and start at will (``pg_ctl``) without touching anyone else's server."""

    def __init__(self) -> None:
        self.binaries = _binaries()
        self.user = _server_user(self.binaries)
        self.directory = Path(tempfile.mkdtemp(prefix="ponte-faults-pg-"))
        self.directory.chmod(0o755)
        if self.user is not None:
            shutil.chown(self.directory, self.user, self.user)
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60.0) -> None:
        # Output to DEVNULL, not a pipe: the postmaster started by pg_ctl would inherit the pipe
        # and keep the call waiting. The server's own log is in ``self.log``.
        subprocess.run(
            [str(self.binaries / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            user=self.user,
            cwd=self.directory,
        )

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"
        )
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",  # TCP only: no socket path to clash with anyone's
            "max_connections": "200",
            "shared_buffers": "32MB",
            "fsync": "off",  # a test cluster: a machine crash is not among its faults
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return self._postmaster_pid() is not None

    def _postmaster_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def destroy(self) -> None:
        """Whatever state it is in: stopped, its files gone."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            if self.running():
                self.stop("immediate")
        pid = self._postmaster_pid()
        if pid is not None:  # pg_ctl failed: end our own postmaster by its pid
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        shutil.rmtree(self.directory, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@pytest.fixture(scope="package")
def private_cluster() -> Iterator[PrivateCluster]:
    cluster = PrivateCluster()
    try:
        try:
            cluster.init()
            cluster.start()
        except subprocess.SubprocessError:
            pytest.fail(f"the private PostgreSQL did not start:\n{cluster.log_tail()}")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="package")
async def cluster_databases(private_cluster: PrivateCluster) -> dict[str, str]:
    """Empty databases; the services migrate them on start."""
    return {
        name: await ensure_database(private_cluster.url, f"ponte_faults_{name}")
        for name in SERVICES
    }


@pytest.fixture(scope="package")
def shared_stack(
    cluster_databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One stack for every fault test (a start costs 5-30 s on two busy cores): each test brings
    back what it broke, and :func:`stack` checks that it did."""
    with fault_stack(cluster_databases, tmp_path_factory.mktemp("fault-logs"), {}) as running:
        yield running


@pytest.fixture
def stack(shared_stack: Stack, private_cluster: PrivateCluster) -> Stack:
    if not private_cluster.running():
        private_cluster.start()  # an earlier test failed before bringing it back
    for service in shared_stack.processes.values():
        service.resume()
        if service.process is None or service.process.poll() is not None:
            service.restart()
    return shared_stack
