"""Is this newly registered person someone already registered? Pure rules, no I/O.

Two steps, as in any record linkage:

1. ``blocking_keys``: a handful of strings per person, stored in a GIN-indexed ``text[]`` column;
   candidates are the rows with ``blocking_keys && :keys``, never a scan of the table. Every key
   joins name skeletons (see ``names.skeleton``) with part of the birth date, so that a block
   holds a small share of the population and grows with it only as ``n / number of dates``:
   - ``y:<skeleton>+<skeleton>:<year>``: given and family name skeletons, sorted (swapped names
     meet), with the birth year: transliterations, a missing surname, day/month slips;
   - ``m:<skeleton>+<skeleton>:<dd>-<mm>``: the same with day and month in sorted order and no
     year: a mistyped birth year;
   - ``d:<skeleton>:<year>-<dd>-<mm>``: one name skeleton with the full date, day and month
     sorted: a typo in the other name;
   - ``i:<initial><initial>:<year>-<dd>-<mm>``: both initials with that date: typos in both.
   Each name gives two skeletons: its first word that is not a particle (so "García López" meets
   "García", "El Amrani" meets "Amrani") and all its words written as one ("El Sayed" meets
   "Elsayed", "Abdel Karim" meets "Abdelkarim"). Without a birth date only ``n:<pair>`` keys are
   made, which meet other records without one (the API requires a birth date).
2. ``score``: a weighted agreement of the fields that both records have, times a penalty for each
   clear contradiction; every factor is reported in plain English in ``Match.reasons``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from services.intake.domain.names import known_distinct, normalize, skeleton

DEFAULT_THRESHOLD = 0.8

# Words that open many family names and would make broad keys on their own.
PARTICLES = frozenset(
    "el al ad as ar an at ash ben bin ibn ould bou abu abou ait de del della di da do dos das du "
    "la le los las van von y abd abdel abdul abdal abdoul".split()
)

WEIGHTS = {
    "given name": 0.25,
    "family name": 0.25,
    "birth date": 0.30,
    "sex": 0.08,
    "nationality": 0.06,
    "country of birth": 0.06,
}
TRANSLITERATION = 0.92  # floor for two spellings with one skeleton
DIFFERENT = 0.6  # ceiling for names that are not the same name
CONTRADICTION = 0.6  # factor when a name differs
DISTANT_YEARS = 0.5  # factor when birth years are more than one apart
TYPO_YEARS = 0.75  # factor when they are, but one mistyped digit would explain it
OTHER_SEX = 0.5  # factor for male against female
SWAPPED = 0.98  # prefer the straight reading when both fit
RESPLIT = 0.95  # words moved between given and family name


@dataclass(frozen=True)
class PersonKey:
    given_name: str
    family_name: str
    birth_date: date | None
    sex: str | None  # "female" | "male" | "other" | "undisclosed" | None
    nationality: str | None  # ISO 3166-1 alpha-2
    country_of_birth: str | None


@dataclass(frozen=True)
class Match:
    score: float  # 0..1
    reasons: list[str]
    likely: bool  # score >= DEFAULT_THRESHOLD


def _handles(name: str) -> tuple[str, str] | None:
    """Skeletons of the name's first word that is not a particle, and of all its words as one."""
    words = normalize(name).split()
    if not words:
        return None
    main = next((word for word in words if word not in PARTICLES), words[0])
    return skeleton(main), skeleton("".join(words))


def _pair(one: str, other: str) -> str:
    return "+".join(sorted((one, other)))  # sorted, so that swapped names meet


def blocking_keys(person: PersonKey) -> list[str]:
    """At most 11 keys; a pair of duplicates of the kinds the tests list shares at least one."""
    given, family = _handles(person.given_name), _handles(person.family_name)
    if given and family:
        pairs = {_pair(one, other) for one in given for other in family}
        # First word with first word, all with all: enough when only one thing differs.
        straight = {_pair(given[0], family[0]), _pair(given[1], family[1])}
    else:
        pairs = straight = set(given or family or ())
    if person.birth_date is None:
        return sorted(f"n:{pair}" for pair in pairs)  # meets only others without a date
    born = person.birth_date
    day_month = "-".join(f"{number:02d}" for number in sorted((born.month, born.day)))
    when = f"{born.year}-{day_month}"
    keys = {f"y:{pair}:{born.year}" for pair in pairs}
    keys.update(f"m:{pair}:{day_month}" for pair in straight)  # a mistyped year
    keys.update(f"d:{handle}:{when}" for handle in {*(given or ()), *(family or ())})
    initials = "".join(sorted(names[1][0] for names in (given, family) if names))
    if initials:
        keys.add(f"i:{initials}:{when}")  # mistyped names, both of them
    return sorted(keys)


# --- comparing names -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Likeness:
    value: float
    kind: str  # "same", "transliteration", "typo", "spacing", "missing", "different", ...

    @property
    def agrees(self) -> bool:
        return self.kind not in ("different", "different names")


_SAME = _Likeness(1.0, "same")
_RANK = {"same": 0, "spacing": 1, "transliteration": 2, "typo": 3}


def _allowed_edits(first: str, second: str) -> int:
    shortest = min(len(first), len(second))
    return 0 if shortest <= 3 else 1 if shortest <= 5 else 2


@lru_cache(maxsize=65536)
def _words(first: str, second: str) -> _Likeness:
    """Two normalised words (or two names written as one word)."""
    if first == second:
        return _SAME
    if known_distinct(first, second):
        return _Likeness(0.0, "different names")
    jaro = JaroWinkler.similarity(first, second)
    one, other = skeleton(first), skeleton(second)
    if one == other:
        return _Likeness(max(TRANSLITERATION, jaro), "transliteration")
    edits = OSA.distance(first, second)
    if edits <= _allowed_edits(first, second):
        return _Likeness(max(jaro, 0.9 - 0.05 * edits), "typo")
    return _Likeness(min(jaro, DIFFERENT), "different")


def _aligned(short: list[str], long: list[str]) -> _Likeness:
    """Pair each word of the shorter name with its best unused word of the longer one."""
    free = list(long)
    found: list[_Likeness] = []
    for word in short:
        best = max(free, key=lambda other: _words(word, other).value)
        found.append(_words(word, best))
        free.remove(best)
    mean = sum(item.value for item in found) / len(found)
    if not all(item.agrees for item in found):
        worst = min(found, key=lambda item: item.value)
        return _Likeness(min(mean, DIFFERENT), worst.kind)
    if len(short) < len(long):
        return _Likeness(mean * 0.95, "missing")
    return _Likeness(mean, max((item.kind for item in found), key=lambda kind: _RANK[kind]))


def _names(first: list[str], second: list[str]) -> _Likeness:
    if first == second:
        return _SAME
    joined, other_joined = "".join(first), "".join(second)
    if joined == other_joined:
        return _Likeness(0.98, "spacing")
    short, long = sorted((first, second), key=len)
    by_word = _aligned(short, long)
    if len(first) == len(second):
        return by_word
    # Split differently ("Abd El Karim" / "Abdelkarim"): also compare the names as one word.
    as_one = _words(joined, other_joined)
    return as_one if as_one.agrees and as_one.value >= by_word.value else by_word


_KIND_TEXT = {
    "transliteration": "transliteration",
    "typo": "typo",
    "spacing": "spacing or punctuation",
    "missing": "a name missing on one record",
}


def _name_reason(field: str, first: str, second: str, likeness: _Likeness) -> str:
    if likeness.kind == "same":
        same = first.strip() == second.strip()
        if same:
            return f"same {field} '{first}'"
        return f"{field} '{first}' = '{second}' (accents or punctuation)"
    if not likeness.agrees:
        return f"{field}s differ: '{first}' / '{second}' ({likeness.kind})"
    return f"{field} '{first}' ~ '{second}' ({_KIND_TEXT[likeness.kind]})"


# --- comparing the rest ----------------------------------------------------------------------


def _birth_dates(first: date, second: date) -> tuple[float, str, float]:
    """Agreement, reason, contradiction factor."""
    if first == second:
        return 1.0, "same birth date", 1.0
    if first.year == second.year and (first.month, first.day) == (second.day, second.month):
        return 0.9, "birth date day and month swapped", 1.0
    gap = abs(first.year - second.year)
    same_day = (first.month, first.day) == (second.month, second.day)
    if OSA.distance(first.strftime("%Y%m%d"), second.strftime("%Y%m%d")) == 1:
        if gap <= 1:
            return 0.85, "birth dates differ by one digit (or two adjacent digits swapped)", 1.0
        if (first.month, first.day) != (1, 1):
            return 0.6, f"birth years differ by one digit ({first.year} / {second.year})", 1.0
        # 1965-01-01 / 1995-01-01: a slip of one key, or a father and son both given the
        # placeholder date.
        return 0.2, f"birth years {gap} apart, both on 1 January (one digit differs)", TYPO_YEARS
    if gap == 0:
        if (1, 1) in ((first.month, first.day), (second.month, second.day)):
            return 0.6, "same birth year, 1 January on one record (often a placeholder)", 1.0
        return 0.1, "same birth year, different day", 1.0
    if gap == 1:
        if same_day:
            return 0.6, "birth years one apart, same day and month", 1.0
        return 0.05, "birth years one apart", 1.0
    return 0.0, f"birth years {gap} apart", DISTANT_YEARS


def _codes(field: str, first: str | None, second: str | None) -> tuple[float, str] | None:
    if not first or not second:
        return None
    if first == second:
        return 1.0, f"same {field} ({first})"
    return 0.0, f"{field} differs ({first} / {second})"


@dataclass
class _Tally:
    reasons: list[str]
    total: float = 0.0
    weight: float = 0.0
    factor: float = 1.0

    def add(self, field: str, value: float, reason: str | None, factor: float = 1.0) -> None:
        self.total += WEIGHTS[field] * value
        self.weight += WEIGHTS[field]
        self.factor *= factor
        if reason:
            self.reasons.append(reason)

    @property
    def score(self) -> float:
        return 0.0 if not self.weight else min(1.0, self.total / self.weight * self.factor)


def _reading(a: PersonKey, b: PersonKey, orientation: str) -> _Tally:
    """The names of ``a`` and ``b`` read straight, swapped, or as one full name."""
    tally = _Tally(reasons=[])
    a_given, a_family = normalize(a.given_name).split(), normalize(a.family_name).split()
    b_given, b_family = normalize(b.given_name).split(), normalize(b.family_name).split()
    if orientation == "swapped":
        b_given, b_family = b_family, b_given
        tally.factor, b_raw = SWAPPED, (b.family_name, b.given_name)
        tally.reasons.append("given and family names swapped")
    else:
        b_raw = (b.given_name, b.family_name)
    if orientation == "resplit":
        likeness = _names(a_given + a_family, b_given + b_family)
        tally.factor = RESPLIT
        full_a, full_b = f"{a.given_name} {a.family_name}", f"{b.given_name} {b.family_name}"
        reason = _name_reason("full name", full_a.strip(), full_b.strip(), likeness)
        factor = 1.0 if likeness.agrees else CONTRADICTION
        tally.add("given name", likeness.value, reason + ", split differently", factor)
        tally.add("family name", likeness.value, None)
        return tally
    pairs = (
        ("given name", a_given, b_given, a.given_name, b_raw[0]),
        ("family name", a_family, b_family, a.family_name, b_raw[1]),
    )
    for field, first, second, first_raw, second_raw in pairs:
        if not first or not second:
            where = "one record" if first or second else "both records"
            tally.reasons.append(f"{field} missing on {where}")
            continue
        likeness = _names(first, second)
        factor = 1.0 if likeness.agrees else CONTRADICTION
        reason = _name_reason(field, first_raw.strip(), second_raw.strip(), likeness)
        tally.add(field, likeness.value, reason, factor)
    return tally


def _order(person: PersonKey) -> tuple[str, ...]:
    when = person.birth_date.isoformat() if person.birth_date else ""
    return (
        person.given_name,
        person.family_name,
        when,
        person.sex or "",
        person.nationality or "",
        person.country_of_birth or "",
    )


def score(a: PersonKey, b: PersonKey) -> Match:
    """How likely ``a`` and ``b`` are one person, with the reasons; symmetric."""
    if _order(b) < _order(a):  # one order of comparison makes score(a, b) == score(b, a)
        a, b = b, a
    readings = [_reading(a, b, orientation) for orientation in ("straight", "swapped", "resplit")]
    tally = max(readings, key=lambda reading: reading.score)
    if a.birth_date is not None and b.birth_date is not None:
        tally.add("birth date", *_birth_dates(a.birth_date, b.birth_date))
    elif a.birth_date is not None or b.birth_date is not None:
        tally.reasons.append("birth date missing on one record")
    if {a.sex, b.sex} <= {"female", "male"}:
        same = a.sex == b.sex
        text = f"same sex ({a.sex})" if same else f"sex differs ({a.sex} / {b.sex})"
        tally.add("sex", float(same), text, 1.0 if same else OTHER_SEX)
    for field, first, second in (
        ("nationality", a.nationality, b.nationality),
        ("country of birth", a.country_of_birth, b.country_of_birth),
    ):
        compared = _codes(field, first, second)
        if compared is not None:
            tally.add(field, *compared)
    value = round(tally.score, 4)
    if not tally.weight:
        return Match(0.0, ["nothing to compare"], False)
    return Match(value, tally.reasons, value >= DEFAULT_THRESHOLD)
