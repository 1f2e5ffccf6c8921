"""The rows of ``make bench SUITES=load`` (``bench/load.py``): the ceilings, what each route costs,
each capacity step, the routes at the capacity found and at the step that broke the budget."""

from __future__ import annotations

from typing import Any

from bench.capacity import BUDGET_P99_MS, OPERATOR_CALLS_PER_HOUR

PROXIED = "GET /api/v1/code-lists/sexes"


def report(
    seed: dict[str, Any],
    ceiling: dict[str, Any],
    proxied: dict[str, Any],
    costs: dict[str, dict[str, Any]],
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    rps = ceiling["requests_per_second"]
    rows: dict[str, Any] = {
        "seed (through the API: offers, batches, consents; then events delivered)": seed,
        "ceiling: hello-world, closed loop": {**ceiling, "ratio_to_ceiling": 1.0},
        f"floor: {PROXIED} (proxied), closed loop": {
            **proxied,
            "ratio_to_ceiling": round(proxied["requests_per_second"] / rps, 3),
        },
    }
    for name, row in costs.items():
        rows[f"cost, one at a time: {name}"] = row
    for result in steps:
        rows[f"step {result['offered_rps']:g}/s: all routes"] = {
            key: value for key, value in result.items() if key not in ("routes", "cores")
        } | {f"cores_{name}": cores for name, cores in result["cores"].items()}
    kept = [result for result in steps if result["within_budget"]]
    capacity = kept[-1] if kept else None
    rows["capacity: highest rate within the budget"] = {
        "budget_p99_ms": BUDGET_P99_MS,
        "rate_rps": capacity["offered_rps"] if capacity else 0,
        "served_rps": capacity["requests_per_second"] if capacity else 0,
        "cpu_ms_per_request": capacity["cpu_ms_per_request"] if capacity else None,
        "operators_at_peak": round(capacity["requests_per_second"] * 3600 / OPERATOR_CALLS_PER_HOUR)
        if capacity
        else 0,
        "broken_at_rps": steps[-1]["offered_rps"]
        if steps and not steps[-1]["within_budget"]
        else None,
    }
    shown = [capacity] if capacity else []
    if steps and not steps[-1]["within_budget"]:
        shown.append(steps[-1])
    for result in shown:
        total = sum(route["requests"] for route in result["routes"].values()) or 1
        for name, route in sorted(result["routes"].items(), key=lambda item: -item[1]["requests"]):
            rows[f"at {result['offered_rps']:g}/s: {name}"] = {
                **route,
                "share": round(route["requests"] / total, 3),
            }
    return rows
