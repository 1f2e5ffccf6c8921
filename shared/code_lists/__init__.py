"""Code lists: the codes a client stores and the labels it shows, in en, it, es, fr and el.

What every service needs to serve its own lists (``GET /api/v1/code-lists/{name}``): the list's
shape and checks (:mod:`.model`), language negotiation (:mod:`.i18n`), pre-serialised bodies
(:mod:`.render`), the routes (:mod:`.api`) and the labels of an enum (:mod:`.enums`).
"""

from shared.code_lists.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language, negotiate
from shared.code_lists.model import (
    LOCALISED_FIELDS,
    CodeList,
    CodeListError,
    Entry,
    UnknownCodeList,
    validate,
)
from shared.code_lists.render import Catalogue

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALISED_FIELDS",
    "Catalogue",
    "CodeList",
    "CodeListError",
    "Entry",
    "Language",
    "UnknownCodeList",
    "negotiate",
    "validate",
]
