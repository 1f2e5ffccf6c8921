"""Events between services: a transactional outbox on the producer, an idempotent inbox on the
consumer, and a relay between them.

Guarantees:

- **Atomic with the change.** :func:`emit` writes the event in the caller's transaction: it is
  sent if and only if the change it announces commits.
- **At least once.** The relay moves a subscriber's cursor only after the subscriber answered
  success; a consumer that is down receives everything once it is back. Nothing is lost.
- **In order, per subscriber.** Events are sent in ``(transaction_id, seq)`` order (see
  ``outbox``), one replica at a time per subscriber; a failed batch is sent again, unchanged.
- **Applied once.** Consumers apply each event id once (:func:`events_router`), so redelivery,
  replicas and concurrent deliveries of one event are harmless.

Wiring, in a producer::

    outbox = outbox_tables(metadata)                      # db/models.py, with the other tables
    await emit(session, outbox, "beneficiary.registered", payload, source="intake")

    relay = OutboxRelay(app.state.sessions, outbox,       # lifespan start-up hook
                        [Subscriber("matching", "http://matching:8003/internal/events")],
                        HttpSender(app.state.http, settings.internal_token))
    relay.start()   # ... and ``await relay.stop()`` in the shut-down hook

A commit in the process that emitted to ``outbox`` wakes its relay at once (a SQLAlchemy
``after_commit`` hook the relay installs); other replicas pick the events up at their next poll.

In a consumer::

    inbox = inbox_table(metadata)
    routers=[..., events_router({"beneficiary.registered": on_registered}, inbox)]
"""

from shared.events.envelope import MAX_BATCH, EventBatch, EventEnvelope
from shared.events.inbox import (
    DeliveryOutcome,
    EventHandler,
    EventHandlingFailed,
    events_router,
    inbox_table,
    internal_auth,
    process_events,
    purge_inbox,
)
from shared.events.outbox import (
    OutboxTables,
    SubscriberStatus,
    emit,
    outbox_tables,
    purge_delivered,
    relay_status,
    scrub,
)
from shared.events.relay import EVENT_RETENTION, OutboxRelay, relay_hooks
from shared.events.sending import DeliveryFailed, EventSender, HttpSender, Subscriber

__all__ = [
    "EVENT_RETENTION",
    "MAX_BATCH",
    "DeliveryFailed",
    "DeliveryOutcome",
    "EventBatch",
    "EventEnvelope",
    "EventHandler",
    "EventHandlingFailed",
    "EventSender",
    "HttpSender",
    "OutboxRelay",
    "OutboxTables",
    "Subscriber",
    "SubscriberStatus",
    "emit",
    "events_router",
    "inbox_table",
    "internal_auth",
    "outbox_tables",
    "process_events",
    "purge_delivered",
    "purge_inbox",
    "relay_hooks",
    "relay_status",
    "scrub",
]
