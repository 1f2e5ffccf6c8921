"""Search keys for ESCO labels: what the importer stores and what the search compares with.

Matching keeps its own small normaliser rather than importing intake's (services do not import
each other); labels need less than names do: no transliteration between scripts, because every
ESCO language is searched in its own labels.
"""

from __future__ import annotations

import unicodedata

# Dropped rather than turned into a space, so "customers’ needs" is found by "customers needs".
_APOSTROPHES = frozenset("'’‘ʼ`´")
# Latin letters that NFKD does not decompose (ESCO has Danish, Norwegian, Polish... labels).
_LATIN_EXTRA = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def search_key(label: str) -> str:
    """Case folded, accents stripped, apostrophes dropped, any other punctuation or run of spaces
    a single space.

    >>> search_key("  Maître d'Hôtel "), search_key("CAFÉ"), search_key("pick‐up  truck")
    ('maitre dhotel', 'cafe', 'pick up truck')
    >>> search_key("Ελληνικά")
    'ελληνικα'
    """
    folded = unicodedata.normalize("NFKD", label.casefold().translate(_LATIN_EXTRA))
    kept = []
    for char in folded:
        if unicodedata.combining(char) or char in _APOSTROPHES:
            continue
        kept.append(char if char.isalnum() else " ")
    return " ".join("".join(kept).split())


def prefix_upper_bound(key: str) -> str:
    """The smallest string greater than every string that starts with ``key``, in code point
    order (which is UTF-8 byte order, the order of ``text_pattern_ops``): ``key <= s < bound``
    is "s starts with key" as an index range, also in a prepared statement's generic plan,
    where ``LIKE $1`` could not use the index."""
    last = ord(key[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates cannot be encoded; jump over them
        last = 0xE000
    return key[:-1] + chr(last)


def display_label(label: str) -> str:
    """A label as shown: the files have non-breaking and doubled spaces inside labels."""
    return " ".join(label.split())
