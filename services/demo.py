"""Demo data for ``make run``, loaded through the public API like any client would (so it also
proves the API works). Idempotent: running it on an existing demo database changes nothing."""

from __future__ import annotations

import httpx

DEMO_PASSWORD = "ponte-demo-2026"  # noqa: S105 - printed for the local demo on purpose

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
    ("Scuola Edile Lazio", "provider", "corsi@scuolaedile.example", "Paolo Conti"),
]


def _token(client: httpx.Client, email: str, password: str) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _organization_ids(client: httpx.Client) -> dict[str, str]:
    ids: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = client.get(
            "/api/v1/organizations", params={"limit": 200, **({"cursor": cursor} if cursor else {})}
        ).json()
        ids.update({item["name"]: item["id"] for item in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def load_demo(
    gateway_url: str, admin_email: str, admin_password: str
) -> list[tuple[str, str, str]]:
    """Create the demo organisations and users; returns (role, e-mail, password) to print."""
    with httpx.Client(base_url=gateway_url, timeout=30.0) as client:
        client.headers["Authorization"] = f"Bearer {_token(client, admin_email, admin_password)}"
        for organization in ORGANIZATIONS:
            answer = client.post("/api/v1/organizations", json=organization)
            if answer.status_code not in (201, 409):
                answer.raise_for_status()
        ids = _organization_ids(client)
        for organization_name, role, email, name in USERS:
            answer = client.post(
                "/api/v1/users",
                json={
                    "email": email,
                    "full_name": name,
                    "password": DEMO_PASSWORD,
                    "roles": [role],
                    "organization_id": ids[organization_name],
                },
            )
            if answer.status_code not in (201, 409):
                answer.raise_for_status()
    return [(role, email, DEMO_PASSWORD) for _org, role, email, _name in USERS]
