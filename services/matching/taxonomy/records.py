"""From the ESCO CSV rows to the rows of matching's taxonomy tables (no I/O beyond reading).

The concept columns (types, codes, status) are the same in every language's file, so they are
taken from one language's files (English when given); each language's files give its labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from services.matching.domain.esco import ConceptType, LabelKind, Relation
from services.matching.domain.labels import display_label, search_key
from services.matching.taxonomy.sources import CsvFile, SourceError, read_rows

Row = dict[str, str]

_RELATIONS = frozenset(Relation)
_HIERARCHY_LEVELS = range(4)  # skillsHierarchy_<lang>.csv: "Level 0 URI" .. "Level 3 URI"


# The row types below are in the order of the importer's column lists (COPY takes tuples).
class SkillRow(NamedTuple):
    uri: str
    concept_type: str
    skill_type: str | None
    reuse_level: str | None
    code: str | None
    status: str


class OccupationRow(NamedTuple):
    uri: str
    isco_group: str
    code: str | None
    status: str


class IscoRow(NamedTuple):
    code: str
    uri: str
    parent_code: str | None
    status: str


class LabelRow(NamedTuple):
    concept_uri: str
    kind: str
    language: str
    label: str
    preferred: bool
    hidden: bool
    search_key: str


@dataclass
class Taxonomy:
    """Everything read from the files; ``None`` means "that file was not given", so its table
    is left as it is."""

    skills: list[SkillRow] | None = None  # esco_skill rows of concept_type "skill"
    skill_groups: list[SkillRow] | None = None  # ... of concept_type "skill_group"
    occupations: list[OccupationRow] | None = None
    isco_groups: list[IscoRow] | None = None
    occupation_skills: list[tuple[str, str, str]] | None = None  # occupation, skill, relation
    skill_broader: list[tuple[str, str]] | None = None  # skill, broader
    occupation_broader: list[tuple[str, str]] | None = None  # occupation, broader occupation
    # (kind, language) -> rows; a pair present replaces that kind's labels in that language.
    labels: dict[tuple[str, str], list[LabelRow]] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return sorted({language for _kind, language in self.labels})


def labels_of(row: Row, uri: str, kind: str, language: str) -> Iterator[LabelRow]:
    """The preferred label, then the alternative and hidden ones (newline-separated in one
    field); the files repeat the preferred label among the alternatives, kept once here."""
    seen: set[str] = set()
    fields = (
        ("preferredLabel", True, False),
        ("altLabels", False, False),
        ("hiddenLabels", False, True),
    )
    for column, preferred, hidden in fields:
        for line in (row.get(column) or "").split("\n"):
            label = display_label(line)
            key = search_key(label)
            if key and label not in seen:
                seen.add(label)
                yield LabelRow(uri, kind, language, label, preferred, hidden, key)
            if preferred:
                break  # one preferred label per concept and language, whatever the field holds


def _none(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def _status(row: Row) -> str:
    return (row.get("status") or "").strip() or "released"


def _by_language(files: Iterable[CsvFile]) -> list[CsvFile]:
    """English first (the concepts are taken from the first file), then by language code."""
    return sorted(files, key=lambda file: (file.language != "en", file.language or ""))


class _Labels:
    """Collects each language's labels of one kind, a concept's labels once per language even
    if a file repeats its row."""

    def __init__(self, taxonomy: Taxonomy, kind: str) -> None:
        self._taxonomy = taxonomy
        self._kind = kind
        self._seen: dict[str, set[str]] = {}

    def add(self, row: Row, uri: str, language: str) -> None:
        seen = self._seen.setdefault(language, set())
        if uri in seen:
            return
        seen.add(uri)
        self._taxonomy.labels.setdefault((self._kind, language), []).extend(
            labels_of(row, uri, self._kind, language)
        )

    def has(self, uri: str, language: str) -> bool:
        return uri in self._seen.get(language, ())


Rows = Callable[[str], Iterator[tuple[str, Row, bool]]]


def read_taxonomy(files: list[CsvFile], on_bytes: Callable[[int], None]) -> Taxonomy:
    taxonomy = Taxonomy()
    by_dataset: dict[str, list[CsvFile]] = {}
    for file in files:
        by_dataset.setdefault(file.dataset, []).append(file)

    def rows(dataset: str) -> Iterator[tuple[str, Row, bool]]:
        """(language, row, first language?) of every file of a dataset."""
        for index, file in enumerate(_by_language(by_dataset.get(dataset, []))):
            for row in read_rows(file, on_bytes):
                yield file.language or "", row, index == 0

    if "skills" in by_dataset:
        skills: dict[str, SkillRow] = {}
        labels = _Labels(taxonomy, LabelKind.SKILL)
        for language, row, first in rows("skills"):
            uri = row["conceptUri"].strip()
            if not uri:
                continue
            if first:
                skills[uri] = SkillRow(
                    uri,
                    ConceptType.SKILL,
                    _none(row.get("skillType")),
                    _none(row.get("reuseLevel")),
                    None,
                    _status(row),
                )
            labels.add(row, uri, language)
        taxonomy.skills = list(skills.values())

    if "skillGroups" in by_dataset or "skillsHierarchy" in by_dataset:
        _read_skill_groups(taxonomy, rows)

    if "occupations" in by_dataset:
        occupations: dict[str, OccupationRow] = {}
        labels = _Labels(taxonomy, LabelKind.OCCUPATION)
        for language, row, first in rows("occupations"):
            uri = row["conceptUri"].strip()
            if not uri:
                continue
            if first:
                # broader_uri comes from broaderRelationsOccPillar.csv (the upsert keeps it).
                occupations[uri] = OccupationRow(
                    uri, row["iscoGroup"].strip(), _none(row.get("code")), _status(row)
                )
            labels.add(row, uri, language)
        taxonomy.occupations = list(occupations.values())

    if "ISCOGroups" in by_dataset:
        groups: dict[str, IscoRow] = {}
        labels = _Labels(taxonomy, LabelKind.ISCO_GROUP)
        for language, row, first in rows("ISCOGroups"):
            code, uri = row["code"].strip(), row["conceptUri"].strip()
            if not (code and uri):
                continue
            if first:
                # ISCO-08 codes nest digit by digit (7112 is in 711): the parent is the code less
                # its last digit, as broaderRelationsOccPillar.csv also says.
                groups[code] = IscoRow(code, uri, code[:-1] or None, _status(row))
            labels.add(row, uri, language)
        taxonomy.isco_groups = list(groups.values())

    _read_relations(taxonomy, rows, set(by_dataset))
    return taxonomy


def _read_skill_groups(taxonomy: Taxonomy, rows: Rows) -> None:
    """Skill groups come from skillGroups_<lang>.csv; skillsHierarchy_<lang>.csv names the same
    nodes with their codes, plus a few that v1.1.1 lists nowhere else (S6.8 "positioning
    materials, tools or equipment" and six of its kind), which are added from it."""
    groups: dict[str, SkillRow] = {}
    labels = _Labels(taxonomy, LabelKind.SKILL_GROUP)
    for language, row, first in rows("skillGroups"):
        uri = row["conceptUri"].strip()
        if not uri:
            continue
        if first:
            groups[uri] = SkillRow(
                uri, ConceptType.SKILL_GROUP, None, None, _none(row.get("code")), _status(row)
            )
        labels.add(row, uri, language)
    for language, row, first in rows("skillsHierarchy"):
        for level in _HIERARCHY_LEVELS:
            uri = (row.get(f"Level {level} URI") or "").strip()
            if not uri:
                continue
            code = _none(row.get(f"Level {level} code"))
            if first and uri not in groups:
                groups[uri] = SkillRow(uri, ConceptType.SKILL_GROUP, None, None, code, "released")
            if not labels.has(uri, language):
                term = {"preferredLabel": row.get(f"Level {level} preferred term") or ""}
                labels.add(term, uri, language)
    taxonomy.skill_groups = list(groups.values())


def _read_relations(taxonomy: Taxonomy, rows: Rows, present: set[str]) -> None:
    if "occupationSkillRelations" in present:
        links: dict[tuple[str, str], str] = {}
        for _language, row, _first in rows("occupationSkillRelations"):
            key = (row["occupationUri"].strip(), row["skillUri"].strip())
            relation = row["relationType"].strip()
            if relation not in _RELATIONS:
                raise SourceError(f"occupationSkillRelations: unknown relationType {relation!r}")
            # A pair listed twice (not in v1.1.1) counts as essential if either row says so.
            if links.get(key) != Relation.ESSENTIAL:
                links[key] = relation
        taxonomy.occupation_skills = [(*key, relation) for key, relation in links.items()]

    if "broaderRelationsSkillPillar" in present:
        broader = {
            (row["conceptUri"].strip(), row["broaderUri"].strip()): None
            for _language, row, _first in rows("broaderRelationsSkillPillar")
        }
        taxonomy.skill_broader = [(skill, up) for skill, up in broader if skill != up]

    if "broaderRelationsOccPillar" in present:
        # ISCO group parents are in the codes, and an occupation's ISCO group is in its own row;
        # only occupation -> occupation links add something (one broader per occupation).
        occupation_broader = {
            row["conceptUri"].strip(): row["broaderUri"].strip()
            for _language, row, _first in rows("broaderRelationsOccPillar")
            if row["conceptType"] == "Occupation" and row["broaderType"] == "Occupation"
        }
        taxonomy.occupation_broader = list(occupation_broader.items())
