"""Name normalisation shared by search and duplicate detection.

``normalize`` makes names comparable across keyboards and operators: case, accents, apostrophes,
hyphens. Cyrillic and Greek are transliterated to Latin (Ukrainian national system, ELOT 743
simplified) because a person's name is often typed from a passport in one script and from a
residence permit in the other, and both scripts map almost letter for letter. Arabic, Persian and
other scripts are kept as they are (only diacritics and letter-shape variants are folded): their
Latin transcription depends on vowels that the script does not write, so a table would guess.

``skeleton`` is the phonetic key that lets transliteration variants meet: Mohamed / Muhammad,
Youssef / Yusuf, Hussein / Hossein share one. It is deliberately coarse; ``known_distinct`` lists
the few common names that share a skeleton yet are different names (Hassan and Hussein).
"""

from __future__ import annotations

import unicodedata

MAX_PREFIX = 20
MIN_PREFIX = 2

_APOSTROPHES = frozenset("'’‘ʼʻ`´′ʹʾʿ")
# Latin letters that NFKD does not decompose.
_LATIN_EXTRA = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
# Ukrainian national transliteration (Г is h, Ґ is g; Є Ї Й Ю Я differ at the start of a word),
# plus the letters only Russian uses.
_CYRILLIC_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёыэъ"
_CYRILLIC_LATIN = (
    "a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch sh shch _ iu ia yo y e _"
)
_CYRILLIC = dict(zip(_CYRILLIC_LETTERS, _CYRILLIC_LATIN.split(), strict=True))
_WORD_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split(),
        strict=True,
    )
)
# Persian and Arabic letter shapes of one letter; tatweel is decoration.
_ARABIC = {"ی": "ي", "ى": "ي", "ک": "ك", "ة": "ه", "ـ": ""}
_SCRIPT = {**_CYRILLIC, **_GREEK, **_ARABIC, **_LATIN_EXTRA}


def _transliterate(text: str) -> str:
    out: list[str] = []
    previous = ""
    for char in text:
        inside = previous.isalpha() or previous in _APOSTROPHES
        mapped = (
            _SCRIPT.get(char, char) if inside else _WORD_INITIAL.get(char, _SCRIPT.get(char, char))
        )
        out.append("" if mapped == "_" else mapped)
        previous = char
    return "".join(out)


def normalize(text: str) -> str:
    """Casefolded, accents stripped, apostrophes dropped, other punctuation a single space.

    >>> normalize("  José-María  O'Neill ")
    'jose maria oneill'
    >>> normalize("N'Diaye"), normalize("El-Sayed"), normalize("Олександр"), normalize("Юлія")
    ('ndiaye', 'el sayed', 'oleksandr', 'yuliia')
    """
    folded = _transliterate(unicodedata.normalize("NFC", text).casefold())
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", folded):
        if unicodedata.combining(char) or char in _APOSTROPHES:
            continue
        kept.append(char if char.isalnum() else " ")
    # NFKD can expose letters of the tables (Cyrillic "ѐ" is "е" and a grave): map once more.
    return " ".join(_transliterate("".join(kept)).split())


def name_tokens(given_name: str, family_name: str) -> list[str]:
    """The normalised words of both names, given name first."""
    return normalize(f"{given_name} {family_name}").split()


def _forms(given_name: str, family_name: str) -> set[str]:
    """Every word, plus each multi-word name written as one ("elsayed" finds "El Sayed")."""
    forms = set(name_tokens(given_name, family_name))
    for name in (given_name, family_name):
        words = normalize(name).split()
        if len(words) > 1:
            forms.add("".join(words))
    return forms


def search_prefixes(given_name: str, family_name: str) -> list[str]:
    """Every prefix of 2..20 characters of every name word (and of each multi-word name written
    as one word), for ``search_prefixes @> query_prefixes(q)``."""
    prefixes = {
        form[:length]
        for form in _forms(given_name, family_name)
        for length in range(MIN_PREFIX, min(len(form), MAX_PREFIX) + 1)
    }
    return sorted(prefixes)


def query_prefixes(q: str) -> list[str]:
    """The query's words as prefixes to look up; words shorter than 2 characters are dropped."""
    words = (word[:MAX_PREFIX] for word in normalize(q).split() if len(word) >= MIN_PREFIX)
    return list(dict.fromkeys(words))


# Spelling conventions that write one sound differently (French "ch" = English "sh"), applied in
# order. "x" ends up meaning "sh", so the letter x is rewritten first; "c" is read after "ch".
_SH_SOUNDS = (("x", "ks"), ("sch", "x"), ("tch", "x"), ("ch", "x"), ("sh", "x"))
_DIGRAPHS = (
    ("dj", "j"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("kh", "k"),
    ("gh", "g"),
    ("ck", "k"),
    ("q", "k"),
    ("z", "s"),
)
_VOWELS = frozenset("aeiouyw")  # w as in Oualid / Walid, Ouattara / Wattara
_LEADING = frozenset("aeiouw")  # an initial y is a consonant (Youssef)
_BACK = frozenset("ouw")
# Abbreviations that stand for a whole name on Bangladeshi and Malaysian documents.
_ABBREVIATIONS = {"md": "mohammad", "mohd": "mohammad", "muhd": "mohammad", "mhd": "mohammad"}


def _soft_c(word: str) -> str:
    """c is s before e, i, y (Cissé / Sissé) and k elsewhere (Coulibaly / Kulibali)."""
    out = []
    for index, char in enumerate(word):
        if char == "c":
            char = "s" if word[index + 1 : index + 2] in ("e", "i", "y") else "k"
        out.append(char)
    return "".join(out)


def _collapse(word: str) -> str:
    return "".join(char for index, char in enumerate(word) if index == 0 or char != word[index - 1])


def skeleton(token: str) -> str:
    """A coarse phonetic key: spelling conventions folded, doubled letters collapsed, vowels
    dropped except two markers.

    - a leading vowel becomes "a" (a, e, i) or "u" (o, u, w): Ibrahim / Ebrahim -> "abrhm",
      Oumar / Omar / Umar -> "umr", Aisha / Aicha / Aysha -> "axa";
    - a trailing "a" is kept (Karim "krm" is not Karima "krma") and a trailing i/y becomes "i"
      (the nisba: Ahmad "ahmt" is not Ahmadi "ahmdi");
    - a final "h" is silent (Fatimah -> Fatima) and so is "h" after a consonant; a final "d"
      sounds "t" (Ahmed / Ahmet, Mohamed / Mehmet);
    - so Mohammed / Mohamed / Muhammad / Mohammad / Mohamad -> "mhmt",
      Youssef / Yusuf / Yousef / Youssouf -> "ysf", Hussein / Husain / Hossein / Hocine -> "hsn",
      Fatima / Fatma / Fatimah -> "ftma", Mamadou / Mamadu -> "mmt", Nguyen / Nguyễn -> "ngn",
      El-Sayed / Elsayed -> "alst".

    Scripts other than Latin pass through (normalised) without vowel folding.
    """
    word = "".join(normalize(token).split())
    word = _ABBREVIATIONS.get(word, word)
    if not word or not word.isascii():
        return word
    for written, sound in _SH_SOUNDS:
        word = word.replace(written, sound)
    word = _soft_c(word)
    for written, sound in _DIGRAPHS:
        word = word.replace(written, sound)
    word = _collapse(word.rstrip("h") or word)
    core = word.lstrip("aeiouwy") if word[0] in _LEADING else word
    lead = "" if core == word else ("u" if word[0] in _BACK else "a")
    stem = core.rstrip("aeiouyw")
    tail = core[len(stem) :]
    end = ""
    if stem and tail and set(tail) <= {"i", "y"}:
        end = "i"
    elif stem and tail.endswith("a"):
        end = "a"
    consonants: list[str] = []
    for index, char in enumerate(stem):
        if index and char in _VOWELS:
            continue
        if index and char == "h" and stem[index - 1] not in _VOWELS:
            continue
        consonants.append(char)
    if consonants and consonants[-1] == "d" and not end:
        consonants[-1] = "t"
    return lead + "".join(consonants) + end or word[:1]


# Common names that share a skeleton but are different names: a person is one or the other.
_DISTINCT_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "mohamed mohammed muhammad mohammad mohamad muhammed mouhamed mouhamad muhamad mehmet "
        "md mohd muhd",
        "mahmoud mahmud mahmood mehmood mahamoud mohamud",  # Somali Mohamud is Mahmoud
        "hassan hasan hassane hassen hasen hacen",
        "hussein husein hussain husain hossein hosein husayn houssein hocine houcine hussien",
        "said saeed saied saaid",
        "saad saaed",
        "sayed sayyed sayyid seyed seyyed",
        "amir ameer emir",
        "amr amro amrou",
        "ammar amar",
        "amer aamer",
    )
)
_GROUP_OF = {name: index for index, group in enumerate(_DISTINCT_GROUPS) for name in group}


def known_distinct(first: str, second: str) -> bool:
    """True when both words are spellings of known names and the names are different."""
    one = _GROUP_OF.get("".join(normalize(first).split()))
    other = _GROUP_OF.get("".join(normalize(second).split()))
    return one is not None and other is not None and one != other
