"""The cluster dashboard, for the platform admin and the cluster's coordinator only (anyone else:
404): aggregates over the members, read from the dashboard's read model (``db/cluster_dashboard``)
and the commitments' measure, in a handful of statements."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import cluster_dashboard, cluster_members, clusters, commitments
from services.matching.domain.cluster_access import is_current
from services.matching.domain.cluster_dashboard import MemberRow, shape
from services.matching.domain.commitments import ratio
from shared import clock
from shared.auth import Principal


async def dashboard(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> dict[str, Any]:
    cluster = await clusters.get_coordinated(session, principal, cluster_id)
    today = clock.today()
    members = await cluster_members.of_cluster(session, cluster.id)
    pledges = await commitments.of_cluster(session, cluster.id)
    delivered = await commitments.delivered(session, cluster_id=cluster.id) if pledges else {}
    by_member: dict[str, list[dict[str, Any]]] = {}
    for pledge in pledges:
        done = delivered.get(pledge.id)
        by_member.setdefault(str(pledge.organization_id), []).append(
            {
                "id": str(pledge.id),
                "kind": pledge.kind,
                "offer_type": pledge.offer_type,
                "description": pledge.description,
                "period_start": pledge.period_start.isoformat(),
                "period_end": pledge.period_end.isoformat(),
                "pledged": pledge.quantity,
                "delivered": done,
                "ratio": ratio(pledge.quantity, done),
            }
        )
    rows = [
        MemberRow(
            organization_id=str(member.organization_id),
            roles=list(member.roles),
            current=is_current(member.joined_on, member.left_on, today),
            commitments=by_member.get(str(member.organization_id), []),
        )
        for member in members
    ]
    return {
        "cluster_id": str(cluster.id),
        "name": cluster.name,
        "status": cluster.status,
        "territory_codes": list(cluster.territory_codes),
        "computed_at": clock.now().isoformat(),
        **shape(rows, await cluster_dashboard.counts(session, cluster.id)),
    }
