"""Delivering the queue: at least once, with exponential back-off and jitter, and disabling a
subscription whose deliveries keep failing.

A worker task in each gateway replica. It *claims* due deliveries in a short transaction (``FOR
UPDATE SKIP LOCKED``: replicas never take the same row), moving each one's ``next_attempt_at`` a
lease into the future and counting the attempt; it then POSTs outside any transaction and records
the outcome in another short one, compare-and-set on the attempt number (the database side is
``queue``). A replica that dies
mid-attempt leaves the row to be claimed again once the lease has passed: at least once, so
receivers dedupe by ``webhook-id`` (the event's id, the same at every attempt).

- Success is any 2xx; anything else (an error status, a redirect, a timeout, a refused address)
  is a failure, retried after ``uniform(base, min(cap, base * 2**(attempts - 1)))`` seconds.
- A subscription remembers when its current run of failures began; any success ends it. A
  failure more than ``disable_after`` after that start disables it with the reason. Its
  deliveries (and those of events arriving meanwhile) wait, and go when it is enabled again.
- A delivery still failing ``disable_after`` after it was queued (or redelivered) is given up
  (``failed``); it stays in the log and can be redelivered by hand.
- At most ``per_subscription`` deliveries to one subscription are in flight per replica, so a slow
  endpoint cannot hold every slot. Order across events is not guaranteed.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.service.cases import Unanswered
from services.gateway.webhooks import signing, ssrf
from services.gateway.webhooks.catalogue import body_of
from services.gateway.webhooks.db import queue
from services.gateway.webhooks.db.models import inbox
from services.gateway.webhooks.domain import WebhookPayload
from services.gateway.webhooks.queue import QUEUED_KEY, Claim, DeliveryPolicy, Outcome
from services.gateway.webhooks.resources import RESOURCES, ResourceReader
from shared.events import EVENT_RETENTION, purge_inbox
from shared.logging import get_logger
from shared.worker import CommitWokenWorker

_log = get_logger("ponte.webhooks")
USER_AGENT = "Ponte-Webhooks/1"
HOUSEKEEPING_SECONDS = 600.0


def render(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """The body, byte for byte the same at every attempt (its signature covers it)."""
    document = body_of(event_type, occurred_at.astimezone(UTC).isoformat(), data)
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class WebhookDispatcher(CommitWokenWorker):
    """Delivers due webhooks until stopped (``start()`` / ``await stop()``); :meth:`deliver_due`
    runs one round to completion (tests, tools)."""

    commit_key = QUEUED_KEY
    housekeeping_name = "webhook-housekeeping"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        policy: DeliveryPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: ssrf.Resolver = ssrf.system_resolver,
        resources: ResourceReader | None = None,
    ) -> None:
        super().__init__(housekeeping_seconds=HOUSEKEEPING_SECONDS)
        self._sessions = sessions
        self._resources = resources
        self.policy = policy
        self._resolver = resolver
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(policy.timeout_seconds, connect=min(5.0, policy.timeout_seconds)),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the checked address is the one used
            limits=httpx.Limits(max_connections=policy.concurrency * 2),
        )
        self._wake = asyncio.Event()
        self._in_flight: Counter[uuid.UUID] = Counter()

    # -- lifecycle -------------------------------------------------------------------------

    def loops(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        return [("webhook-dispatcher", self._run())]

    def woken(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        await super().stop()
        await self._client.aclose()

    # -- the loop --------------------------------------------------------------------------

    async def _run(self) -> None:
        errors = 0
        while self.running:
            self._wake.clear()
            delay = self.policy.poll_seconds
            try:
                free = self.policy.concurrency - len(self._children)
                claims = await self.claim(free) if free > 0 else []
                for claim in claims:
                    self._spawn(claim)
                errors = 0  # a finishing delivery wakes the loop to fill its slot
            except Exception as error:  # the database is down or the like: retry, never die
                errors += 1
                delay = min(30.0, self.policy.poll_seconds * 2 ** min(errors, 5))
                _log.error("webhook_dispatch_error", error=type(error).__name__)
            await self.pause(delay, self._wake)

    def _spawn(self, claim: Claim) -> None:
        task = self.spawn(self._deliver(claim), name=f"webhook:{claim.delivery_id}")
        if task is None:
            return  # stopping: the lease expires and it is claimed again
        self._in_flight[claim.subscription_id] += 1

        def done(_finished: asyncio.Task[None]) -> None:
            self._in_flight[claim.subscription_id] -= 1
            if self._in_flight[claim.subscription_id] <= 0:
                del self._in_flight[claim.subscription_id]
            self._wake.set()

        task.add_done_callback(done)

    async def deliver_due(self) -> int:
        """Claim what is due now and deliver it, waiting for every outcome; returns how many."""
        claims = await self.claim(self.policy.concurrency)
        await asyncio.gather(*(self._deliver(claim) for claim in claims))
        return len(claims)

    async def _deliver(self, claim: Claim) -> None:
        try:
            outcome = await self.attempt(claim)
            await self.record(claim, outcome)
        except Exception as error:  # recorded nowhere: the lease expires and it is retried
            _log.error("webhook_record_error", error=type(error).__name__)

    # -- steps -----------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Claim]:
        return await queue.claim(self._sessions, self.policy, limit, busy=set(self._in_flight))

    async def attempt(self, claim: Claim) -> Outcome:
        """One POST; never raises (the outcome says what went wrong, without response bodies)."""
        started = time.perf_counter()

        def outcome(status_code: int | None, error: str | None) -> Outcome:
            return Outcome(status_code, error, round((time.perf_counter() - started) * 1000))

        try:
            target = await ssrf.check(claim.url, self.policy.addresses, self._resolver)
        except ssrf.TargetRefused as refused:
            return outcome(None, str(refused)[:200])
        try:
            data = await self._data(claim)
        except Unanswered as unanswered:
            return outcome(None, f"{unanswered.service} did not answer: resource not read")
        body = render(claim.event_type, claim.occurred_at, data)
        headers = {
            **signing.headers(claim.secrets, str(claim.event_id), int(time.time()), body),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Host": target.host_header,
        }
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        request = self._client.build_request(
            "POST", target.connect_url, content=body, headers=headers, extensions=extensions
        )
        try:
            response = await self._client.send(request, stream=True)
            await response.aclose()  # the body is never read: it could be anything, of any size
        except httpx.HTTPError as error:
            return outcome(None, type(error).__name__)
        if 200 <= response.status_code < 300:
            return outcome(response.status_code, None)
        return outcome(response.status_code, f"HTTP {response.status_code}")

    async def _data(self, claim: Claim) -> dict[str, Any]:
        """The event's data; for a ``resource`` subscription, with the resource as the
        subscriber may read it now (``resources``)."""
        if claim.payload != WebhookPayload.RESOURCE or claim.organization_id is None:
            return claim.data
        if claim.event_type not in RESOURCES:
            return claim.data  # a ping, an erasure: nothing to read (the OpenAPI has no field)
        if self._resources is None:
            raise Unanswered("gateway", timed_out=False)  # no reader: never a body without it
        resource = await self._resources.read(
            claim.subscription_id, claim.organization_id, claim.event_type, claim.data
        )
        return {**claim.data, "resource": resource}

    async def record(self, claim: Claim, outcome: Outcome) -> None:
        await queue.record(self._sessions, self.policy, claim, outcome)

    # -- housekeeping ----------------------------------------------------------------------

    async def purge(self) -> int:
        """Forget deliveries older than the log's retention (see :func:`queue.purge`)."""
        return await queue.purge(self._sessions, self.policy.log_retention)

    async def housekeep(self) -> None:
        try:
            purged = await self.purge()
            if purged:
                _log.info("webhook_log_purged", deliveries=purged)
        except Exception as error:  # retried at the next interval
            _log.error("webhook_purge_error", error=type(error).__name__)
        try:
            forgotten = await self.purge_inbox()
            if forgotten:
                _log.info("inbox_purged", events=forgotten)
        except Exception as error:  # retried at the next interval
            _log.error("inbox_purge_error", error=type(error).__name__)

    async def purge_inbox(self) -> int:
        """Forget the ids of the events applied longer ago than the services keep their outbox
        (the gateway consumes events but runs no relay to do it)."""
        async with self._sessions() as session, session.begin():
            return await purge_inbox(session, inbox, EVENT_RETENTION)
