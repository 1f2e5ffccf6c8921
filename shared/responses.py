"""JSON responses built from already-validated data, and reports as JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shared import json_codec
from shared.etags import etag


def json_response(
    body: Any,
    status_code: int = 200,
    *,
    version: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Bodies built from already-validated stored documents go out as they are (re-validating a
    page of full records through the response model costs more than the query)."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = etag(version)
    return Response(
        json_codec.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers=all_headers,
    )


# A report's 200 in the OpenAPI document: JSON, or CSV when ``Accept`` asks for it.
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}
}


def json_or_csv_responses(model: Any) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a report answered by :func:`json_or_csv`: ``model`` (a model or a union
    of them) in JSON, or CSV."""
    return {200: {"model": model, "content": {"text/csv": {"schema": {"type": "string"}}}}}


def json_or_csv(
    request: Request,
    report: dict[str, Any],
    filename: str,
    rows: Callable[[dict[str, Any]], list[list[str]]],
) -> Response:
    """A report as JSON, or as CSV ``rows(report)`` (the header first) when ``Accept`` asks for
    ``text/csv``, as an attachment named ``filename``."""
    if "text/csv" not in request.headers.get("accept", ""):
        return json_response(report)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows(report))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
