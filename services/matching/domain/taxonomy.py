"""The ESCO taxonomy as the matching engine sees it: skills, occupations, which skills each
occupation needs (essential or optional), the skill hierarchy and the ISCO groups.

``load_csv`` reads the OFFICIAL ESCO CSV export exactly as users download it from the ESCO portal
(zip archives or the directories they unpack to). Labels span several lines inside quotes, so the
csv module does the reading, never line splitting. Files that are absent are simply skipped: the
engine works on whatever part of ESCO it is given (the committed test subset, the whole v1.1.1).

Acknowledgement required by the reuse policy: "ESCO classification, European Commission, v1.1.1".
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from services.matching.domain.skill_resolution import Label, LabelKind

SKILLS_FILE = "skills_en.csv"
SKILL_GROUPS_FILE = "skillGroups_en.csv"
OCCUPATIONS_FILE = "occupations_en.csv"
ISCO_FILE = "ISCOGroups_en.csv"
RELATIONS_FILE = "occupationSkillRelations.csv"
BROADER_SKILLS_FILE = "broaderRelationsSkillPillar.csv"
FILES = (
    SKILLS_FILE,
    SKILL_GROUPS_FILE,
    OCCUPATIONS_FILE,
    ISCO_FILE,
    RELATIONS_FILE,
    BROADER_SKILLS_FILE,
)


class Skill(NamedTuple):
    label: str
    type: str  # "skill/competence", "knowledge", or "skill group" for the hierarchy's groups


class Occupation(NamedTuple):
    label: str
    isco_group: str  # the 4-digit ISCO-08 unit group, e.g. "7112" (bricklayers)


# eq=False: identity equality and hashing, so a taxonomy can key caches of derived structures
# (the engine's sparse matrices) without hashing its dictionaries.
@dataclass(frozen=True, eq=False)
class Taxonomy:
    skills: Mapping[str, Skill]
    occupations: Mapping[str, Occupation]
    essential: Mapping[str, frozenset[str]]
    optional: Mapping[str, frozenset[str]]
    broader: Mapping[str, frozenset[str]]
    isco_parent: Mapping[str, str]
    isco_labels: Mapping[str, str] = field(default_factory=dict)
    # lower-cased preferred and alternative labels -> skill uri, to place free-text skills
    skill_by_label: Mapping[str, str] = field(default_factory=dict)
    # every skill label of every imported language, for free text (``domain.skill_resolution``)
    skill_labels: tuple[Label, ...] = ()
    # the import it was loaded from (``db.taxonomy_read.taxonomy_stamp``): a reading of free text
    # stored with another stamp is read again
    stamp: str | None = None

    def label(self, uri: str) -> str:
        skill = self.skills.get(uri)
        if skill is not None:
            return skill.label
        occupation = self.occupations.get(uri)
        return occupation.label if occupation is not None else uri

    def ancestors(self, skill_uri: str) -> frozenset[str]:
        """Every broader skill and skill group above ``skill_uri`` (not itself); cycle-safe."""
        return self._ancestors.get(skill_uri, frozenset())

    def ancestors_by_distance(self, skill_uri: str) -> dict[str, int]:
        """Broader concepts with their distance (1 = direct parent), the shortest path."""
        distance: dict[str, int] = {}
        frontier = [skill_uri]
        level = 0
        while frontier:
            level += 1
            following = []
            for uri in frontier:
                for parent in self.broader.get(uri, ()):
                    if parent not in distance and parent != skill_uri:
                        distance[parent] = level
                        following.append(parent)
            frontier = following
        return distance

    def isco_neighbours(self, occupation_uri: str, digits: int = 4) -> frozenset[str]:
        """Other occupations in the same ISCO group: the 4-digit unit group by default, the
        3-digit minor group (a weaker neighbourhood) with ``digits=3``."""
        occupation = self.occupations.get(occupation_uri)
        if occupation is None:
            return frozenset()
        group = occupation.isco_group[:digits]
        members = self._occupations_by_group.get(group, frozenset())
        return members - {occupation_uri}

    def label_in(self, uri: str, language: str) -> str:
        """The concept's preferred label in ``language`` where imported, else ``label``."""
        found = self._preferred.get(language, {}).get(uri)
        return found if found is not None else self.label(uri)

    @cached_property
    def _preferred(self) -> dict[str, dict[str, str]]:
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for label in self.skill_labels:
            if label.kind == LabelKind.PREFERRED:
                labels[label.language].setdefault(label.uri, label.text)
        return dict(labels)

    @cached_property
    def _ancestors(self) -> dict[str, frozenset[str]]:
        return {uri: frozenset(self.ancestors_by_distance(uri)) for uri in self.broader}

    @cached_property
    def _occupations_by_group(self) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = defaultdict(set)
        for uri, occupation in self.occupations.items():
            for digits in (1, 2, 3, 4):
                groups[occupation.isco_group[:digits]].add(uri)
        return {code: frozenset(members) for code, members in groups.items()}


def load_csv(*sources: Path) -> Taxonomy:
    """Read the official ESCO CSV files from zip archives and/or directories (later sources add
    to earlier ones). Skill groups come from ``skillGroups_en.csv`` when present, so the
    hierarchy's inner nodes have labels; relations to unknown concepts are kept (the caller may
    pass a subset), since they cost nothing and keep the hierarchy connected."""
    skills: dict[str, Skill] = {}
    occupations: dict[str, Occupation] = {}
    essential: dict[str, set[str]] = defaultdict(set)
    optional: dict[str, set[str]] = defaultdict(set)
    broader: dict[str, set[str]] = defaultdict(set)
    isco_labels: dict[str, str] = {}
    labels: list[Label] = []
    for name, rows in _rows(sources):
        if name == SKILLS_FILE:
            for row in rows:
                uri = row["conceptUri"]
                skills[uri] = Skill(row["preferredLabel"], row.get("skillType") or "skill")
                labels.extend(_labels(uri, row))
        elif name == SKILL_GROUPS_FILE:
            for row in rows:
                skills.setdefault(row["conceptUri"], Skill(row["preferredLabel"], "skill group"))
        elif name == OCCUPATIONS_FILE:
            for row in rows:
                occupations[row["conceptUri"]] = Occupation(row["preferredLabel"], row["iscoGroup"])
        elif name == ISCO_FILE:
            for row in rows:
                isco_labels[row["code"]] = row["preferredLabel"]
        elif name == RELATIONS_FILE:
            for row in rows:
                target = essential if row["relationType"] == "essential" else optional
                target[row["occupationUri"]].add(row["skillUri"])
        elif name == BROADER_SKILLS_FILE:
            for row in rows:
                if row["conceptUri"] != row["broaderUri"]:
                    broader[row["conceptUri"]].add(row["broaderUri"])
    return Taxonomy(
        skills=skills,
        occupations=occupations,
        essential={uri: frozenset(items) for uri, items in essential.items()},
        optional={
            uri: frozenset(items - essential.get(uri, set())) for uri, items in optional.items()
        },
        broader={uri: frozenset(items) for uri, items in broader.items()},
        isco_parent=_isco_parents(isco_labels, occupations.values()),
        isco_labels=isco_labels,
        skill_by_label=labels_by_text(labels),
        skill_labels=tuple(labels),
    )


def cut(taxonomy: Taxonomy, isco_prefixes: Iterable[str]) -> Taxonomy:
    """The part of ``taxonomy`` for occupations whose ISCO group starts with one of the prefixes:
    those occupations, their skills, and every broader concept above those skills."""
    prefixes = tuple(isco_prefixes)
    occupations = {
        uri: occupation
        for uri, occupation in taxonomy.occupations.items()
        if occupation.isco_group.startswith(prefixes)
    }
    kept: set[str] = set()
    for uri in occupations:
        kept |= taxonomy.essential.get(uri, frozenset()) | taxonomy.optional.get(uri, frozenset())
    for uri in list(kept):
        kept |= taxonomy.ancestors(uri)
    return Taxonomy(
        skills={uri: skill for uri, skill in taxonomy.skills.items() if uri in kept},
        occupations=occupations,
        essential={
            uri: taxonomy.essential[uri] for uri in occupations if uri in taxonomy.essential
        },
        optional={uri: taxonomy.optional[uri] for uri in occupations if uri in taxonomy.optional},
        broader={uri: taxonomy.broader[uri] for uri in kept if uri in taxonomy.broader},
        isco_parent=taxonomy.isco_parent,
        isco_labels=taxonomy.isco_labels,
        skill_by_label={text: uri for text, uri in taxonomy.skill_by_label.items() if uri in kept},
        skill_labels=tuple(label for label in taxonomy.skill_labels if label.uri in kept),
    )


def normalise(text: str) -> str:
    """How free text is compared with labels: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def labels_by_text(labels: Iterable[Label], language: str = "en") -> dict[str, str]:
    """The preferred and alternative labels of ``language``, normalised, to their skill: a
    preferred label wins over an alternative one of another skill, and otherwise the first in
    the files' order."""
    by_label: dict[str, str] = {}
    for label in labels:
        if label.language != language or label.kind == LabelKind.HIDDEN:
            continue
        if label.kind == LabelKind.PREFERRED:
            by_label[normalise(label.text)] = label.uri
        else:
            by_label.setdefault(normalise(label.text), label.uri)
    return by_label


def _labels(uri: str, row: Mapping[str, str]) -> Iterator[Label]:
    """The English file's labels of a skill (a file of another language: ``_<lang>.csv``, through
    the import into the database)."""
    yield Label(uri, row["preferredLabel"], "en", LabelKind.PREFERRED)
    for column, kind in (("altLabels", LabelKind.ALTERNATIVE), ("hiddenLabels", LabelKind.HIDDEN)):
        for text in (row.get(column) or "").splitlines():
            if text.strip():
                yield Label(uri, text.strip(), "en", kind)


def _isco_parents(labels: Mapping[str, str], occupations: Iterable[Occupation]) -> dict[str, str]:
    """ISCO codes nest by prefix ("7112" in "711" in "71" in "7"), so the parent is the code
    without its last digit; occupations' groups are included even without the ISCO file."""
    codes = set(labels) | {occupation.isco_group for occupation in occupations}
    parents: dict[str, str] = {}
    for code in codes:
        for length in range(len(code) - 1, 0, -1):
            parents[code[: length + 1]] = code[:length]
    return parents


def _rows(sources: Iterable[Path]) -> Iterator[tuple[str, csv.DictReader[str]]]:
    for source in sources:
        source = Path(source)
        if source.is_dir():
            for name in FILES:
                path = source / name
                if path.exists():
                    with path.open(encoding="utf-8-sig", newline="") as handle:
                        yield name, csv.DictReader(handle)
        else:
            with zipfile.ZipFile(source) as archive:
                members = {Path(member).name: member for member in archive.namelist()}
                for name in FILES:
                    if name in members:
                        with archive.open(members[name]) as raw:
                            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                            yield name, csv.DictReader(text)
