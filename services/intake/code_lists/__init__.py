"""The intake code lists: curated, multilingual reference data every Ponte client needs.

Pure code over packaged JSON (``data/``) and pycountry; nothing here touches the database.
"""

from services.intake.code_lists.loader import (
    CodeList,
    CodeListError,
    UnknownCodeList,
    get_code_list,
    list_names,
)
from shared.code_lists.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language, negotiate

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "CodeList",
    "CodeListError",
    "Language",
    "UnknownCodeList",
    "get_code_list",
    "list_names",
    "negotiate",
]
