"""Rebuild the committed cut in ``services/matching/territories/subset/`` (see its PROVENANCE.md).

    python tools/territory_cut/make_cut.py NUTS_RG_20M_2024_4326.geojson

* ``subset/NUTS_AT_2024.csv``: the NUTS 2024 rows of the pilot territories, in the
  layout of GISCO's attribute table ``NUTS_AT_2024.csv``. The values are the
  ``properties`` of the same GISCO NUTS 2024 release (any ``NUTS_RG_*_2024_*.geojson``
  carries the same attributes), copied unchanged; ``null`` becomes an empty field.
* ``subset/EU-27-LAU-2024-NUTS-2024.xlsx``: the LAU rows of ``cut/lau_rows.csv``
  (each with its source), in the layout of Eurostat's workbook: one sheet per
  country, header row first. Written with the standard library, byte-for-byte
  reproducible (fixed timestamps, sorted shared strings by first use).

Standard library only. This script is a maintenance tool; the import reads the
official files through ``services/matching/territories/files.py``.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

HERE = Path(__file__).resolve().parent
SUBSET = HERE.parent.parent / "services" / "matching" / "territories" / "subset"

NUTS_HEADER = [
    "CNTR_CODE",
    "NUTS_ID",
    "NAME_LATN",
    "NUTS_NAME",
    "MOUNT_TYPE",
    "URBN_TYPE",
    "COAST_TYPE",
]

# The pilot territories: each NUTS code kept with all its ancestors.
NUTS_KEEP = [
    "IT",
    "ITI",
    "ITI4",
    "ITI41",
    "ITI42",
    "ITI43",
    "ITI44",
    "ITI45",
    "CY",
    "CY0",
    "CY00",
    "CY000",
    "EL",
    "EL3",
    "EL30",
    "EL301",
    "EL302",
    "EL303",
    "EL304",
    "EL305",
    "EL306",
    "EL307",
    "ES",
    "ES3",
    "ES30",
    "ES300",
    "FR",
    "FR1",
    "FR10",
    "FR101",
    "FR102",
    "FR103",
    "FR104",
    "FR105",
    "FR106",
    "FR107",
    "FR108",
]

LAU_HEADER = [
    "NUTS3",
    "LAU CODE",
    "EU LAU CODE",
    "LAU NAME NATIONAL",
    "LAU NAME LATIN",
    "CHANGE",
    "POPULATION",
    "TOTAL AREA (m2)",
]
NOTE_SHEET = "Cut"
NOTE_TEXT = [
    "Cut of Eurostat EU-27-LAU-2024-NUTS-2024.xlsx for Ponte's tests and demo.",
    "Only the columns NUTS3 to LAU NAME LATIN carry values; see PROVENANCE.md.",
]


def build_nuts(geojson_path: Path) -> int:
    features = json.loads(geojson_path.read_text(encoding="utf-8"))["features"]
    by_id = {f["properties"]["NUTS_ID"]: f["properties"] for f in features}
    missing = [code for code in NUTS_KEEP if code not in by_id]
    if missing:
        raise SystemExit(f"not in {geojson_path.name}: {', '.join(missing)}")
    with (SUBSET / "NUTS_AT_2024.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(NUTS_HEADER)
        for code in sorted(NUTS_KEEP):
            props = by_id[code]
            writer.writerow(["" if props.get(col) is None else props[col] for col in NUTS_HEADER])
    return len(NUTS_KEEP)


def _col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def write_xlsx(path: Path, sheets: list[tuple[str, list[list[str]]]]) -> None:
    """A minimal, valid SpreadsheetML workbook with text cells in shared strings."""
    strings: list[str] = []
    index: dict[str, int] = {}
    sheet_xml: list[str] = []
    for _, rows in sheets:
        out = [f'{XML_DECL}<worksheet xmlns="{SSML}"><sheetData>']
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row):
                if value == "":
                    continue
                if value not in index:
                    index[value] = len(strings)
                    strings.append(value)
                cells.append(f'<c r="{_col(c)}{r}" t="s"><v>{index[value]}</v></c>')
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
        out.append("</sheetData></worksheet>")
        sheet_xml.append("".join(out))
    count = len(strings)
    sst = [f'{XML_DECL}<sst xmlns="{SSML}" count="{count}" uniqueCount="{count}">']
    sst += [f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings]
    sst.append("</sst>")
    n = len(sheets)
    overrides = [("/xl/workbook.xml", "sheet.main+xml")]
    overrides += [(f"/xl/worksheets/sheet{i}.xml", "worksheet+xml") for i in range(1, n + 1)]
    overrides += [("/xl/sharedStrings.xml", "sharedStrings+xml")]
    content_types = (
        f"{XML_DECL}"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="{part}" ContentType="{OFFICE_CT}.{kind}"/>'
            for part, kind in overrides
        )
        + "</Types>"
    )
    root_rels = (
        f'{XML_DECL}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'{XML_DECL}<workbook xmlns="{SSML}" xmlns:r="{DOC_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    targets = [("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, n + 1)]
    targets += [("sharedStrings", "sharedStrings.xml")]
    workbook_rels = (
        f'{XML_DECL}<Relationships xmlns="{PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{DOC_REL}/{kind}" Target="{target}"/>'
            for i, (kind, target) in enumerate(targets, start=1)
        )
        + "</Relationships>"
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/sharedStrings.xml", "".join(sst)),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheet_xml, start=1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))


def build_lau() -> int:
    with (HERE / "lau_rows.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_country: dict[str, list[list[str]]] = {}
    for row in rows:
        country = row["country"]
        by_country.setdefault(country, [LAU_HEADER]).append(
            [
                row["nuts3"],
                row["lau_code"],
                f"{country}_{row['lau_code']}",
                row["name_national"],
                row["name_latin"],
                "",
                "",
                "",
            ]
        )
    sheets = [(NOTE_SHEET, [[line] for line in NOTE_TEXT])]
    sheets += sorted(by_country.items())
    write_xlsx(SUBSET / "EU-27-LAU-2024-NUTS-2024.xlsx", sheets)
    return len(rows)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    SUBSET.mkdir(exist_ok=True)
    print("NUTS rows:", build_nuts(Path(argv[1])))
    print("LAU rows:", build_lau())


if __name__ == "__main__":
    main(sys.argv)
