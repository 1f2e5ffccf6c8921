"""``/api/v1/code-lists/{name}``: the reference lists (countries, permit types, CEFR levels, ...)
that every client needs to fill in and display an intake, labelled in the operator's language;
and ``/internal/code-lists``, intake's part of the gateway's index. The routes are the shared ones
(``shared/code_lists/api.py``) over intake's catalogue."""

from __future__ import annotations

from services.intake.code_lists.render import CATALOGUE
from shared.code_lists.api import internal_router, public_router

router = public_router(CATALOGUE)
internal = internal_router(CATALOGUE)
