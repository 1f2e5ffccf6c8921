"""A referral's pathway: one the referring organisation runs for the same person, or none.

Pathways applies a referral's status to the action the referral names, and the ids come from the
referrer's request body, so the proposal checks them where matching can know. Matching keeps
whose each pathway is (``PathwayOwner``, from pathways' events). A pathway it has not heard of
(opened a moment ago, its event still on the way; or opened before this read model existed) is
asked of pathways once (``GET /internal/pathways/{id}/owner``) and remembered: one call on a
miss, never per item. Pathways unreachable then: 503, nothing stored (fail closed). Another
organisation's pathway, another person's, or one pathways does not know: the same 422, which
tells nothing about other organisations' pathways. Matching does not hear of actions: pathways
checks that the action belongs to the pathway, person and organisation when it applies the event.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.clients.pathways import PathwaysClient
from services.matching.db import pathways
from services.matching.errors import NotYourPathway, PathwayRequired
from services.matching.schemas.referrals import ReferralCreate
from shared.auth import Principal


async def check(
    session: AsyncSession, principal: Principal, body: ReferralCreate, client: PathwaysClient
) -> None:
    if body.pathway_id is None:
        if body.action_id is not None:
            raise PathwayRequired()
        return
    if not await pathways.known(session, body.pathway_id):
        await _learn(session, client, body.pathway_id)
    if not await pathways.owned(
        session, principal.organization_id, body.pathway_id, body.beneficiary_id
    ):
        raise NotYourPathway()


async def _learn(session: AsyncSession, client: PathwaysClient, pathway_id: uuid.UUID) -> None:
    """Ask pathways whose the pathway is, and keep the answer (as its events would have). No
    such pathway: nothing kept, refused like another's."""
    owner = await client.owner(pathway_id)
    if owner is None or owner.pathway_id != pathway_id:
        return
    await pathways.remember(session, owner.pathway_id, owner.beneficiary_id, owner.organization_id)
