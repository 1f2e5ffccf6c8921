"""Allocations of a cohort: the request's bounds, the solve off the event loop under a time
limit, and an end to the work when its caller has gone.

The bounds come first and change nothing: too many people or offers is refused before any read,
too many eligible pairs before any scoring. The solve runs in a thread (HiGHS and the maximum
flows are C that releases the GIL; the scoring is vectorised numpy) under the service's own
limiter, so that at most ``allocation_concurrency`` solves hold their memory at once. Its
``Budget`` ends it at the time limit (set under the gateway's upstream timeout: the caller gets
this service's 503, not the gateway's 504 while the work goes on) or as soon as the client
disconnects; either way there is no result, so nothing is kept (an Idempotency-Key keeps only a
success)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import offers as offers_repository
from services.matching.db import people as people_repository
from services.matching.db import places as places_repository
from services.matching.domain.allocation import (
    Allocation,
    allocate,
    eligibility_matrix,
    score_matrix,
)
from services.matching.domain.eligibility import Offer as EngineOffer
from services.matching.domain.eligibility import Person
from services.matching.domain.ranker import OfferIndex
from services.matching.domain.scoring import Weights
from services.matching.domain.transport import Budget, Stopped
from services.matching.errors import AllocationTimedOut, AllocationTooLarge, UnknownOffers
from services.matching.service import adapters
from services.matching.service.case_access import require_case_role
from services.matching.service.indexes import Indexes
from services.matching.settings import MatchingSettings
from shared import clock
from shared.auth import Principal
from shared.errors import FieldError, Problem
from shared.offload import run_in_thread

T = TypeVar("T")
POLL_SECONDS = 0.25  # how often a running solve asks whether its client is still there


class Disconnectable(Protocol):
    async def is_disconnected(self) -> bool: ...


def check_size(settings: MatchingSettings, people: int, offers: int) -> None:
    """People and offers within the service's limits, before anything is read."""
    errors = []
    if people > settings.allocation_max_people:
        errors.append(
            FieldError(
                field="body.beneficiary_ids",
                message=f"at most {settings.allocation_max_people} people, not {people}",
                code="too_many",
            )
        )
    if offers > settings.allocation_max_offers:
        errors.append(
            FieldError(
                field="body.offer_ids",
                message=f"at most {settings.allocation_max_offers} offers, not {offers}",
                code="too_many",
            )
        )
    if errors:
        raise AllocationTooLarge(
            "Split the cohort or the offers into smaller allocations.", errors=errors
        )


async def until_done(
    request: Disconnectable,
    budget: Budget,
    work: Callable[[], T],
    limiter: anyio.CapacityLimiter,
) -> T:
    """``work()`` in a thread, while the request is watched: a disconnected client, or this
    task cancelled, cancels the budget, which the work checks between its steps (and HiGHS's
    own time limit bounds the step it is in). The thread is always awaited, so no computation
    outlives the request."""

    async def watch() -> None:
        try:
            # Starlette only polls for a disconnect: there is no event to wait on.
            while not await request.is_disconnected():  # noqa: ASYNC110
                await anyio.sleep(POLL_SECONDS)
        finally:  # disconnected, or the request itself cancelled
            budget.cancel()

    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            result = await run_in_thread(work, limiter=limiter)
        except Exception as error:  # raised below, not wrapped in the group's ExceptionGroup
            failure = error
        finally:
            group.cancel_scope.cancel()
    if failure is not None:
        raise failure
    return result


async def allocation(
    session: AsyncSession,
    indexes: Indexes,
    principal: Principal,
    request: Disconnectable,
    beneficiary_ids: Sequence[uuid.UUID],
    offer_ids: Sequence[uuid.UUID],
    *,
    settings: MatchingSettings,
    limiter: anyio.CapacityLimiter,
    weights: Weights,
    favour_vulnerable: float,
    maximin: bool,
) -> dict[str, Any]:
    budget = Budget(settings.allocation_time_limit_seconds)  # from the request's start
    require_case_role(principal)
    wanted_people = list(dict.fromkeys(str(i) for i in beneficiary_ids))
    wanted_offers = list(dict.fromkeys(str(i) for i in offer_ids))
    check_size(settings, len(wanted_people), len(wanted_offers))
    profiles = await people_repository.visible_consented(session, principal, wanted_people)
    excluded = [
        {"beneficiary_id": i, "reason": "not found, not visible, or no consent to matching"}
        for i in wanted_people
        if i not in profiles
    ]
    rows = await offers_repository.live_columns(session, wanted_offers)
    seen_by = await offers_repository.viewer(session, principal)
    missing = [
        i
        for i in wanted_offers
        if i not in rows
        or (rows[i].status == "draft" and rows[i].organization_id != principal.organization_id)
        or not seen_by.sees(rows[i].cluster_ids, rows[i].organization_id)
    ]
    if missing:
        raise UnknownOffers(missing)
    codes = [p.territory_code for p in profiles.values()]
    codes += [r.territory_code for r in rows.values()]
    places = await places_repository.of_codes(session, codes)
    people = [adapters.profile_person(profiles[i], places) for i in wanted_people if i in profiles]
    offers = [adapters.offer(rows[i], places) for i in wanted_offers]
    taxonomy = await indexes.taxonomy(session)
    today = clock.today()

    def solve() -> tuple[Allocation, Any]:
        budget.check()  # it may have waited for the limiter
        eligible = eligibility_matrix(people, offers, today)
        pairs = int(eligible.sum())
        if pairs > settings.allocation_max_pairs:
            raise AllocationTooLarge(
                f"{pairs} eligible (person, offer) pairs, more than the "
                f"{settings.allocation_max_pairs} one allocation may solve over: split the "
                "cohort or the offers.",
                pairs=pairs,
                max_pairs=settings.allocation_max_pairs,
            )
        matrix = score_matrix(OfferIndex(offers, taxonomy), people, today, weights, budget)
        result = allocate(
            people,
            offers,
            matrix,
            today=today,
            favour_vulnerable=favour_vulnerable,
            maximin=maximin,
            eligible=eligible,
            budget=budget,
        )
        return result, matrix

    try:
        result, matrix = await until_done(request, budget, solve, limiter)
    except Stopped as stopped:
        raise timed_out(settings, stopped) from None
    return _answer(result, matrix, people, offers, excluded)


def _answer(
    result: Allocation,
    matrix: Any,
    people: Sequence[Person],
    offers: Sequence[EngineOffer],
    excluded: list[dict[str, str]],
) -> dict[str, Any]:
    """The solve as the API answers it: each person's offer and score, and the totals."""
    column = {offer.id: number for number, offer in enumerate(offers)}
    assignments = []
    for number, person in enumerate(people):
        given = result.assignment[person.beneficiary_id]
        assignments.append(
            {
                "beneficiary_id": person.beneficiary_id,
                "offer_id": given,
                "score": None if given is None else round(float(matrix[number, column[given]]), 4),
                "reason": result.reasons[person.beneficiary_id],
            }
        )
    assigned = sum(1 for item in assignments if item["offer_id"] is not None)
    return {
        "assignments": assignments,
        "objective": round(result.objective, 6),
        "greedy_objective": round(result.greedy_objective, 6),
        "assigned": assigned,
        "unassigned": len(assignments) - assigned,
        "minimum_score": None if result.minimum is None else round(result.minimum, 4),
        "solver": result.solver,
        "excluded_people": excluded,
    }


def timed_out(settings: MatchingSettings, stopped: Stopped) -> Problem:
    if stopped.why == "cancelled":  # nobody is listening; said for the log
        return AllocationTimedOut("The client went away: the allocation stopped.")
    return AllocationTimedOut(
        f"The allocation did not finish within {settings.allocation_time_limit_seconds:g} s "
        "and was stopped; nothing was kept. Split the cohort or the offers."
    )
