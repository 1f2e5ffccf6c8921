"""The cluster dashboard's shape, from counts the repository made: members by role, each member's
commitments (pledged, delivered) with the people it reached and its outcomes, the referral network
and the territories. The network's edges are per target type: an offer's type, or a service point's
kind (``offer_type`` null, ``service_point_kind`` set); referrals to service points count in the
people reached, the outcomes and the territories like any other. Every count of people or
referrals, a service point's edge's too, goes through small-cell suppression
(``shared.suppression``): 1 to 4 is shown as "<5". Counts of organisations and of pledged or
delivered seats and offers are the members' own activity, shown as they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.suppression import SMALL_CELL, SUPPRESSED, suppress

OUTCOMES = ("enrolled", "completed", "dropped")
SIDES = ("as_referrer", "as_provider")


@dataclass(frozen=True)
class MemberRow:
    organization_id: str
    roles: Sequence[str]
    current: bool
    commitments: list[dict[str, Any]] = field(default_factory=list)


def members_by_role(members: Iterable[MemberRow]) -> dict[str, int]:
    """Current members per role (an organisation with two roles counts in both)."""
    counted = Counter(role for member in members if member.current for role in member.roles)
    return dict(sorted(counted.items()))


def _outcomes(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    found: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        sides = found.setdefault(
            str(row["organization_id"]), {side: dict.fromkeys(OUTCOMES, 0) for side in SIDES}
        )
        sides[row["side"]][row["status"]] = int(row["referrals"])
    return found


def shape(
    members: Sequence[MemberRow], counts: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The dashboard's body (but the cluster's own fields) from ``db.cluster_dashboard.counts``."""
    reach = {str(row["organization_id"]): int(row["people"]) for row in counts["reach"]}
    outcomes = _outcomes(counts["outcomes"])
    empty = {side: dict.fromkeys(OUTCOMES, 0) for side in SIDES}
    member_ids = {member.organization_id for member in members}
    return {
        "members_by_role": members_by_role(members),
        "members": [
            {
                "organization_id": member.organization_id,
                "roles": list(member.roles),
                "current": member.current,
                "commitments": member.commitments,
                "people_reached": suppress(reach.get(member.organization_id, 0)),
                "outcomes": {
                    side: {name: suppress(count) for name, count in by_status.items()}
                    for side, by_status in outcomes.get(member.organization_id, empty).items()
                },
            }
            for member in members
        ],
        "network": sorted(
            (
                {
                    "from_organization_id": str(row["referrer"]),
                    "to_organization_id": str(row["provider"]),
                    "between_members": str(row["referrer"]) in member_ids
                    and str(row["provider"]) in member_ids,
                    "offer_type": row["offer_type"],
                    "service_point_kind": row.get("service_point_kind"),
                    "referrals": suppress(int(row["referrals"])),
                }
                for row in counts["network"]
            ),
            key=lambda edge: (
                edge["from_organization_id"],
                edge["to_organization_id"],
                edge["offer_type"] or "",
                edge["service_point_kind"] or "",
            ),
        ),
        "territories": sorted(
            (
                {
                    "territory_code": row["territory_code"],
                    "people": suppress(int(row["people"])),
                    **{name: suppress(int(row[name])) for name in OUTCOMES},
                }
                for row in counts["territories"]
            ),
            key=lambda place: str(place["territory_code"]),
        ),
        "suppression": {"small_cell": SMALL_CELL, "shown_as": SUPPRESSED},
    }
