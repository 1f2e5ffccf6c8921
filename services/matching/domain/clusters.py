"""Pure rules of the cluster: which catalogue entries an organisation sees."""

from __future__ import annotations

import uuid
from collections.abc import Collection


def published_to(
    entry_cluster_ids: Collection[uuid.UUID],
    owner_organization_id: uuid.UUID,
    viewer_organization_id: uuid.UUID | None,
    viewer_cluster_ids: Collection[uuid.UUID],
) -> bool:
    """An offer or service point published to no cluster is the whole installation's (as before
    clusters existed); one published to clusters is seen by their members and by its owner."""
    if not entry_cluster_ids or viewer_organization_id == owner_organization_id:
        return True
    return not set(entry_cluster_ids).isdisjoint(viewer_cluster_ids)
