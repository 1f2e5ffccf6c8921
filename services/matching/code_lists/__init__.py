"""The labels of the matching service's codes (offer types and statuses, referral statuses and
reasons, cluster roles, service-point kinds, ...), served as code lists like intake's.

The codes come from the enums themselves (``domain/``, and the ``Literal`` types of the bodies),
the labels from ``labels.json``; a list whose enum gains a value without labels in all five
languages fails to load, and so the tests. Need domains are intake's list ``need-domains``.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, Final, get_args

from services.matching.domain import cluster_access, commitments, offers, referrals
from services.matching.domain import service_points as points
from services.matching.domain.scoring import Weights
from services.matching.domain.territories import Scheme
from services.matching.schemas import me, territory_profiles
from services.matching.schemas import offers as offer_bodies
from shared.code_lists import Catalogue, CodeList
from shared.code_lists.enums import EnumList, enum_code_list, read_document

# In the order the index shows them: offers and matches, referrals, clusters, service points,
# territories.
LISTS: Final[dict[str, EnumList]] = {
    "offer-types": EnumList(lambda: offers.OfferType),
    "offer-statuses": EnumList(lambda: offers.OfferStatus),
    "pay-periods": EnumList(lambda: get_args(offer_bodies.PayPeriod)),
    "pay-kinds": EnumList(lambda: get_args(offer_bodies.PayKind)),
    "match-criteria": EnumList(lambda: (criterion.name for criterion in fields(Weights))),
    "referral-statuses": EnumList(lambda: referrals.ReferralStatus),
    "referral-reason-codes": EnumList(lambda: referrals.ReferralReasonCode),
    "referral-person-responses": EnumList(lambda: get_args(me.PersonResponse)),
    "cluster-statuses": EnumList(lambda: cluster_access.ClusterStatus),
    "cluster-member-roles": EnumList(lambda: cluster_access.MemberRole),
    "commitment-kinds": EnumList(lambda: commitments.CommitmentKind),
    "service-point-kinds": EnumList(lambda: points.ServicePointKind),
    "service-point-tiers": EnumList(lambda: points.Tier),
    "service-point-access-modes": EnumList(lambda: points.AccessMode),
    "service-point-statuses": EnumList(lambda: points.ServicePointStatus),
    "territory-schemes": EnumList(lambda: Scheme),
    "territory-profile-kinds": EnumList(lambda: get_args(territory_profiles.Kind)),
}


@cache
def get_code_list(name: str) -> CodeList:
    return enum_code_list(name, _document(), LISTS[name])


@cache
def _document() -> dict[str, Any]:
    return read_document(__name__)


CATALOGUE: Final = Catalogue("matching", tuple(LISTS), get_code_list)
