"""Webhooks: organisations subscribe to the services' events and receive them signed (Standard
Webhooks), at least once, only about what they may see.

- ``consumer``: the services' relays deliver their events to the gateway's ``/internal/events``;
  each is queued once for every active subscription of every organisation allowed to see it
  (``audience``), with its data reduced to ids and states (``catalogue``).
- ``delivery``: the worker that sends the queue, retries with back-off and jitter, and disables a
  subscription that keeps failing.
- ``signing`` and ``ssrf``: the signatures, and the targets the gateway refuses to call.
- ``api`` and ``deliveries_api``: ``/api/v1/webhooks`` (subscriptions, delivery log, redelivery),
  over the application layer ``service/`` (named like them: ``subscriptions``, ``deliveries``);
  ``runtime``: wiring.
- ``db/``: the tables (``models``) and every statement (``subscriptions``, ``deliveries``,
  ``queue``); ``queue``: the queue's policy and terms.
"""
