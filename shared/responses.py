"""JSON responses built from already-validated data."""

from __future__ import annotations

from typing import Any

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
