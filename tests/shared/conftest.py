"""The merged OpenAPI document, built once per test process: building it creates the four apps
(seconds on a busy machine) and several tests read it."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from tools.stack import openapi_document


@functools.cache
def _merged_json() -> str:
    return json.dumps(openapi_document())


@pytest.fixture
def merged_openapi() -> dict[str, Any]:
    """A fresh copy (as JSON would give it): a test may change its own."""
    document: dict[str, Any] = json.loads(_merged_json())
    return document
