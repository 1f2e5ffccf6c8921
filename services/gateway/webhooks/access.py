"""Who manages an organisation's webhooks: its org admins and partner systems. Every query
is scoped by :func:`services.gateway.webhooks.db.subscriptions.readable`, so another
organisation's webhook is "not there" (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.gateway.webhooks.db.subscriptions import MANAGERS
from shared.auth import CurrentPrincipal, Principal
from shared.errors import Forbidden


def _manager(principal: CurrentPrincipal) -> Principal:
    if not principal.acts_as(*MANAGERS):
        raise Forbidden("Org admins and partner systems manage their organisation's webhooks.")
    return principal


Manager = Annotated[Principal, Depends(_manager)]
