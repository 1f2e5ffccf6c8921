"""Whose catalogue an organisation reads: the offers published to no cluster, its own, and those
published to a cluster it is a member of (``domain/clusters.published_to``); the platform
admin, in no organisation and no cluster, reads it all. And the cluster a referral is made in."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from services.matching.domain.clusters import published_to


@dataclass(frozen=True)
class Viewer:
    """Who reads the catalogue: an organisation and the clusters it is a member of today."""

    organization_id: uuid.UUID | None
    cluster_ids: frozenset[uuid.UUID]
    unrestricted: bool = False

    def sees(self, entry_cluster_ids: Collection[uuid.UUID], owner: uuid.UUID) -> bool:
        return self.unrestricted or published_to(
            entry_cluster_ids, owner, self.organization_id, self.cluster_ids
        )


def referral_cluster(
    offer_cluster_ids: Collection[uuid.UUID], referrer_cluster_ids: Collection[uuid.UUID]
) -> uuid.UUID | None:
    """The cluster a referral is made in: one the offer is published to and the referring
    organisation is a member of (the first by id if several); None when the offer is published
    to every cluster or they share none."""
    shared = set(offer_cluster_ids) & set(referrer_cluster_ids)
    return min(shared) if shared else None
