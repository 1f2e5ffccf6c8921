"""The ports the test stacks listen on: never where the kernel picks local ports for outgoing
connections, and never the same for two xdist workers (tools/processes.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from tools.processes import ROOT, free_ports


def _ports_of(worker: str) -> set[int]:
    script = "from tools.processes import free_ports; print(*free_ports(200))"
    env = {**os.environ, "PYTEST_XDIST_WORKER": worker}
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    ).stdout
    return {int(port) for port in output.split()}


def test_ports_sit_below_the_ephemeral_range_and_workers_never_share_one() -> None:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as limits:
        floor = int(limits.read().split()[0])
    first, second = _ports_of("gw0"), _ports_of("gw1")
    assert len(first) == len(second) == 200
    assert max(first | second) < floor
    assert not first & second


def test_a_port_handed_out_is_free_and_not_handed_out_again_soon() -> None:
    ports = free_ports(50)
    assert len(set(ports)) == 50
    for port in ports:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))  # raises if anything holds it
