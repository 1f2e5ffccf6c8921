"""The malware-scan hook: with clamd configured a document is ``pending_scan`` until clamd
answers; clean, it becomes ``available``; infected, ``quarantined``, never downloadable, its
bytes deleted; while clamd is down it stays pending and the sweep settles it later. clamd is
not our service: a fake speaking its INSTREAM protocol stands in for it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.app import create_app
from services.intake.clients.clamd import ScanUnavailable, Verdict, verdict_of
from services.intake.db.models import metadata
from services.intake.service.document_scans import scan_pending
from services.intake.settings import IntakeSettings
from shared.app import ServiceApp
from shared.testing.tokens import TestIssuer
from tests.intake.conftest import Org, register
from tests.support import serve, truncate

MARKER = b"PONTE-TEST-MALWARE-MARKER"
CLEAN = b"%PDF-1.7\n" + b"a clean payslip\n" * 50000  # several INSTREAM chunks
INFECTED = b"%PDF-1.7\n" + MARKER + b"\n" * 100


class FakeClamd:
    """Answers INSTREAM as clamd does; what it received, whole, in ``scanned``."""

    def __init__(self) -> None:
        self.scanned: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = await reader.readuntil(b"\0")
        assert command == b"zINSTREAM\0"
        data = bytearray()
        while size := int.from_bytes(await reader.readexactly(4), "big"):
            data += await reader.readexactly(size)
        self.scanned.append(bytes(data))
        found = MARKER in data
        writer.write(b"stream: Ponte.Test.Marker FOUND\0" if found else b"stream: OK\0")
        await writer.drain()
        writer.close()

    @asynccontextmanager
    async def listening(self, port: int) -> AsyncIterator[None]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", port)
        try:
            yield
        finally:
            server.close()
            await server.wait_closed()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def _intake(
    database: str, issuer: TestIssuer, root: Path, port: int
) -> AsyncIterator[tuple[ServiceApp, httpx.AsyncClient]]:
    await truncate(database, metadata)
    settings = IntakeSettings(
        document_store_url=root.as_uri(),
        document_scan_url=f"tcp://127.0.0.1:{port}",
        document_scan_timeout_seconds=5,
        document_scan_retry_seconds=3600,  # the test runs the sweep itself
        database_url=database,
        migrate_on_start=False,
        relay_events=False,
    )
    app = create_app(settings, verifier=issuer.verifier_factory())
    async with serve(app) as client:
        yield app, client


async def _upload(client: httpx.AsyncClient, url: str, org: Org, content: bytes) -> Any:
    answer = await client.post(
        f"{url}/documents",
        data={"kind": "payslip"},
        files={"file": ("busta-paga.pdf", content, "application/pdf")},
        headers=org.operator,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "pending_scan"  # as answered: before the scan
    return answer.json()


async def _status(client: httpx.AsyncClient, url: str, org: Org, document_id: str) -> str:
    answer = await client.get(f"{url}/documents/{document_id}", headers=org.operator)
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["status"]
    return status


async def test_a_clean_document_is_available_once_scanned_an_infected_one_never(
    intake_database: str, issuer: TestIssuer, tmp_path: Path
) -> None:
    clamd, port, a = FakeClamd(), _free_port(), Org(issuer)
    async with (
        clamd.listening(port),
        _intake(intake_database, issuer, tmp_path, port) as (_, client),
    ):
        url = f"/api/v1/beneficiaries/{(await register(client, a))['id']}"
        clean = await _upload(client, url, a, CLEAN)
        assert await _status(client, url, a, clean["id"]) == "available"
        assert clamd.scanned == [CLEAN]
        download = await client.get(clean["content_url"], headers=a.operator)
        assert download.content == CLEAN

        infected = await _upload(client, url, a, INFECTED)
        assert await _status(client, url, a, infected["id"]) == "quarantined"
        refused = await client.get(infected["content_url"], headers=a.operator)
        assert refused.status_code == 409
        assert refused.json()["document_status"] == "quarantined"
        assert not (tmp_path / "documents" / infected["id"]).exists()
        assert (tmp_path / "documents" / clean["id"]).exists()


async def test_while_clamd_is_down_documents_wait_and_the_sweep_settles_them(
    intake_database: str, issuer: TestIssuer, tmp_path: Path
) -> None:
    clamd, port, a = FakeClamd(), _free_port(), Org(issuer)
    async with _intake(intake_database, issuer, tmp_path, port) as (app, client):
        url = f"/api/v1/beneficiaries/{(await register(client, a))['id']}"
        waiting = await _upload(client, url, a, CLEAN)
        assert await _status(client, url, a, waiting["id"]) == "pending_scan"
        held = await client.get(waiting["content_url"], headers=a.operator)
        assert held.status_code == 409
        assert held.json()["document_status"] == "pending_scan"

        state = app.state
        async with clamd.listening(port):
            settled = await scan_pending(
                state.sessions, state.document_store, state.document_scanner
            )
        assert settled == 1
        assert await _status(client, url, a, waiting["id"]) == "available"
        assert (await client.get(waiting["content_url"], headers=a.operator)).content == CLEAN


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("stream: OK", Verdict(clean=True)),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", Verdict(False, "Win.Test.EICAR_HDB-1")),
    ],
)
def test_clamd_answers(answer: str, verdict: Verdict) -> None:
    assert verdict_of(answer) == verdict


@pytest.mark.parametrize("answer", ["INSTREAM size limit exceeded. ERROR", "", "stream: maybe"])
def test_anything_else_is_no_verdict(answer: str) -> None:
    with pytest.raises(ScanUnavailable):
        verdict_of(answer)
