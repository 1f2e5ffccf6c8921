"""The demo's cluster: MEIC Roma, coordinated by the municipality's social policies department,
with the demo organisations as members, their commitments, service points of every kind over
Rome's municipalities and a territorial profile, so that the dashboard and the territorial
analysis show something real at first start (the people come from ``tools.demo``, whose
residence reads as a territory code from the municipality's name). Loaded through the public API;
a second load finds the cluster there and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx

ROMA = "IT_058091"
CLUSTER = "MEIC Roma"
COORDINATOR_ORGANIZATION = "Comune di Roma - Politiche sociali"
COORDINATOR = ("coordinamento@comune.roma.example", "Giulia Santoro")
MEMBERS = {
    "Centro per l'impiego Roma Est": ["employment_service"],
    "Casa dei Diritti ODV": ["legal_support", "low_threshold_service"],
    "Scuola Edile Lazio": ["training_provider"],
    "CGIL Roma e Lazio": ["trade_union", "legal_support"],
}
COMMITMENTS = [
    ("Scuola Edile Lazio", "seats_offered", "training", 24, "24 seats in site-safety courses"),
    ("Scuola Edile Lazio", "referrals_answered", None, 40, "answer every referral within a week"),
    (
        "Centro per l'impiego Roma Est",
        "other",
        None,
        2,
        "job desk in Italian and Arabic, twice a week",
    ),
    ("Casa dei Diritti ODV", "other", None, 1, "legal desk on permits every Tuesday"),
]
# (organisation, name, kind, needs, tier, municipality code, minutes from Termini, languages)
SERVICE_POINTS: list[tuple[str, str, str, list[str], str, str, int, list[str]]] = [
    ("Centro per l'impiego Roma Est", "CPI Roma Est - Tor Bella Monaca", "public_employment_centre",
     ["employment"], "structured", ROMA, 45, ["it", "en"]),
    ("Centro per l'impiego Roma Est", "Sportello lavoro Pigneto", "job_desk",
     ["employment", "income"], "intermediate", ROMA, 20, ["it", "ar"]),
    ("Casa dei Diritti ODV", "Sportello migranti Esquilino", "legal_aid",
     ["documents_legal", "housing"], "low_threshold", ROMA, 5, ["it", "ar", "bn", "en"]),
    ("Casa dei Diritti ODV", "Help desk Fiumicino", "low_threshold_help_desk",
     ["documents_legal", "income"], "low_threshold", "IT_058120", 40, ["it", "en", "fr"]),
    ("Casa dei Diritti ODV", "Ambulatorio solidale Centocelle", "health",
     ["health"], "low_threshold", ROMA, 25, ["it", "ar", "ti"]),
    ("Scuola Edile Lazio", "Scuola Edile - sede di Pomezia", "training_centre",
     ["training", "employment"], "structured", "IT_058079", 50, ["it"]),
    ("Scuola Edile Lazio", "Scuola di italiano Tiburtina", "language_school",
     ["language"], "intermediate", ROMA, 15, ["it", "en", "ar"]),
    ("CGIL Roma e Lazio", "Sportello casa CGIL", "housing",
     ["housing"], "intermediate", ROMA, 10, ["it", "en"]),
]  # fmt: skip
# Nobody in the cluster answers childcare, transport or digital skills: the analysis shows them
# as gaps wherever people have those needs.
PROFILE: list[tuple[str, str, float | str, str | None, int, str]] = [
    ("social", "foreign_residents", 520_000, "people", 2024,
     "ISTAT, Popolazione straniera residente"),
    ("social", "employment_centres", 17, "centres", 2024, "Regione Lazio, rete dei CPI"),
    ("socio_economic", "active_enterprises", 355_000, "enterprises", 2023,
     "Camera di Commercio di Roma"),
    ("socio_economic", "unemployment_rate_foreign", 12.4, "%", 2023,
     "ISTAT, Rilevazione forze di lavoro"),
    ("institutional", "regional_integration_plan",
     "Piano regionale per l'integrazione 2024-2026", None, 2024, "Regione Lazio"),
]  # fmt: skip


def _ok(answer: httpx.Response) -> Any:
    answer.raise_for_status()
    return answer.json() if answer.content else None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def load_cluster(
    client: httpx.Client,
    root: str,
    organizations: dict[str, str],
    add_user: Any,
    sign_in: Any,
    password: str,
) -> str | None:
    """The cluster, its members, commitments and profile, once: its id, or None when an earlier
    load made it. The coordinator signs in with ``password``."""
    coordinator_org = organizations[COORDINATOR_ORGANIZATION]
    email, name = COORDINATOR
    add_user(client, root, coordinator_org, "cluster_coordinator", email, name)
    coordinator = _bearer(sign_in(client, email, password))
    created = client.post(
        "/api/v1/clusters",
        json={
            "name": CLUSTER,
            "description": "Public and private organisations of Rome cooperating on the labour "
            "integration of third-country nationals (MEIC method).",
            "territory_codes": ["ITI43"],
            "target_group": "Third-country nationals of working age living in Rome's province",
            "sector_focus": ["construction", "hospitality", "care"],
            "status": "active",
            "coordinator_organization_id": coordinator_org,
        },
        headers=coordinator,
    )
    if created.status_code == 409:
        return None
    cluster_id = _ok(created)["id"]
    base = f"/api/v1/clusters/{cluster_id}"
    for member, roles in MEMBERS.items():
        body: dict[str, Any] = {
            "organization_id": organizations[member],
            "roles": roles,
            "joined_on": "2026-01-15",
        }
        _ok(client.post(f"{base}/members", json=body, headers=coordinator))
    for member, kind, offer_type, quantity, description in COMMITMENTS:
        body = {
            "organization_id": organizations[member],
            "kind": kind,
            "offer_type": offer_type,
            "quantity": quantity,
            "description": description,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        }
        _ok(client.post(f"{base}/commitments", json=body, headers=coordinator))
    _ok(
        client.post(
            "/api/v1/territories/ITI43/profiles",
            json=[
                {
                    "kind": kind,
                    "variable": variable,
                    "value": value,
                    "unit": unit,
                    "reference_year": year,
                    "source": source,
                }
                for kind, variable, value, unit, year, source in PROFILE
            ],
            headers=coordinator,
        )
    )
    return str(cluster_id)


def load_service_points(client: httpx.Client, admins: dict[str, str], cluster_id: str) -> None:
    """Each member's org admin publishes its points to the cluster."""
    for member, name, kind, needs, tier, code, minutes, languages in SERVICE_POINTS:
        body = {
            "name": name,
            "kind": kind,
            "need_domains": needs,
            "tier": tier,
            "territory_code": code,
            "access_mode": "drop_in" if tier == "low_threshold" else "appointment",
            "languages": languages,
            "cultural_mediators": len(languages) > 2,
            "documents_required": tier == "structured",
            "transport_access": [{"hub": "Roma Termini", "minutes": minutes}],
            "opening_hours": [
                {"weekday": day, "opens": "09:00", "closes": "13:00"} for day in (1, 3, 5)
            ],
            "cluster_ids": [cluster_id],
        }
        _ok(client.post("/api/v1/service-points", json=body, headers=_bearer(admins[member])))
