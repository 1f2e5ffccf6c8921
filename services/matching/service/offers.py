"""The offers catalogue: providers manage their own organisation's offers; everyone working on
cases reads the open ones (drafts stay with their provider)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import indexes, offers
from services.matching.db.cluster_scope import member_cluster_ids
from services.matching.db.models import Offer
from services.matching.db.taxonomy_read import known_uris, skill_labels
from services.matching.domain.access import manages_offer, manages_offers
from services.matching.domain.esco import DEFAULT_LANGUAGE
from services.matching.errors import (
    InconsistentOffer,
    NotAPublisher,
    NotMemberClusters,
    NotYourOffer,
    OfferReferred,
    RequiredFieldsCleared,
    SeatsTaken,
    UnknownConcepts,
)
from services.matching.schemas.offers import (
    OfferCreate,
    OfferFields,
    OfferUpdate,
    check_consistency,
)
from services.matching.service import territories
from services.matching.service.catalogue_events import announce_offer, offer_snapshot
from shared import clock
from shared.auth import Principal
from shared.errors import FieldError


async def page(
    session: AsyncSession, principal: Principal, **filters: Any
) -> tuple[list[Offer], str | None]:
    """One page of the offers the caller may read (``db.offers.page``'s filters)."""
    return await offers.page(session, principal, **filters)


async def get_managed(session: AsyncSession, principal: Principal, offer_id: uuid.UUID) -> Offer:
    """The offer, locked for a change, if the caller manages it (404 when they cannot read it,
    403 when they read it but another organisation manages it)."""
    offer = await offers.get_readable(session, principal, offer_id)
    if not manages_offer(principal, offer.organization_id):
        raise NotYourOffer()
    return await offers.lock(session, offer)


async def check_taxonomy(session: AsyncSession, fields: dict[str, Any]) -> None:
    """Skill and occupation URIs must be ESCO concepts this deployment imported."""
    errors = []
    for field in SKILL_FIELDS:
        uris = list(fields.get(field) or [])
        known = await known_uris(session, uris, "skill")
        errors += [
            FieldError(field=f"body.{field}", message=f"unknown ESCO skill {uri}", code="unknown")
            for uri in uris
            if uri not in known
        ]
    occupation = fields.get("occupation_uri")
    if occupation and not await known_uris(session, [occupation], "occupation"):
        errors.append(
            FieldError(
                field="body.occupation_uri", message="unknown ESCO occupation", code="unknown"
            )
        )
    if errors:
        raise UnknownConcepts(errors)


async def check_clusters(
    session: AsyncSession, organization_id: uuid.UUID | None, cluster_ids: list[uuid.UUID]
) -> None:
    """Each cluster exists and the provider is a member of it today."""
    if not cluster_ids:
        return
    existing = await offers.existing_clusters(session, cluster_ids)
    member = (
        set(await member_cluster_ids(session, organization_id, clock.today()))
        if organization_id is not None
        else set()
    )
    unknown = [str(i) for i in cluster_ids if i not in existing]
    outside = [str(i) for i in cluster_ids if i in existing and i not in member]
    if unknown or outside:
        raise NotMemberClusters(unknown, outside)


SKILL_FIELDS = {
    "skills_required": "required_skills",
    "skills_preferred": "preferred_skills",
    "skills_taught": "taught_skills",
}


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "cluster_ids" in values:  # each cluster once, in the order given
        values["cluster_ids"] = list(dict.fromkeys(values["cluster_ids"]))
    for field, column in SKILL_FIELDS.items():  # only those sent: a patch keeps the others
        if field in values:
            values[column] = values.pop(field) or []
    if "min_education_level" in values and values["min_education_level"] is not None:
        values["min_education_level"] = int(values["min_education_level"])
    pay = values.pop("pay", None)
    if "pay" in fields:
        values.update(
            pay_amount=pay["amount"] if pay else None,
            pay_currency=pay["currency"] if pay else None,
            pay_period=pay["period"] if pay else None,
            pay_kind=pay["kind"] if pay else None,
        )
    return values


async def create(session: AsyncSession, principal: Principal, body: OfferCreate) -> Offer:
    if not manages_offers(principal):
        raise NotAPublisher()
    fields = body.model_dump()
    await check_taxonomy(session, fields)
    await check_clusters(session, principal.organization_id, fields["cluster_ids"])
    fields["territory_code"] = await territories.code_for(
        session, body.territory_code, body.municipality
    )
    offer = Offer(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        created_by=principal.subject,
        seats_taken=0,
        version=1,
        **_columns(fields),
    )
    await offers.add(session, offer)
    await indexes.bump_revision(session, indexes.OFFERS)
    await announce_offer(session, None, await offer_snapshot(session, offer))
    return offer


async def update(session: AsyncSession, offer: Offer, body: OfferUpdate) -> None:
    patch = body.model_dump(exclude_unset=True)
    if "cluster_ids" in patch and patch["cluster_ids"] is None:
        patch["cluster_ids"] = []  # cleared: published to every cluster
    required = {"type", "title", "seats", "status", "permit_must_allow_work"}
    cleared = sorted(field for field in required if field in patch and patch[field] is None)
    if cleared:
        raise RequiredFieldsCleared(cleared)
    merged = {**read_fields(offer), **patch}
    try:
        check_consistency(
            OfferFields.model_validate(
                {k: v for k, v in merged.items() if k in OfferFields.model_fields}
            )
        )
    except ValueError as error:
        raise InconsistentOffer(str(error)) from error
    await check_taxonomy(session, patch)
    await check_clusters(session, offer.organization_id, patch.get("cluster_ids") or [])
    if "territory_code" in patch or "municipality" in patch:
        patch["territory_code"] = await _territory_after(session, offer, patch)
    if patch.get("seats") is not None and patch["seats"] < offer.seats_taken:
        raise SeatsTaken(offer.seats_taken)
    before = await offer_snapshot(session, offer)
    for name, value in _columns(patch).items():
        setattr(offer, name, value)
    offer.version += 1
    offer.updated_at = clock.now()
    await offers.flush(session)
    await indexes.bump_revision(session, indexes.OFFERS)
    await announce_offer(session, before, await offer_snapshot(session, offer))


async def _territory_after(
    session: AsyncSession, offer: Offer, patch: dict[str, Any]
) -> str | None:
    """The code a change leaves: the one sent; else, when only the municipality changes, the
    code kept if it was given (not read from the old name), else the new name's reading."""
    if patch.get("territory_code") is not None:
        return await territories.code_for(session, patch["territory_code"], None)
    municipality = patch.get("municipality", offer.municipality)
    if "territory_code" not in patch and offer.territory_code is not None:
        read_from_name = await territories.code_for(session, None, offer.municipality)
        if read_from_name != offer.territory_code:
            return offer.territory_code
    return await territories.code_for(session, None, municipality)


async def delete(session: AsyncSession, offer: Offer) -> None:
    if await offers.referred(session, offer.id):
        raise OfferReferred()
    before = await offer_snapshot(session, offer)
    await offers.delete(session, offer)
    await indexes.bump_revision(session, indexes.OFFERS)
    await announce_offer(session, before, None)


def read_fields(offer: Offer) -> dict[str, Any]:
    return {
        "type": offer.type,
        "title": offer.title,
        "seats": offer.seats,
        "status": offer.status,
        "description": offer.description,
        "municipality": offer.municipality,
        "territory_code": offer.territory_code,
        "latitude": offer.latitude,
        "longitude": offer.longitude,
        "schedule": offer.schedule,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        "skills_required": list(offer.required_skills),
        "skills_preferred": list(offer.preferred_skills),
        "skills_taught": list(offer.taught_skills),
        "occupation_uri": offer.occupation_uri,
        "sector": offer.sector,
        "min_language_code": offer.min_language_code,
        "min_language_level": offer.min_language_level,
        "min_education_level": str(offer.min_education_level)
        if offer.min_education_level is not None
        else None,
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "permit_must_allow_work": offer.permit_must_allow_work,
        "languages_of_instruction": list(offer.languages_of_instruction),
        "cluster_ids": list(offer.cluster_ids),
    }


def as_read(offer: Offer, labels: dict[str, str]) -> dict[str, Any]:
    fields = read_fields(offer)
    clusters = [str(i) for i in fields.pop("cluster_ids")]
    skills = [
        {"uri": uri, "label": labels.get(uri), "required": True}
        for uri in fields.pop("skills_required")
    ] + [
        {"uri": uri, "label": labels.get(uri), "required": False}
        for uri in fields.pop("skills_preferred")
    ]
    taught = [{"uri": uri, "label": labels.get(uri)} for uri in fields.pop("skills_taught")]
    pay = (
        {
            "amount": str(offer.pay_amount),
            "currency": offer.pay_currency,
            "period": offer.pay_period,
            "kind": offer.pay_kind,
        }
        if offer.pay_amount is not None
        else None
    )
    return {
        "id": str(offer.id),
        "organization_id": str(offer.organization_id),
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()},
        "seats_left": max(offer.seats - offer.seats_taken, 0),
        "cluster_ids": clusters,
        "skills": skills,
        "skills_taught": taught,
        "pay": pay,
        "created_at": offer.created_at.isoformat(),
        "updated_at": offer.updated_at.isoformat(),
    }


async def labels(session: AsyncSession, shown: list[Offer], language: str = "en") -> dict[str, str]:
    """The preferred labels of the skills these offers name, in ``language`` where it has them
    (a language whose import lacks a concept's label), else in English."""
    uris = sorted(
        {
            uri
            for offer in shown
            for uri in [*offer.required_skills, *offer.preferred_skills, *offer.taught_skills]
        }
    )
    found = await skill_labels(session, uris, language)
    missing = [uri for uri in uris if uri not in found]
    if missing and language != DEFAULT_LANGUAGE:
        found.update(await skill_labels(session, missing, DEFAULT_LANGUAGE))
    return found
