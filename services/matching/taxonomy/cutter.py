"""Cut a subset of the official ESCO CSV export, in the same format: the same file names and
columns, only the rows of the occupations in some ISCO groups, of their skills, of every broader
concept above those skills (up to the top of the hierarchy), and of the ISCO groups above them.

The committed ``subset/`` directory (tests, the demo) is made by ``python -m
services.matching.taxonomy cut-subset``; both the importer and the engine's ``load_csv`` read it
as they read the official files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shlex
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.matching.taxonomy.sources import (
    LABELLED,
    RELATIONS,
    CsvFile,
    SourceError,
    detect_version,
    find_files,
)

SUBSET_DIR = Path(__file__).parent / "subset"

# ISCO-08 unit groups of the jobs many newcomers start in, narrow enough for the subset to stay
# under ~4 MB (whole 3-digit groups such as 816 or 522 would add hundreds of food-machine and
# specialised-seller occupations).
FIRST_JOBS: dict[str, tuple[str, ...]] = {
    "construction": ("7112", "7114", "7115", "7123", "7131", "9312", "9313"),
    "agriculture": ("6111", "6112", "6113", "6121", "9211", "9212", "9213", "9214"),
    "hospitality and food": ("5120", "5131", "5132", "9411", "9412"),
    "care": ("5321", "5322"),
    "cleaning": ("9111", "9112"),
    "logistics and transport": ("4321", "8332", "8344", "9321", "9333"),
    "manufacturing": ("7212", "7511", "7512", "7531", "7533", "9329"),
    "retail": ("5230", "9334"),
}
FIRST_JOB_PREFIXES = tuple(code for codes in FIRST_JOBS.values() for code in codes)

# Free-text columns emptied unless asked to keep them: they are most of the files' size and
# neither the search nor the engine reads them. The columns themselves stay.
LONG_TEXT = frozenset({"description", "definition", "scopeNote", "Description", "Scope note"})
ACKNOWLEDGEMENT = "ESCO classification, European Commission, v1.1.1"


@dataclass(frozen=True)
class _Table:
    file: CsvFile
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> int:
        try:
            return self.header.index(name)
        except ValueError:
            raise SourceError(f"{self.file.where}: no column {name!r}") from None


def _read(file: CsvFile) -> _Table:
    with file.opener() as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = next(reader, [])
        return _Table(file, header, [row for row in reader if row])


@dataclass(frozen=True)
class Kept:
    occupations: frozenset[str]
    isco_codes: frozenset[str]
    isco_uris: frozenset[str]
    concepts: frozenset[str]  # skills and skill groups


def _keep(tables: dict[tuple[str, str | None], _Table], prefixes: tuple[str, ...]) -> Kept:
    def first(dataset: str) -> _Table:
        found = sorted(
            (table for (name, _lang), table in tables.items() if name == dataset),
            key=lambda table: (table.file.language != "en", table.file.language or ""),
        )
        if not found:
            raise SourceError(f"cut-subset needs {dataset} in the sources")
        return found[0]

    occupations_table = first("occupations")
    uri, isco = occupations_table.column("conceptUri"), occupations_table.column("iscoGroup")
    occupations = {row[uri] for row in occupations_table.rows if row[isco].startswith(prefixes)}
    codes = {
        row[isco][:length]
        for row in occupations_table.rows
        if row[uri] in occupations
        for length in range(1, len(row[isco]) + 1)
    }
    groups = first("ISCOGroups")
    group_uri, group_code = groups.column("conceptUri"), groups.column("code")
    isco_uris = {row[group_uri] for row in groups.rows if row[group_code] in codes}

    relations = first("occupationSkillRelations")
    occupation, skill = relations.column("occupationUri"), relations.column("skillUri")
    concepts = {row[skill] for row in relations.rows if row[occupation] in occupations}
    broader_table = first("broaderRelationsSkillPillar")
    narrower, wider = broader_table.column("conceptUri"), broader_table.column("broaderUri")
    broader: dict[str, set[str]] = defaultdict(set)
    for row in broader_table.rows:
        broader[row[narrower]].add(row[wider])
    frontier = list(concepts)
    while frontier:  # the broader chain of every skill, up to the top of the hierarchy
        for parent in broader.get(frontier.pop(), ()):
            if parent not in concepts:
                concepts.add(parent)
                frontier.append(parent)
    return Kept(frozenset(occupations), frozenset(codes), frozenset(isco_uris), frozenset(concepts))


def _filter(table: _Table, kept: Kept) -> Callable[[list[str]], bool]:
    """Which rows of a file the subset keeps."""
    dataset = table.file.dataset
    if dataset in ("skills", "skillGroups"):
        uri = table.column("conceptUri")
        return lambda row: row[uri] in kept.concepts
    if dataset == "occupations":
        uri = table.column("conceptUri")
        return lambda row: row[uri] in kept.occupations
    if dataset == "ISCOGroups":
        code = table.column("code")
        return lambda row: row[code] in kept.isco_codes
    if dataset == "skillsHierarchy":
        levels = [table.column(f"Level {level} URI") for level in range(4)]

        def deepest_kept(row: list[str]) -> bool:
            # A row is the path to its deepest node: kept when that node is.
            path = [row[index] for index in levels if row[index]]
            return bool(path) and path[-1] in kept.concepts

        return deepest_kept
    if dataset == "occupationSkillRelations":
        occupation = table.column("occupationUri")
        return lambda row: row[occupation] in kept.occupations
    if dataset == "broaderRelationsSkillPillar":
        uri = table.column("conceptUri")
        return lambda row: row[uri] in kept.concepts
    if dataset == "broaderRelationsOccPillar":
        uri, up = table.column("conceptUri"), table.column("broaderUri")
        nodes = kept.occupations | kept.isco_uris
        return lambda row: row[uri] in nodes and row[up] in nodes
    raise SourceError(f"{table.file.where}: not a file the subset knows")


def _blank_long_text(table: _Table) -> Callable[[list[str]], list[str]]:
    blank = {index for index, name in enumerate(table.header) if name in LONG_TEXT}
    return lambda row: ["" if index in blank else value for index, value in enumerate(row)]


def _md5(path: Path) -> str:
    digest = hashlib.md5()  # noqa: S324 - the ESCO portal publishes MD5s; not for security
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cut_subset(
    sources: Sequence[str | Path],
    out: Path,
    *,
    prefixes: Iterable[str] = FIRST_JOB_PREFIXES,
    keep_long_text: bool = False,
    command: Sequence[str] | None = None,
) -> dict[str, int]:
    """Write the subset of the ESCO files in ``sources`` to ``out`` (created if needed, its
    CSV files replaced) with its PROVENANCE.md; returns the rows written per file."""
    prefixes = tuple(prefixes)
    files = find_files(sources)
    tables = {(file.dataset, file.language): _read(file) for file in files}
    kept = _keep(tables, prefixes)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    counts: dict[str, int] = {}
    order = {name: index for index, name in enumerate((*LABELLED, *RELATIONS))}
    for (dataset, language), table in sorted(
        tables.items(), key=lambda item: (order[item[0][0]], item[0][1] or "")
    ):
        name = f"{dataset}_{language}.csv" if language else f"{dataset}.csv"
        keep = _filter(table, kept)
        shorten = _blank_long_text(table) if not keep_long_text else (lambda row: row)
        rows = [shorten(row) for row in table.rows if keep(row)]
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)  # minimal quoting and CRLF records, as ESCO writes them
            writer.writerow(table.header)
            writer.writerows(rows)
        counts[name] = len(rows)
    _provenance(out, sources, prefixes, counts, keep_long_text, command)
    return counts


def _provenance(
    out: Path,
    sources: Sequence[str | Path],
    prefixes: tuple[str, ...],
    counts: dict[str, int],
    keep_long_text: bool,
    command: Sequence[str] | None,
) -> None:
    version = detect_version(sources) or "unknown"
    archives = [Path(source) for source in sources if Path(source).is_file()]
    lines = [
        "# ESCO subset: the first jobs of newcomers",
        "",
        f"{ACKNOWLEDGEMENT}. ESCO is published by the European Commission and available free "
        "of charge; reuse is authorised provided the source is acknowledged (Commission "
        "Decision 2011/833/EU on the reuse of Commission documents). This directory is a "
        "subset of the official CSV export, rows kept unchanged"
        + ("" if keep_long_text else " except for the emptied free-text columns below")
        + ".",
        "",
        f"ESCO version: {version}",
        "",
        "## Source",
        "",
        "| archive | MD5 |",
        "|---|---|",
        *(f"| `{archive.name}` | `{_md5(archive)}` |" for archive in archives),
        "",
        "## How it was made",
        "",
        "```",
        shlex.join(command or ["python", "-m", "services.matching.taxonomy", "cut-subset"]),
        "```",
        "",
        "Kept: the occupations whose ISCO-08 group starts with one of the prefixes below; every "
        "skill they need (essential or optional) and the skills' broader chain up to the top "
        "of the skills hierarchy (broader skills and skill groups, with their "
        "`skillsHierarchy` rows); the ISCO groups above the occupations; the occupation-skill "
        "relations of the occupations and the broader relations among what is kept. Same file "
        "names, columns, order of rows and CSV dialect as the official export.",
        "",
        "ISCO-08 prefixes, by sector:",
        "",
        *_prefix_lines(prefixes),
        "",
    ]
    if not keep_long_text:
        lines += [
            "The free-text columns (" + ", ".join(f"`{name}`" for name in sorted(LONG_TEXT)) + ") "
            "are kept but emptied, to keep the directory small; neither the search nor the "
            "matching engine reads them.",
            "",
        ]
    lines += [
        "## Rows",
        "",
        "| file | rows |",
        "|---|---:|",
        *(f"| `{name}` | {count} |" for name, count in counts.items()),
        "",
    ]
    (out / "PROVENANCE.md").write_text("\n".join(lines), encoding="utf-8")


def _prefix_lines(prefixes: tuple[str, ...]) -> list[str]:
    lines = []
    rest = list(prefixes)
    for sector, codes in FIRST_JOBS.items():
        mine = [code for code in codes if code in rest]
        if mine:
            lines.append(f"- {sector}: {', '.join(mine)}")
            rest = [code for code in rest if code not in mine]
    if rest:
        lines.append(f"- other: {', '.join(rest)}")
    return lines


def read_provenance_counts(directory: Path) -> dict[str, int]:
    """The rows per file that PROVENANCE.md states (to check it against the files)."""
    counts: dict[str, int] = {}
    for line in (directory / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].endswith(".csv") and cells[1].isdigit():
            counts[cells[0]] = int(cells[1])
    return counts
