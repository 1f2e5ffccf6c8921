"""``/api/v1/code-lists/{name}`` for the pathways service's codes, labelled in the operator's
language, and ``/internal/code-lists``, its part of the gateway's index. The routes are the shared
ones (``shared/code_lists/api.py``) over the lists of ``code_lists/``."""

from __future__ import annotations

from services.pathways.code_lists import CATALOGUE
from shared.code_lists.api import internal_router, public_router

router = public_router(CATALOGUE)
internal = internal_router(CATALOGUE)
