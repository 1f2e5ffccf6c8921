"""The gateway's revocation list: which subjects' access tokens stop counting, and since when.

An access token lives ``PONTE_GATEWAY_ACCESS_TOKEN_TTL_SECONDS`` (15 minutes); deactivating or
erasing an account, changing its password or roles, activating the app on a new phone or revoking
an API client must end the tokens already out on the next request, not at their expiry. The
check must not cost a database round trip per request, so the list lives in memory: a dict from
subject to the time before which its tokens are refused (compared with the token's ``iat``), asked
by the gateway's token verifier on every call, a cached verification included (one dict lookup).

How the list stays current in every replica:

* At start, it is loaded from the ``token_revocation`` table (``db/revocations.py``).
* The process that makes a change applies it the moment its transaction commits (a SQLAlchemy
  ``after_commit`` hook on the sessions of this list's engine), before the answer is sent.
* Every replica listens on a PostgreSQL channel (``LISTEN``, one connection of its own); the
  transaction that revokes also ``NOTIFY``s, which PostgreSQL delivers at commit: the other
  replicas learn it within milliseconds.
* While the listening connection is down (a database restart, a network cut), the replica polls
  the table every ``PONTE_GATEWAY_REVOCATION_POLL_SECONDS`` (1 s) and tries to listen again; the
  listening connection itself is checked at that interval, so a connection that died silently is
  noticed within it. A revocation thus reaches every replica within about two poll intervals at
  worst, at once otherwise.

Entries older than the token lifetime are dropped (every token they could stop has expired).
Replicas' clocks must agree to well under a second (NTP): a revocation at a replica whose clock is
ahead would also stop tokens issued just after it elsewhere (those fail safe: sign in again).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from services.gateway.db import revocations
from shared.auth.principal import Principal
from shared.logging import get_logger
from shared.worker import cancel_and_wait

_log = get_logger("ponte.gateway.revocation")
# Beyond the token lifetime: the verifier's leeway on exp (10 s) and clock differences.
_MARGIN_SECONDS = 60.0
_PURGE_SECONDS = 600.0


class RevocationList:
    def __init__(self, *, token_ttl_seconds: float, poll_seconds: float) -> None:
        self._entries: dict[str, float] = {}
        self._horizon = token_ttl_seconds + _MARGIN_SECONDS
        self._poll = poll_seconds
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._dsn = ""
        self._task: asyncio.Task[None] | None = None
        self._purged_at = float("-inf")
        self._warn = True
        self.listening = False

    def revoked(self, principal: Principal) -> bool:
        """Whether the token was issued before its subject's revocation (the hot path)."""
        not_before = self._entries.get(principal.subject)
        return not_before is not None and principal.issued_at < not_before

    def apply(self, subject: str, not_before: float) -> None:
        if not_before > self._entries.get(subject, float("-inf")):
            self._entries[subject] = not_before

    async def start(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Load the list, then keep it current until :meth:`stop`."""
        self._sessions = sessions
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        _watch_commits(engine.sync_engine, self)
        await self.load()
        self._task = asyncio.create_task(self._watch(), name="revocation-list")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def load(self) -> None:
        """Merge the table's revocations in (never losing one a notification brought meanwhile),
        and drop those past the horizon."""
        if self._sessions is None:
            raise RuntimeError("the revocation list has not started")
        cutoff = time.time() - self._horizon
        async with self._sessions() as session:
            rows = await revocations.since(session, datetime.fromtimestamp(cutoff, UTC))
        for subject, not_before in rows:
            self.apply(subject, not_before)
        self._entries = {s: at for s, at in self._entries.items() if at > cutoff}

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        parsed = revocations.parse_notification(payload)
        if parsed is not None:
            self.apply(*parsed)

    async def _watch(self) -> None:
        while True:
            outage_begins = False
            try:
                await self._listen()
            except Exception as error:  # the connection or the database went away
                outage_begins, self._warn = self._warn, False  # warn once per outage
                if outage_begins:
                    _log.warning("revocation_listener_down", error=type(error).__name__)
            # Until the listener is back: poll, then try to listen again.
            try:
                await self.load()
                await self._housekeeping()
            except Exception as error:  # retried at the next interval
                if outage_begins:
                    _log.warning("revocation_poll_failed", error=type(error).__name__)
            await asyncio.sleep(self._poll)

    async def _listen(self) -> None:
        """Listen until the connection fails, checking it every poll interval."""
        connection = await asyncpg.connect(
            self._dsn,
            timeout=max(self._poll, 1.0),
            server_settings={"application_name": "ponte-revocations"},
        )
        try:
            await connection.add_listener(revocations.CHANNEL, self._notified)
            await self.load()  # what was revoked while nobody listened
            self.listening = self._warn = True
            _log.info("revocation_listener_up")
            while True:
                await asyncio.sleep(self._poll)
                await asyncio.wait_for(revocations.ping(connection), timeout=self._poll)
                await self._housekeeping()
        finally:
            self.listening = False
            connection.terminate()

    async def _housekeeping(self) -> None:
        """Drop what has expired from memory; now and then from the table too."""
        cutoff = time.time() - self._horizon
        if any(at <= cutoff for at in self._entries.values()):
            self._entries = {s: at for s, at in self._entries.items() if at > cutoff}
        if self._sessions is not None and time.monotonic() - self._purged_at > _PURGE_SECONDS:
            self._purged_at = time.monotonic()
            async with self._sessions() as session, session.begin():
                await revocations.purge(session, datetime.fromtimestamp(cutoff, UTC))


# The lists of this process by their engine: a session's commit applies its revocations to the
# list of the gateway that made them, at once.
_lists: weakref.WeakKeyDictionary[Engine, RevocationList] = weakref.WeakKeyDictionary()


def _watch_commits(engine: Engine, revocation_list: RevocationList) -> None:
    _lists[engine] = revocation_list
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(revocations.PENDING_KEY, None)
    if pending:
        revocation_list = _lists.get(session.bind) if isinstance(session.bind, Engine) else None
        if revocation_list is not None:
            for subject, not_before in pending:
                revocation_list.apply(subject, not_before)


def _after_rollback(session: Session) -> None:
    session.info.pop(revocations.PENDING_KEY, None)
