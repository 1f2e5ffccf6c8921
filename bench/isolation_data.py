"""The ``isolation`` suite's data and sizes: the heaviest requests the code allows (read from the
settings and request schemas, so that a bound added later is followed), look-alike people,
matching data bulk-inserted for an allocation, and the memory limits of the Kubernetes manifest."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import annotated_types
import yaml
from pydantic import BaseModel
from sqlalchemy import insert

from bench.matching import _profile
from bench.stack import ROOT
from services.gateway.settings import GatewaySettings
from services.intake.schemas.pages import BatchRequest
from services.intake.settings import IntakeSettings
from services.matching.db.indexes import OFFERS, PEOPLE, bump_revision
from services.matching.db.models import CandidateProfile, Offer, beneficiary_access
from services.matching.schemas.offers import OfferCreate
from services.matching.schemas.referrals import AllocationRequest
from services.matching.settings import MatchingSettings
from services.matching.taxonomy.importer import import_taxonomy
from shared.db import create_engine, session_factory
from tests.matching.engine_data import SUBSET, pool, random_people, subset_taxonomy

MANIFEST = ROOT / "deploy" / "k8s" / "ponte.yaml"
DEFAULT_LIMIT_MIB = 512.0
# No bound in the matching settings: the allocation the issue measured (~4 s of CPU, 864 MB).
FALLBACK_ALLOCATION = (600, 300)
SEED = 2026


def _bound(
    settings: BaseModel, *words: str, unless: tuple[str, ...] = ()
) -> tuple[int, str] | None:
    """The first positive integer setting whose name holds every one of ``words`` and none of
    ``unless``."""
    for name in sorted(type(settings).model_fields):
        value = getattr(settings, name)
        if (
            all(word in name for word in words)
            and not any(word in name for word in unless)
            and isinstance(value, int)
            and not isinstance(value, bool)
            and value > 0
        ):
            return value, f"{type(settings).__name__}.{name}"
    return None


def _max_length(model: type[BaseModel], field: str) -> int:
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, annotated_types.MaxLen):
            return int(rule.max_length)
        if isinstance(rule, annotated_types.Le):
            return int(str(rule.le))
    raise LookupError(f"{model.__name__}.{field} has no upper bound")


def batch_size() -> tuple[int, str]:
    """The largest batch registration intake accepts: a settings bound if one exists, within
    the request schema's own."""
    schema = _max_length(BatchRequest, "items")
    settings = IntakeSettings()
    for words in (("batch", "max", "items"), ("batch", "max"), ("batch", "size")):
        # A job's bound is the asynchronous batch's, not the one a request is answered within.
        found = _bound(settings, *words, unless=("job", "candidate"))
        if found and found[0] < schema:
            return found
    return schema, "BatchRequest.items max_length"


def allocation_size() -> tuple[int, int, str]:
    """People and offers of the largest allocation matching allows: its settings' bounds
    (people and offers, or eligible pairs) within the request schema's; else 600 x 300."""
    settings = MatchingSettings()
    people = _bound(settings, "allocation", "people") or _bound(settings, "allocation", "benef")
    offers = _bound(settings, "allocation", "offers")
    pairs = _bound(settings, "allocation", "pairs")
    schema_people = _max_length(AllocationRequest, "beneficiary_ids")
    schema_offers = _max_length(AllocationRequest, "offer_ids")
    if people or offers:
        size_people = min(people[0] if people else FALLBACK_ALLOCATION[0], schema_people)
        size_offers = min(offers[0] if offers else FALLBACK_ALLOCATION[1], schema_offers)
        if pairs and size_people * size_offers > pairs[0]:
            size_offers = max(1, pairs[0] // size_people)
        names = ", ".join(found[1] for found in (people, offers, pairs) if found)
        return size_people, size_offers, names
    if pairs:  # two people per offer, as in the case
        size_offers = min(math.isqrt(pairs[0] // 2), schema_offers)
        return min(2 * size_offers, schema_people), size_offers, pairs[1]
    return *FALLBACK_ALLOCATION, "no bound in MatchingSettings: the issue's 600 x 300"


def max_seats() -> int:
    return _max_length(OfferCreate, "seats")


def burst_size(requested: int | None) -> int:
    """Concurrent sign-ins from one address: as many as its sign-in rate limit lets through at
    once (a GCRA burst is the per-minute figure), kept within 50-100."""
    if requested:
        return requested
    limit = GatewaySettings().rate_limit_token_per_minute or 100
    return max(50, min(100, limit))


def memory_limits(services: tuple[str, ...]) -> dict[str, float]:
    """Each service's container memory limit in MiB, from the Kubernetes manifest."""
    units = {"Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0, "K": 1e3 / 2**20, "M": 1e6 / 2**20}
    units["G"] = 1e9 / 2**20
    limits = dict.fromkeys(services, DEFAULT_LIMIT_MIB)
    for document in yaml.safe_load_all(MANIFEST.read_text()):
        if not document or document.get("kind") != "Deployment":
            continue
        name = document["metadata"]["name"]
        for container in document["spec"]["template"]["spec"]["containers"]:
            memory = container.get("resources", {}).get("limits", {}).get("memory")
            match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(memory or ""))
            if name in limits and match:
                limits[name] = round(float(match.group(1)) * units.get(match.group(2), 2**-20), 1)
    return limits


GIVEN = ("Yusuf", "Yousef", "Youssef", "Yusef", "Yousif", "Youssouf")
FAMILY = ("Haidari", "Haydari", "Heidari")


def look_alikes(count: int, tag: str) -> list[dict[str, Any]]:
    """People who all look like one another (spellings of one name, one birth date): every pair
    of them is in one duplicate-check block, so the check compares every pair."""
    return [
        {
            "given_name": GIVEN[number % len(GIVEN)],
            "family_name": FAMILY[number % len(FAMILY)],
            "birth_date": "2001-11-20",
            "sex": "male",
            "nationality": "AF",
            "country_of_birth": "AF",
            "external_id": f"{tag}-{number}",
        }
        for number in range(count)
    ]


def _offer(number: int, organization: uuid.UUID, occupation: str, seats: int) -> dict[str, Any]:
    """An open offer with no hard rule: everyone is eligible, so every seat up to the cohort's
    size becomes part of the problem."""
    taxonomy = subset_taxonomy()
    essential = sorted(taxonomy.essential.get(occupation, ()))
    start = datetime.now(UTC).date() + timedelta(days=30)
    return {
        "id": uuid.uuid4(),
        "organization_id": organization,
        "type": "training",
        "title": f"Isolation bench offer {number}",
        "status": "open",
        "municipality": "Milano",
        "latitude": None,
        "longitude": None,
        "starts_on": start,
        "ends_on": None,
        "seats": seats,
        "seats_taken": 0,
        "required_skills": essential[:3],
        "preferred_skills": essential[3:5],
        "occupation_uri": occupation,
        "min_language_code": None,
        "min_language_level": None,
        "min_education_level": None,
        "age_min": None,
        "age_max": None,
        "permit_must_allow_work": False,
        "languages_of_instruction": [],
        "version": 1,
        "created_by": "bench",
    }


async def seed_matching(
    database: str,
    owner: uuid.UUID,
    people: int,
    offers: int,
    seats: int,
    other: uuid.UUID,
    other_offers: int,
) -> tuple[list[str], list[str], list[str]]:
    """The committed ESCO subset, then, bulk-inserted as intake's events and the catalogue
    would leave them: ``people`` people of ``owner`` with consent to matching, ``offers`` open
    offers of ``seats`` seats, and ``other_offers`` small offers of the organisation ``other``.
    The ids of the people, of the offers and of the other organisation's offers."""
    db = create_engine(database, pool_size=1, max_overflow=0)
    try:
        await import_taxonomy(db, [SUBSET])
        source = pool(subset_taxonomy())
        now = datetime.now(UTC)
        profiles, access = [], []
        for person in random_people(source, people, SEED):
            beneficiary = uuid.uuid4()
            profiles.append(
                {
                    "beneficiary_id": beneficiary,
                    "organization_id": owner,
                    "profile": _profile(person),
                    "updated_at": now,
                }
            )
            access.append(
                {
                    "beneficiary_id": beneficiary,
                    "owner_organization_id": owner,
                    "grants": [],
                    "matching_consent": True,
                    "version": 1,
                    "erased": False,
                    "updated_at": now,
                }
            )
        occupations = source.occupations
        mine = [_offer(n, owner, occupations[n % len(occupations)], seats) for n in range(offers)]
        theirs = [
            _offer(n, other, occupations[n % len(occupations)], 5) for n in range(other_offers)
        ]
        async with session_factory(db)() as session:
            for table, rows in (
                (Offer, mine + theirs),
                (CandidateProfile, profiles),
                (beneficiary_access, access),
            ):
                for start in range(0, len(rows), 2000):
                    await session.execute(insert(table), rows[start : start + 2000])
            await bump_revision(session, OFFERS)
            await bump_revision(session, PEOPLE)
            await session.commit()
        return (
            [str(row["beneficiary_id"]) for row in profiles],
            [str(row["id"]) for row in mine],
            [str(row["id"]) for row in theirs],
        )
    finally:
        await db.dispose()
