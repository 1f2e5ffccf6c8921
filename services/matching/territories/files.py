"""Readers for the official territory files: Eurostat NUTS 2024 and LAU 2024.

Pure parsing, standard library only. Each reader takes a path or an open
stream, reads it, and yields :class:`Territory` records; nothing else is read,
written or fetched. The formats are described in ``subset/FORMAT.md``.

* :func:`read_nuts_csv` reads GISCO's NUTS attribute table ``NUTS_AT_2024.csv``
  (levels 0 to 3; level and parent derived from ``NUTS_ID``).
* :func:`read_lau_xlsx` reads Eurostat's ``EU-27-LAU-2024-NUTS-2024.xlsx``
  (one sheet per country; each LAU with its NUTS 3 parent).

Errors in a file raise :class:`TerritoryFileError` naming the file position.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, TextIO, cast

# The workbook is an official file the operator downloaded. The standard library
# parser resolves no external entities, and its bundled expat (>= 2.4) limits
# entity expansion; this keeps the reader free of dependencies (hence noqa S314).
from xml.etree import ElementTree

__all__ = [
    "LAU_LEVEL",
    "Territory",
    "TerritoryFileError",
    "missing_parents",
    "read_lau_xlsx",
    "read_nuts_csv",
]

Scheme = Literal["NUTS", "LAU"]

#: Level given to LAU records, one below NUTS 3.
LAU_LEVEL = 4

_NUTS_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_NUTS3 = re.compile(r"[A-Z]{2}[A-Z0-9]{3}")
_LAU_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*")

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# Header names of the LAU workbook, by edition (first one found wins).
_LAU_COLUMNS: dict[str, tuple[str, ...]] = {
    "nuts3": ("NUTS3", "NUTS 3 CODE"),
    "lau_code": ("LAU CODE",),
    "eu_lau_code": ("EU LAU CODE",),
    "name_national": ("LAU NAME NATIONAL",),
    "name_latin": ("LAU NAME LATIN",),
}
_HEADER_SCAN_ROWS = 10


class TerritoryFileError(ValueError):
    """A territory file does not have the expected shape or content."""


class _UnrecognisedSheet(TerritoryFileError):
    """A country sheet without a recognisable LAU header (raised before any record)."""


@dataclass(frozen=True, slots=True)
class Territory:
    """One statistical or administrative unit.

    ``code`` is the official code: the NUTS_ID for NUTS, the national LAU code
    for LAU (unique only within its country; see :attr:`key`). ``parent_code``
    is a NUTS code (``None`` for a country). ``country`` is Eurostat's country
    code (``EL`` for Greece).
    """

    scheme: Scheme
    code: str
    level: int
    parent_code: str | None
    country: str
    name_latin: str
    name_national: str

    @property
    def key(self) -> str:
        """Unique across schemes and countries: the NUTS code, or ``CC_lau`` for a LAU."""
        return self.code if self.scheme == "NUTS" else f"{self.country}_{self.code}"


def _clean(value: str | None) -> str:
    # str.strip() also removes the no-break spaces found in some official names.
    return (value or "").strip()


# --------------------------------------------------------------------------- NUTS


def read_nuts_csv(source: str | Path | TextIO | BinaryIO) -> Iterator[Territory]:
    """Yield the NUTS regions of a GISCO ``NUTS_AT_<year>.csv`` attribute table.

    Columns are found by name (``CNTR_CODE``, ``NUTS_ID``, ``NAME_LATN``,
    ``NUTS_NAME``); others are ignored. If a ``LEVL_CODE`` column is present it
    must agree with the level derived from the code's length.
    """
    with _open_text(source) as text:
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
        required = ("CNTR_CODE", "NUTS_ID", "NAME_LATN", "NUTS_NAME")
        absent = [name for name in required if name not in header]
        if absent:
            raise TerritoryFileError(
                f"NUTS file: missing column(s) {', '.join(absent)}; header is {header}"
            )
        has_level = "LEVL_CODE" in header
        for row in reader:
            line = reader.line_num
            code = _clean(row["NUTS_ID"])
            country = _clean(row["CNTR_CODE"])
            if not code and not country:
                continue
            if not _NUTS_ID.fullmatch(code):
                raise TerritoryFileError(f"NUTS file line {line}: bad NUTS_ID {code!r}")
            if not code.startswith(country) or not _COUNTRY.fullmatch(country):
                raise TerritoryFileError(
                    f"NUTS file line {line}: NUTS_ID {code!r} not in country {country!r}"
                )
            level = len(code) - 2
            if has_level and _clean(row["LEVL_CODE"]) not in ("", str(level)):
                raise TerritoryFileError(
                    f"NUTS file line {line}: LEVL_CODE {row['LEVL_CODE']!r}"
                    f" but {code!r} is level {level}"
                )
            name_latin = _clean(row["NAME_LATN"])
            name_national = _clean(row["NUTS_NAME"]) or name_latin
            if not name_latin:
                raise TerritoryFileError(f"NUTS file line {line}: {code!r} has no NAME_LATN")
            yield Territory(
                "NUTS",
                code,
                level,
                code[:-1] if level else None,
                country,
                name_latin,
                name_national,
            )


@contextmanager
def _open_text(source: str | Path | TextIO | BinaryIO) -> Iterator[TextIO]:
    """A text stream over a path, a text stream or a binary stream (left open)."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as owned:
            yield owned
        return
    if isinstance(source, io.TextIOBase):
        yield cast(TextIO, source)
        return
    wrapper = io.TextIOWrapper(cast(BinaryIO, source), encoding="utf-8-sig", newline="")
    try:
        yield wrapper
    finally:
        wrapper.detach()  # leave the caller's stream open


# ---------------------------------------------------------------------------- LAU


def read_lau_xlsx(
    source: str | Path | BinaryIO,
    countries: Iterable[str] | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> Iterator[Territory]:
    """Yield the LAUs of Eurostat's ``EU-<n>-LAU-<year>-NUTS-<year>.xlsx``.

    Every sheet named with two capital letters is a country (``EL`` for
    Greece); other sheets (notes, overview) are skipped. In each country sheet
    the header row is found by name within the first rows and columns are read
    by name, so the ``PERIOD`` column of later editions and the extra columns
    (population, area, DEGURBA, cities) are ignored. ``countries`` limits the
    sheets read.

    The LAU code is taken from ``EU LAU CODE`` (``IT_058091`` gives ``058091``),
    which keeps leading zeros even where ``LAU CODE`` is stored as a number;
    ``LAU CODE`` is used when the edition has no ``EU LAU CODE``.

    A country sheet whose header is not recognised (no header row, or one
    without the NUTS 3, code and name columns) raises
    :class:`TerritoryFileError`, unless ``on_skip`` is given: then
    ``on_skip(sheet, reason)`` is called and the sheet is skipped. A sheet
    named in ``countries`` always raises. Bad rows in a recognised sheet
    always raise.
    """
    wanted = {c.upper() for c in countries} if countries is not None else None
    with zipfile.ZipFile(source) as book:
        strings = _shared_strings(book)
        for sheet_name, part in _sheets(book):
            if not _COUNTRY.fullmatch(sheet_name):
                continue
            if wanted is not None and sheet_name not in wanted:
                continue
            try:
                yield from _lau_sheet(book, part, sheet_name, strings)
            except _UnrecognisedSheet as error:
                if on_skip is None or wanted is not None:
                    raise
                on_skip(sheet_name, str(error))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    try:
        data = book.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    for si in ElementTree.fromstring(data).iter(f"{_MAIN_NS}si"):  # noqa: S314
        strings.append(_text_of(si))
    return strings


def _text_of(element: ElementTree.Element) -> str:
    """Text of a shared string or inline string, without phonetic runs."""
    parts: list[str] = []

    def walk(el: ElementTree.Element) -> None:
        for child in el:
            if child.tag == f"{_MAIN_NS}rPh":
                continue
            if child.tag == f"{_MAIN_NS}t":
                parts.append(child.text or "")
            else:
                walk(child)

    walk(element)
    return "".join(parts)


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip part) in workbook order."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))  # noqa: S314
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {}
    for rel in rels.iter(f"{_REL_NS}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("xl", target))
        )
    sheets = []
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        rid = sheet.get(f"{_DOC_REL_NS}id")
        if rid in targets:
            sheets.append((sheet.get("name", ""), targets[rid]))
    return sheets


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _rows(
    book: zipfile.ZipFile, part: str, strings: list[str]
) -> Iterator[tuple[int, dict[int, str]]]:
    """(row number, {column index: cell text}) for each row of a worksheet, streamed."""
    with book.open(part) as stream:
        row_number = 0
        for _, element in ElementTree.iterparse(stream, events=("end",)):  # noqa: S314
            if element.tag != f"{_MAIN_NS}row":
                continue
            row_number = int(element.get("r") or row_number + 1)
            cells: dict[int, str] = {}
            position = 0
            for cell in element.iter(f"{_MAIN_NS}c"):
                ref = cell.get("r")
                column = _column_index(ref) if ref else position
                position = column + 1
                cells[column] = _cell_text(cell, strings)
            element.clear()
            yield row_number, cells


def _cell_text(cell: ElementTree.Element, strings: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN_NS}is")
        return _text_of(inline) if inline is not None else ""
    value = cell.find(f"{_MAIN_NS}v")
    text = value.text if value is not None and value.text is not None else ""
    if kind == "s":
        return strings[int(text)] if text else ""
    if kind == "n" and text:
        return _number_text(text)
    return text


def _number_text(text: str) -> str:
    """``58091`` for ``58091``, ``58091.0`` or ``5.8091E4``; other numbers unchanged."""
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _lau_sheet(
    book: zipfile.ZipFile, part: str, country: str, strings: list[str]
) -> Iterator[Territory]:
    columns: dict[str, int] | None = None
    where = f"LAU sheet {country}"
    for row_number, cells in _rows(book, part, strings):
        if columns is None:
            if row_number > _HEADER_SCAN_ROWS:
                break
            columns = _header_columns(cells)
            if columns is not None:
                missing = [k for k in ("nuts3", "name_national") if k not in columns]
                if missing or ("lau_code" not in columns and "eu_lau_code" not in columns):
                    raise _UnrecognisedSheet(
                        f"{where} row {row_number}: header lacks {missing or ['LAU CODE']}"
                    )
            continue
        get = {key: _clean(cells.get(index)) for key, index in columns.items()}
        nuts3 = get.get("nuts3", "")
        code = _lau_code(get, country, f"{where} row {row_number}")
        if not nuts3 and not code:
            continue  # blank or trailing row
        if not _NUTS3.fullmatch(nuts3) or not nuts3.startswith(country):
            raise TerritoryFileError(
                f"{where} row {row_number}: bad NUTS3 {nuts3!r} for LAU {code!r}"
            )
        if not code:
            raise TerritoryFileError(f"{where} row {row_number}: LAU in {nuts3} has no code")
        name_national = get.get("name_national", "")
        name_latin = get.get("name_latin", "") or name_national
        if not name_national:
            raise TerritoryFileError(f"{where} row {row_number}: LAU {code!r} has no name")
        yield Territory("LAU", code, LAU_LEVEL, nuts3, country, name_latin, name_national)
    if columns is None:
        raise _UnrecognisedSheet(
            f"{where}: no header row with NUTS3 and LAU CODE in the first {_HEADER_SCAN_ROWS} rows"
        )


def _header_columns(cells: dict[int, str]) -> dict[str, int] | None:
    by_name = {_clean(text).upper(): index for index, text in cells.items()}
    if not any(name in by_name for name in _LAU_COLUMNS["nuts3"]):
        return None
    columns = {}
    for key, names in _LAU_COLUMNS.items():
        for name in names:
            if name in by_name:
                columns[key] = by_name[name]
                break
    return columns


def _lau_code(get: dict[str, str], country: str, where: str) -> str:
    eu_code = get.get("eu_lau_code", "")
    if eu_code:
        prefix, sep, code = eu_code.partition("_")
        if not sep or prefix != country or not _LAU_CODE.fullmatch(code):
            raise TerritoryFileError(f"{where}: bad EU LAU CODE {eu_code!r}")
        national = get.get("lau_code", "")
        if national and national != code and national.lstrip("0") != code.lstrip("0"):
            raise TerritoryFileError(
                f"{where}: LAU CODE {national!r} disagrees with EU LAU CODE {eu_code!r}"
            )
        return code
    code = get.get("lau_code", "")
    if code and not _LAU_CODE.fullmatch(code):
        raise TerritoryFileError(f"{where}: bad LAU CODE {code!r}")
    return code


# ------------------------------------------------------------------------- checks


def missing_parents(records: Iterable[Territory]) -> list[Territory]:
    """The records whose parent code is not among the NUTS codes of ``records``."""
    records = list(records)
    nuts = {r.code for r in records if r.scheme == "NUTS"}
    return [r for r in records if r.parent_code is not None and r.parent_code not in nuts]
