"""A territorial profile's values (pure): reading the CSV form, line by line, into the same
fields as the JSON form, and the figures derived from counts (per 1,000 residents)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.auth import ORGANIZATION_SIDE_ROLES, Principal, Role

CSV_COLUMNS = (
    "kind",
    "variable",
    "value",
    "unit",
    "reference_year",
    "source",
    "source_url",
)
FOREIGN_RESIDENTS = "foreign_residents"
PROFILE_READERS = ORGANIZATION_SIDE_ROLES | {Role.CLUSTER_COORDINATOR}


class BadHeader(ValueError):
    """The CSV's first line is not ``CSV_COLUMNS``."""


def csv_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, fields) per data line of a profile CSV; empty cells become absent fields
    and a value that reads as a number becomes one."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(cell.strip().lower() for cell in header) != CSV_COLUMNS:
        raise BadHeader(f"the first line must be {','.join(CSV_COLUMNS)}")
    records = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        fields: dict[str, Any] = {
            name: cell.strip()
            for name, cell in zip(CSV_COLUMNS, cells, strict=False)
            if cell.strip()
        }
        if len(cells) > len(CSV_COLUMNS):
            fields["extra_columns"] = cells[len(CSV_COLUMNS) :]
        if "value" in fields:
            fields["value"] = as_number(fields["value"])
        records.append((reader.line_num, fields))
    return records


def as_number(value: str) -> Decimal | str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return number if number.is_finite() else value


def per_thousand(count: int, residents: float | None) -> float | None:
    """``count`` per 1,000 residents, to two decimals; none without a positive population."""
    if residents is None or residents <= 0:
        return None
    return round(count * 1000 / residents, 2)


def reads_profiles(principal: Principal) -> bool:
    """Every organisation-side role, a cluster's coordinator and the platform admin; never a
    person's own account."""
    if principal.has(Role.BENEFICIARY):
        return False
    return principal.is_platform_admin or principal.acts_as(*PROFILE_READERS)


def may_coordinate(principal: Principal) -> bool:
    return principal.acts_as(Role.CLUSTER_COORDINATOR)
