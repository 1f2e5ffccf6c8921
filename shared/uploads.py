"""The routes whose request carries a file, and so a larger body limit than the rest
(``PONTE_MAX_UPLOAD_BYTES`` rather than ``PONTE_MAX_BODY_BYTES``). One list for the gateway and
the owning service, so the two agree: a route added here streams through both."""

from __future__ import annotations

import re
from typing import Final

_UPLOADS: Final = (re.compile(r"^/api/v1/beneficiaries/[^/]+/documents/?$"),)


def takes_a_file(method: str, path: str) -> bool:
    return method == "POST" and any(pattern.match(path) for pattern in _UPLOADS)
