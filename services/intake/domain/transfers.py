"""Transfers of a person's case to another organisation: who may do what to a request, as pure
rules (``service/transfers.py`` does the I/O)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from shared.auth import Principal, Role

# Who asks, accepts, rejects and cancels: the people who run cases (never a partner system, which
# reads them, nor a provider, a coordinator or a person).
DECIDERS = (Role.ORG_ADMIN, Role.OPERATOR)
READERS = (Role.ORG_ADMIN, Role.OPERATOR, Role.PARTNER_SYSTEM)


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class NotYours(Exception):
    """The caller's organisation is a party, but not the one that may take this step."""


def may_read(principal: Principal, sender: uuid.UUID, receiver: uuid.UUID) -> bool:
    """Only the two organisations see a transfer."""
    return principal.acts_as(*READERS) and principal.organization_id in (sender, receiver)


def may_request(principal: Principal) -> bool:
    return principal.acts_as(*DECIDERS)


def check_step(
    principal: Principal, sender: uuid.UUID, receiver: uuid.UUID, to: TransferStatus
) -> None:
    """The receiver accepts or rejects; the sender cancels. Raises :class:`NotYours` otherwise
    (the caller reads the transfer, so a refusal tells nothing new)."""
    if not principal.acts_as(*DECIDERS):
        raise NotYours
    if to in (TransferStatus.ACCEPTED, TransferStatus.REJECTED):
        if principal.organization_id != receiver:
            raise NotYours
    elif to == TransferStatus.CANCELLED:
        if principal.organization_id != sender:
            raise NotYours
    else:  # pending is where a request starts, never where it goes
        raise NotYours
