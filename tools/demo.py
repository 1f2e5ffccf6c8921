"""Demo data for ``make run``, loaded through the public API like any client would (so it also
proves the API works). Idempotent: running it on an existing demo database changes nothing."""

from __future__ import annotations

import random
from typing import Any

import httpx

from services.intake.schemas.beneficiary import EXAMPLE
from tools import demo_casework, demo_cluster, demo_day, demo_funds, demo_matching

DEMO_PASSWORD = "demo-staff-roma-2026"  # noqa: S105 - printed for the local demo on purpose
# What an admin gives a new user; the demo users replace it with DEMO_PASSWORD at once.
_FIRST_PASSWORD = "handed-over-at-the-desk-2026"  # noqa: S105 - spent at the first sign-in

ORGANIZATIONS = [
    {
        "name": "Centro per l'impiego Roma Est",
        "type": "employment_service",
        "country": "IT",
        "municipality": "Roma",
    },
    {"name": "Casa dei Diritti ODV", "type": "ngo", "country": "IT", "municipality": "Roma"},
    {"name": "Scuola Edile Lazio", "type": "vet_provider", "country": "IT", "municipality": "Roma"},
    {"name": "CGIL Roma e Lazio", "type": "trade_union", "country": "IT", "municipality": "Roma"},
    {
        "name": "Comune di Roma - Politiche sociali",
        "type": "local_authority",
        "country": "IT",
        "municipality": "Roma",
    },
]

USERS = [
    ("Centro per l'impiego Roma Est", "org_admin", "admin@cpi-roma-est.example", "Marta Bianchi"),
    ("Centro per l'impiego Roma Est", "operator", "operatore@cpi-roma-est.example", "Luca Ferri"),
    ("Casa dei Diritti ODV", "org_admin", "admin@casadeidiritti.example", "Samira Haddad"),
    ("Casa dei Diritti ODV", "operator", "operatrice@casadeidiritti.example", "Elena Russo"),
    ("Scuola Edile Lazio", "org_admin", "admin@scuolaedile.example", "Giorgio Marini"),
    ("Scuola Edile Lazio", "provider", "corsi@scuolaedile.example", "Paolo Conti"),
    ("CGIL Roma e Lazio", "org_admin", "admin@cgil-roma.example", "Anna De Luca"),
]


def _token(client: httpx.Client, email: str, password: str) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _organization_ids(client: httpx.Client, token: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = client.get(
            "/api/v1/organizations",
            params={"limit": 200, **({"cursor": cursor} if cursor else {})},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        ids.update({item["name"]: item["id"] for item in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return ids


# The intake issue's example person, then invented people drawn from the synthetic population.
AHMED: dict[str, Any] = {**EXAMPLE, "external_id": "demo-ahmed"}
DEMO_MUNICIPALITIES = ("Roma", "Latina", "Napoli", "Caserta", "Milano", "Torino")


def _demo_people(count: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    from tools.synthetic_people import people

    found = []
    for index, person in enumerate(people(count * 6, seed=seed)):
        if person["municipality"] not in DEMO_MUNICIPALITIES:
            continue
        found.append(
            {
                **person,
                "birth_date": person["birth_date"].isoformat(),
                "arrival_date": person["arrival_date"].isoformat(),
                "external_id": f"{prefix}-{index}",
            }
        )
        if len(found) == count:
            break
    return found


def _register(client: httpx.Client, token: str, items: list[dict[str, Any]]) -> list[str]:
    answer = client.post(
        "/api/v1/beneficiaries/batch",
        json={"items": items},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    return [
        result["id"]
        for result in answer.json()["results"]
        if result["status"] in ("created", "possible_duplicate")
    ]


def _share(client: httpx.Client, token: str, beneficiary_id: str, organization_id: str) -> None:
    client.post(
        f"/api/v1/beneficiaries/{beneficiary_id}/consents",
        json={
            "purpose": "sharing",
            "organization_id": organization_id,
            "sections": ["identity", "profile"],
            "text_version": "demo-consent-it-2026",
            "collection_method": "paper_signed",
        },
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()


def load_people(client: httpx.Client, organizations: dict[str, str]) -> None:
    """About forty people at the employment centre, a dozen at the NGO; five of the centre's
    shared with the NGO; the centre's pathways, notes, referrals, documents, appointments and
    tasks, a case the NGO asks it to take over, and an AMIF project with thirty participants.
    Only on first load (external ids make a second load a no-op)."""
    centre = _token(client, "operatore@cpi-roma-est.example", DEMO_PASSWORD)
    ngo = _token(client, "operatrice@casadeidiritti.example", DEMO_PASSWORD)
    school = _token(client, "corsi@scuolaedile.example", DEMO_PASSWORD)
    demo_matching.publish_offers(client, school)
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    centre_people = [
        demo_matching.with_skills(person, rng)
        for person in _demo_people(40, seed=7, prefix="demo-cpi")
    ]
    created = _register(client, centre, [AHMED, *centre_people])
    for beneficiary_id in created[:5]:
        _share(client, centre, beneficiary_id, organizations["Casa dei Diritti ODV"])
    for beneficiary_id in created[:30]:
        demo_matching.consent_to_matching(client, centre, beneficiary_id)
    ngo_people = _register(client, ngo, _demo_people(12, seed=11, prefix="demo-ngo"))
    if len(created) > 14 and ngo_people:  # the first load: the centre's day, around the loop
        pathways = demo_casework.load_casework(
            client, centre, school, created, organizations["Scuola Edile Lazio"]
        )
        tokens = {
            "centre": centre,
            "admin": _token(client, "admin@cpi-roma-est.example", DEMO_PASSWORD),
            "ngo": ngo,
        }
        centre_id = organizations["Centro per l'impiego Roma Est"]
        demo_day.load_day(client, tokens, centre_id, created, pathways, ngo_people[0])
        partner = organizations["Casa dei Diritti ODV"]
        demo_funds.load_project(client, tokens["admin"], centre, partner, created)


def _add_user(
    client: httpx.Client, token: str, organization_id: str, role: str, email: str, name: str
) -> None:
    """Made by ``token``'s admin, the user chooses DEMO_PASSWORD at a first sign-in (a second
    load finds them there: 409)."""
    answer = client.post(
        "/api/v1/users",
        json={
            "email": email,
            "full_name": name,
            "password": _FIRST_PASSWORD,
            "roles": [role],
            "organization_id": organization_id,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    if answer.status_code == 409:
        return
    answer.raise_for_status()
    client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": email,
            "password": _FIRST_PASSWORD,
            "new_password": DEMO_PASSWORD,
        },
    ).raise_for_status()


def load_demo(
    gateway_url: str, admin_email: str, admin_password: str
) -> list[tuple[str, str, str]]:
    """Create the demo organisations and users; returns (role, e-mail, password) to print. The
    platform admin adds the organisations and their first org admins; those add their staff,
    and the staff register the people (the platform admin works on no one's data)."""
    with httpx.Client(base_url=gateway_url, timeout=30.0) as client:
        root = _token(client, admin_email, admin_password)
        for organization in ORGANIZATIONS:
            answer = client.post(
                "/api/v1/organizations",
                json=organization,
                headers={"Authorization": f"Bearer {root}"},
            )
            if answer.status_code not in (201, 409):
                answer.raise_for_status()
        ids = _organization_ids(client, root)
        admins = {}
        for organization_name, role, email, name in USERS:
            if role == "org_admin":
                _add_user(client, root, ids[organization_name], role, email, name)
                admins[organization_name] = _token(client, email, DEMO_PASSWORD)
        for organization_name, role, email, name in USERS:
            if role != "org_admin":
                admin = admins[organization_name]
                _add_user(client, admin, ids[organization_name], role, email, name)
        load_people(client, ids)
        cluster_id = demo_cluster.load_cluster(client, root, ids, _add_user, _token, DEMO_PASSWORD)
        if cluster_id is not None:
            demo_cluster.load_service_points(client, admins, cluster_id)
    coordinator = ("cluster_coordinator", demo_cluster.COORDINATOR[0], DEMO_PASSWORD)
    return [(role, email, DEMO_PASSWORD) for _org, role, email, _name in USERS] + [coordinator]
