"""Who receives an event, and what of it: pure rules over the event and the gateway's copy of
intake's access decisions (``shared.access_mirror``), mirroring what each service lets an
organisation read through the API.

- about a person (registered, updated, merged, erased): the registering organisation and the
  organisations holding an unexpired grant of any section;
- consents: the registering organisation and the organisation the consent names;
- pathways and rights violations: the registering organisation and those granted the ``pathway``
  section (pathways' rule);
- referrals: the provider of the offer, and the referring organisation while it may see the
  person's ``profile`` (matching's rule); the provider without the referrer's pathway and action;
- emergency accesses (break the glass): the registering organisation alone (the opening one knows;
  the others have no business knowing who is a presumed victim or in hospital);
- transfers of a person's case: the sending and the receiving organisations (the receiver sees
  the request before it sees the record);
- tasks falling due: the organisation whose task it is alone, while it may see the person's
  ``pathway`` section (a task about no one, or a transfer it is asked to accept: that
  organisation);
- the catalogue (offers, service points): the organisations matching names in the event
  (``readers``), which owns who may read an entry (drafts, clusters and their members on the
  day: ``services/matching/service/catalogue_events.py`` says why the event carries them); an
  entry published to no cluster goes to every organisation but those it names.

``data`` holds ids and states only, never a profile: the rest is read through the API, where the
usual rules apply. Decided when the event arrives, from the access known at that moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.gateway.webhooks.catalogue import WebhookEventType as T
from shared.access_mirror import Access
from shared.contracts import intake, matching, pathways

# pathways' task kind (``services/pathways/domain/tasks.py``): the receiver of a transfer request.
TRANSFER_TO_ACCEPT = "transfer_to_accept"


class AccessNotYetKnown(Exception):
    """The event is about a person the gateway has not heard of from intake yet (events of
    different services arrive independently): retry later, or decide without it."""


@dataclass(frozen=True)
class Recipient:
    organization_id: uuid.UUID
    data: dict[str, Any]


@dataclass(frozen=True)
class Everyone:
    """Every organisation but ``excluded``, each with ``data`` (an entry of the catalogue
    published to the whole installation: only the gateway knows every organisation)."""

    excluded: frozenset[uuid.UUID]
    data: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    beneficiary_id: uuid.UUID | None  # whom the event is about (erasure drops the pending)
    recipients: list[Recipient]
    everyone: Everyone | None = None  # instead of ``recipients``


def is_webhook_event(event_type: str) -> bool:
    return event_type in _RULES


def subject_of(event_type: str, payload: Mapping[str, Any]) -> uuid.UUID | None:
    """The person whose access decides who receives the event."""
    key = "merged_id" if event_type == T.BENEFICIARY_MERGED else "beneficiary_id"
    value = payload.get(key)
    return uuid.UUID(str(value)) if value is not None else None


def seeing(access: Access | None, section: str | None, now: datetime) -> set[uuid.UUID]:
    """The organisations that may see ``section`` of the person (any section when None)."""
    if access is None or access.erased:
        return set()
    organisations = {access.owner}
    for grant in access.grants:
        expires = grant.get("expires_at")
        if expires is not None and datetime.fromisoformat(str(expires)) <= now:
            continue
        if section is None or section in grant["sections"]:
            organisations.add(uuid.UUID(str(grant["organization_id"])))
    return organisations


def decide(
    event_type: str,
    payload: Mapping[str, Any],
    access: Access | None,
    now: datetime,
    *,
    unknown_person_sees_nobody: bool = False,
) -> Decision | None:
    """Who receives ``event_type`` (None: not a webhook event). Raises
    :class:`AccessNotYetKnown` when that depends on a person the mirror does not hold, unless
    ``unknown_person_sees_nobody`` (the caller waited long enough)."""
    rule = _RULES.get(event_type)
    if rule is None:
        return None
    if access is None and rule.needs_access and not unknown_person_sees_nobody:
        raise AccessNotYetKnown(event_type)
    event = rule.contract.model_validate(payload)
    audience = rule.audience(event, access, now)
    data = _dump(event, rule.fields)
    if isinstance(audience, AllBut):
        return Decision(None, [], Everyone(audience.excluded, data))
    recipients = []
    for organisation, reduced in sorted(audience.items()):
        fields = data if reduced is None else {k: v for k, v in data.items() if k in reduced}
        recipients.append(Recipient(organisation, fields))
    return Decision(subject_of(event_type, payload), recipients)


Audience = dict[uuid.UUID, frozenset[str] | None]  # organisation -> fields it gets (None: all)


@dataclass(frozen=True)
class AllBut:
    """Every organisation but these, all fields."""

    excluded: frozenset[uuid.UUID]


@dataclass(frozen=True)
class _Rule:
    contract: type[BaseModel]
    fields: tuple[str, ...]
    audience: Callable[[Any, Access | None, datetime], Audience | AllBut]
    needs_access: bool  # without the mirror's row, the audience cannot be decided


def _all(organisations: Iterable[uuid.UUID]) -> Audience:
    return dict.fromkeys(organisations)


def _person(event: Any, access: Access | None, now: datetime) -> Audience:
    if access is not None and (access.erased or access.merged_into is not None):
        return {}  # a late event about a record that is gone
    return _all({event.organization_id} | seeing(access, None, now))


def _gone(event: Any, access: Access | None, now: datetime) -> Audience:
    # Decided before the mirror applies the erasure or merge: whoever could see the person.
    return _all({event.organization_id} | seeing(access, None, now))


def _consent(event: intake.ConsentChanged, access: Access | None, _now: datetime) -> Audience:
    if access is not None and access.erased:
        return {}
    named = {event.organization_id} if event.organization_id is not None else set()
    return _all({event.owner_organization_id} | named)


def _pathway(_event: Any, access: Access | None, now: datetime) -> Audience:
    return _all(seeing(access, "pathway", now))


def _owner(event: intake.EmergencyAccessChanged, access: Access | None, _now: datetime) -> Audience:
    if access is not None and access.erased:
        return {}
    return _all({event.owner_organization_id})


def _transfer(event: intake.TransferChanged, access: Access | None, _now: datetime) -> Audience:
    if access is not None and access.erased:
        return {}
    return _all({event.from_organization_id, event.to_organization_id})


def _task(event: pathways.TaskDue, access: Access | None, now: datetime) -> Audience:
    if event.beneficiary_id is None or event.kind == TRANSFER_TO_ACCEPT:
        return _all({event.organization_id})
    return _all({event.organization_id} & seeing(access, "pathway", now))


_PROVIDER_FIELDS = frozenset(
    {
        "referral_id",
        "beneficiary_id",
        "offer_id",
        "service_point_id",
        "organization_id",
        "provider_organization_id",
        "cluster_id",
        "status",
        "reason_code",
    }
)


def _referral(event: matching.ReferralChanged, access: Access | None, now: datetime) -> Audience:
    audience: Audience = {event.provider_organization_id: _PROVIDER_FIELDS}
    if event.organization_id in seeing(access, "profile", now):
        audience[event.organization_id] = None  # the referrer: its pathway and action too
    return audience


def _catalogue(
    event: matching.OfferChanged | matching.ServicePointChanged, _access: Any, _now: datetime
) -> Audience | AllBut:
    readers = event.readers
    if readers.everyone:
        return AllBut(frozenset(readers.excluded_organization_ids))
    return _all(readers.organization_ids)


_IDS = ("beneficiary_id", "organization_id")
_PATHWAY_IDS = ("pathway_id", "beneficiary_id", "organization_id")
_RULES: dict[str, _Rule] = {
    T.BENEFICIARY_REGISTERED: _Rule(intake.BeneficiaryChanged, _IDS, _person, False),
    T.BENEFICIARY_UPDATED: _Rule(intake.BeneficiaryChanged, _IDS, _person, False),
    T.BENEFICIARY_MERGED: _Rule(
        intake.BeneficiaryMerged, ("merged_id", "survivor_id", "organization_id"), _gone, False
    ),
    T.BENEFICIARY_ERASED: _Rule(intake.BeneficiaryErased, _IDS, _gone, False),
    T.CONSENT_GRANTED: _Rule(
        intake.ConsentChanged,
        (
            "consent_id",
            "beneficiary_id",
            "owner_organization_id",
            "purpose",
            "organization_id",
            "sections",
        ),
        _consent,
        False,
    ),
    T.PATHWAY_OPENED: _Rule(pathways.PathwayEvent, _PATHWAY_IDS, _pathway, True),
    T.PATHWAY_STEP_RECORDED: _Rule(
        pathways.StepRecorded, (*_PATHWAY_IDS, "step", "cycle"), _pathway, True
    ),
    T.PATHWAY_CLOSED: _Rule(pathways.PathwayClosed, (*_PATHWAY_IDS, "outcome"), _pathway, True),
    T.PATHWAY_REOPENED: _Rule(
        pathways.PathwayReopened, (*_PATHWAY_IDS, "stage", "cycle"), _pathway, True
    ),
    T.RIGHTS_VIOLATION_DETECTED: _Rule(
        pathways.ViolationDetected,
        (*_PATHWAY_IDS, "violation_id", "forced_labour"),
        _pathway,
        True,
    ),
    T.REFERRAL_STATUS_CHANGED: _Rule(
        matching.ReferralChanged,
        (
            "referral_id",
            "beneficiary_id",
            "offer_id",
            "service_point_id",
            "organization_id",
            "provider_organization_id",
            "cluster_id",
            "pathway_id",
            "action_id",
            "status",
            "reason_code",
        ),
        _referral,
        True,
    ),
}
_RULES[T.CONSENT_WITHDRAWN] = _RULES[T.CONSENT_GRANTED]
_RULES[T.TRANSFER_STATUS_CHANGED] = _Rule(
    intake.TransferChanged, tuple(intake.TransferChanged.model_fields), _transfer, False
)
_RULES[T.EMERGENCY_ACCESS_OPENED] = _Rule(
    intake.EmergencyAccessChanged,
    tuple(intake.EmergencyAccessChanged.model_fields),  # ids, code, sections, times: no text
    _owner,
    False,
)
_RULES[T.EMERGENCY_ACCESS_CLOSED] = _RULES[T.EMERGENCY_ACCESS_OPENED]
# A task about no one needs no access decision; one about a person is decided like a pathway's.
_RULES[T.TASK_DUE] = _Rule(pathways.TaskDue, tuple(pathways.TaskDue.model_fields), _task, False)
# The catalogue: the entry's ids and states to its readers; to those who lose it, its ids and why.
_OFFER_STATE = (
    "offer_id",
    "organization_id",
    "type",
    "status",
    "cluster_ids",
    "seats",
    "starts_on",
    "ends_on",
    "version",
)
_SERVICE_POINT_STATE = (
    "service_point_id",
    "organization_id",
    "kind",
    "tier",
    "need_domains",
    "territory_code",
    "access_mode",
    "status",
    "cluster_ids",
    "version",
)
_OFFER_GONE = ("offer_id", "organization_id", "type", "reason")
_SERVICE_POINT_GONE = ("service_point_id", "organization_id", "kind", "reason")
_RULES[T.OFFER_PUBLISHED] = _Rule(matching.OfferChanged, _OFFER_STATE, _catalogue, False)
_RULES[T.OFFER_UPDATED] = _RULES[T.OFFER_PUBLISHED]
_RULES[T.OFFER_WITHDRAWN] = _Rule(matching.OfferChanged, _OFFER_GONE, _catalogue, False)
_RULES[T.SERVICE_POINT_PUBLISHED] = _Rule(
    matching.ServicePointChanged, _SERVICE_POINT_STATE, _catalogue, False
)
_RULES[T.SERVICE_POINT_UPDATED] = _RULES[T.SERVICE_POINT_PUBLISHED]
_RULES[T.SERVICE_POINT_CLOSED] = _Rule(
    matching.ServicePointChanged, _SERVICE_POINT_GONE, _catalogue, False
)


def _dump(event: BaseModel, fields: tuple[str, ...]) -> dict[str, Any]:
    values = event.model_dump(mode="json", include=set(fields))
    return {name: values[name] for name in fields}
