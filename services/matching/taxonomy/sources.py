"""Finding the ESCO CSV files in what users download: zip archives (as the ESCO portal serves
them) or the directories they were unpacked into, and reading them row by row.

The files are recognised by name, whatever folder of the archive they are in:
``skills_<lang>.csv``, ``occupations_<lang>.csv``, ``ISCOGroups_<lang>.csv``,
``skillGroups_<lang>.csv``, ``skillsHierarchy_<lang>.csv`` in a classification archive (any
language), and ``occupationSkillRelations.csv``, ``broaderRelationsSkillPillar.csv``,
``broaderRelationsOccPillar.csv`` in the relations archive (a ``_<lang>`` suffix, as some ESCO
versions have, is accepted: columns are read by name, so added label columns do not matter).
The skill collections and concept schemes are not needed and are ignored.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LABELLED = ("skills", "occupations", "ISCOGroups", "skillGroups", "skillsHierarchy")
RELATIONS = ("occupationSkillRelations", "broaderRelationsSkillPillar", "broaderRelationsOccPillar")
_LANGUAGE = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?"
_LABELLED_NAME = re.compile(rf"^({'|'.join(LABELLED)})_({_LANGUAGE})\.csv$")
_RELATIONS_NAME = re.compile(rf"^({'|'.join(RELATIONS)})(?:_{_LANGUAGE})?\.csv$")
# "v1.1.1" in "ESCO dataset - v1.1.1 - classification - en - csv.zip", not in "dev1.2".
_VERSION = re.compile(r"(?<![A-Za-z0-9])v(\d+(?:\.\d+){1,3})(?![0-9])")


class SourceError(ValueError):
    """The paths given do not hold a usable ESCO export."""


@dataclass(frozen=True)
class CsvFile:
    dataset: str  # one of LABELLED or RELATIONS
    language: str | None  # for the labelled files
    where: str  # for messages: "archive.zip:skills_en.csv"
    size: int  # bytes, for the progress bar
    opener: Callable[[], IO[bytes]]


def classify(name: str) -> tuple[str, str | None] | None:
    """``("skills", "en")`` for ``skills_en.csv``, ``("occupationSkillRelations", None)``..."""
    labelled = _LABELLED_NAME.match(name)
    if labelled:
        return labelled.group(1), labelled.group(2).lower()
    relations = _RELATIONS_NAME.match(name)
    if relations:
        return relations.group(1), None
    return None


def _open_member(path: Path, member: zipfile.ZipInfo) -> IO[bytes]:
    # The member keeps the archive's file open until it is closed itself.
    with zipfile.ZipFile(path) as archive:
        return archive.open(member)


def _open_file(path: Path) -> IO[bytes]:
    return path.open("rb")


def _in_zip(path: Path) -> Iterator[CsvFile]:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    for member in members:
        found = classify(Path(member.filename).name)
        if found and not member.is_dir():
            opener = functools.partial(_open_member, path, member)
            yield CsvFile(*found, f"{path.name}:{member.filename}", member.file_size, opener)


def _in_directory(path: Path) -> Iterator[CsvFile]:
    for file in sorted(path.rglob("*.csv")):
        found = classify(file.name)
        if found:
            opener = functools.partial(_open_file, file)
            yield CsvFile(*found, str(file), file.stat().st_size, opener)


def find_files(paths: Sequence[str | Path]) -> list[CsvFile]:
    """Every ESCO file in ``paths`` (zips, directories or single CSV files). The same file found
    twice (the same language given in two places) is an error: which one should win?"""
    found: dict[tuple[str, str | None], CsvFile] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = list(_in_directory(path))
        elif path.is_file() and zipfile.is_zipfile(path):
            files = list(_in_zip(path))
        elif path.is_file() and (single := classify(path.name)):
            opener = functools.partial(_open_file, path)
            files = [CsvFile(*single, str(path), path.stat().st_size, opener)]
        else:
            raise SourceError(f"{path}: not an ESCO CSV archive, directory or file")
        if not files:
            raise SourceError(f"{path}: no ESCO CSV files in it")
        for file in files:
            key = (file.dataset, file.language)
            if key in found:
                raise SourceError(f"{file.where} and {found[key].where}: the same file twice")
            found[key] = file
    return list(found.values())


def detect_version(paths: Sequence[str | Path]) -> str | None:
    """The ESCO version in the archives' names: "ESCO dataset - v1.1.1 - classification - en -
    csv.zip" -> "v1.1.1" (or in the name of the folder they were unpacked into, or of its
    parent; or, for a cut subset, the "ESCO version:" line of its PROVENANCE.md). The files
    themselves do not say."""
    for path in paths:
        resolved = Path(path).resolve()
        names = [resolved.name, resolved.parent.name]
        provenance = resolved / "PROVENANCE.md"
        if resolved.is_dir() and provenance.is_file():
            names[:0] = [
                line
                for line in provenance.read_text(encoding="utf-8").splitlines()
                if line.startswith("ESCO version:")
            ]
        for name in names:
            match = _VERSION.search(name)
            if match:
                return f"v{match.group(1)}"
    return None


def read_rows(file: CsvFile, on_bytes: Callable[[int], None]) -> Iterator[dict[str, str]]:
    """The file's rows as dictionaries by column name. Labels span lines inside quotes, hence
    the csv module over a stream opened with ``newline=""``."""
    raw = io.BufferedReader(_Counting(file.opener(), on_bytes), 1 << 16)
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        yield from csv.DictReader(text)


class _Counting(io.RawIOBase):
    """Reports the bytes read, for the progress bar."""

    def __init__(self, inner: IO[bytes], on_bytes: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._on_bytes(len(data))
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
