"""Tests of territory_files on the committed cut (subset/) and on edge cases."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from services.matching.territories.files import (
    LAU_LEVEL,
    Territory,
    TerritoryFileError,
    missing_parents,
    read_lau_xlsx,
    read_nuts_csv,
)

SUBSET = Path(__file__).resolve().parents[2] / "services" / "matching" / "territories" / "subset"
NUTS_CUT = SUBSET / "NUTS_AT_2024.csv"
LAU_CUT = SUBSET / "EU-27-LAU-2024-NUTS-2024.xlsx"

NUTS_HEADER = "CNTR_CODE,NUTS_ID,NAME_LATN,NUTS_NAME,MOUNT_TYPE,URBN_TYPE,COAST_TYPE\n"


@pytest.fixture(scope="module")
def nuts() -> dict[str, Territory]:
    return {r.code: r for r in read_nuts_csv(NUTS_CUT)}


@pytest.fixture(scope="module")
def lau() -> dict[str, Territory]:
    return {r.key: r for r in read_lau_xlsx(LAU_CUT)}


# ------------------------------------------------------------------ the NUTS cut


def test_nuts_cut_counts(nuts: dict[str, Territory]) -> None:
    assert len(nuts) == 37
    by_level = {level: sum(r.level == level for r in nuts.values()) for level in range(4)}
    assert by_level == {0: 5, 1: 5, 2: 5, 3: 22}


def test_nuts_level_and_parent_from_code(nuts: dict[str, Territory]) -> None:
    roma = nuts["ITI43"]
    assert (roma.scheme, roma.level, roma.parent_code, roma.country) == ("NUTS", 3, "ITI4", "IT")
    assert (roma.name_latin, roma.name_national) == ("Roma", "Roma")
    assert nuts["ITI4"].name_latin == "Lazio"
    assert nuts["ITI4"].parent_code == "ITI"
    assert nuts["ITI"].parent_code == "IT"
    assert nuts["IT"].level == 0
    assert nuts["IT"].parent_code is None
    assert nuts["IT"].key == "IT"


def test_nuts_names_in_both_scripts(nuts: dict[str, Territory]) -> None:
    assert (nuts["EL"].name_latin, nuts["EL"].name_national) == ("Elláda", "Ελλάδα")
    assert (nuts["EL303"].name_latin, nuts["EL303"].name_national) == (
        "Kentrikos Tomeas Athinon",
        "Κεντρικός Τομέας Αθηνών",
    )
    assert nuts["EL307"].name_latin == "Peiraias, Nisoi"  # quoted field with a comma
    assert (nuts["CY000"].name_latin, nuts["CY000"].name_national) == ("Kýpros", "Κύπρος")
    assert nuts["FR108"].name_latin == "Val-d’Oise"


def test_nuts_names_are_trimmed(nuts: dict[str, Territory]) -> None:
    # The official values carry trailing spaces and no-break spaces ("Κύπρος\xa0").
    assert nuts["CY"].name_national == "Κύπρος"
    assert nuts["EL3"].name_national == "Αττική"
    assert nuts["FR102"].name_latin == "Seine-et-Marne"


def test_nuts_pilot_territories_present(nuts: dict[str, Territory]) -> None:
    for code in ["ITI43", "ITI44", "CY000", "ES300", "FR101"] + [f"EL30{i}" for i in range(1, 8)]:
        assert code in nuts
    assert not missing_parents(nuts.values())


def test_nuts_reads_streams() -> None:
    data = NUTS_CUT.read_bytes()
    from_bytes = list(read_nuts_csv(io.BytesIO(data)))
    from_text = list(read_nuts_csv(io.StringIO(data.decode("utf-8"))))
    assert from_bytes == from_text == list(read_nuts_csv(str(NUTS_CUT)))


def test_nuts_bom_and_level_column() -> None:
    text = "\ufeffNUTS_ID,LEVL_CODE,CNTR_CODE,NAME_LATN,NUTS_NAME\nITI43,3,IT,Roma,Roma\n"
    (record,) = read_nuts_csv(io.BytesIO(text.encode("utf-8")))
    assert (record.level, record.parent_code) == (3, "ITI4")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("IT,ITI43X,Roma,Roma,,,", "bad NUTS_ID"),
        ("FR,ITI43,Roma,Roma,,,", "not in country"),
        ("IT,ITI43,,Roma,,,", "no NAME_LATN"),
    ],
)
def test_nuts_bad_rows(row: str, message: str) -> None:
    with pytest.raises(TerritoryFileError, match=message):
        list(read_nuts_csv(io.StringIO(NUTS_HEADER + row + "\n")))


def test_nuts_level_mismatch() -> None:
    text = "NUTS_ID,LEVL_CODE,CNTR_CODE,NAME_LATN,NUTS_NAME\nITI43,2,IT,Roma,Roma\n"
    with pytest.raises(TerritoryFileError, match="LEVL_CODE"):
        list(read_nuts_csv(io.StringIO(text)))


def test_nuts_missing_column() -> None:
    with pytest.raises(TerritoryFileError, match="NAME_LATN"):
        list(read_nuts_csv(io.StringIO("CNTR_CODE,NUTS_ID,NUTS_NAME\nIT,IT,Italia\n")))


# ------------------------------------------------------------------- the LAU cut


def test_lau_cut_counts(lau: dict[str, Territory]) -> None:
    assert len(lau) == 156
    per_parent: dict[str, int] = {}
    for record in lau.values():
        assert record.parent_code is not None
        per_parent[record.parent_code] = per_parent.get(record.parent_code, 0) + 1
    assert per_parent == {"ITI43": 121, "ITI44": 33, "ES300": 1, "FR101": 1}


def test_lau_records(lau: dict[str, Territory]) -> None:
    roma = lau["IT_058091"]
    assert roma == Territory("LAU", "058091", LAU_LEVEL, "ITI43", "IT", "Roma", "Roma")
    assert lau["IT_058120"].name_latin == "Fiumicino"
    assert lau["IT_058047"].name_latin == "Guidonia Montecelio"
    assert lau["IT_058104"].name_latin == "Tivoli"
    assert (lau["IT_059011"].name_latin, lau["IT_059011"].parent_code) == ("Latina", "ITI44")
    assert lau["IT_059001"].name_latin == "Aprilia"
    assert lau["IT_058098"].name_latin == "Sant'Angelo Romano"
    assert lau["ES_28079"].parent_code == "ES300"
    assert lau["FR_75056"].parent_code == "FR101"


def test_lau_leading_zeros_kept(lau: dict[str, Territory]) -> None:
    assert all(len(r.code) == 6 for r in lau.values() if r.country == "IT")


def test_lau_country_filter() -> None:
    only = list(read_lau_xlsx(LAU_CUT, countries=["es", "FR"]))
    assert sorted(r.key for r in only) == ["ES_28079", "FR_75056"]


def test_lau_parents_in_nuts_cut(nuts: dict[str, Territory], lau: dict[str, Territory]) -> None:
    assert not missing_parents([*nuts.values(), *lau.values()])
    assert len(missing_parents(lau.values())) == 156  # alone, every LAU lacks its NUTS 3


def test_lau_reads_a_stream() -> None:
    assert len(list(read_lau_xlsx(io.BytesIO(LAU_CUT.read_bytes())))) == 156


# ---------------------------------------------------- workbook shapes of editions


def _xlsx(sheets: dict[str, str], shared: list[str] | None = None) -> io.BytesIO:
    """A workbook whose sheets are given as raw <sheetData> content."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "xl/workbook.xml",
            f"<workbook {ns} {rel_ns}><sheets>"
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(sheets, 1)
            )
            + "</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="worksheet" Target="/xl/worksheets/s{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Relationships>",
        )
        for i, data in enumerate(sheets.values(), 1):
            zf.writestr(
                f"xl/worksheets/s{i}.xml",
                f"<worksheet {ns}><sheetData>{data}</sheetData></worksheet>",
            )
        if shared is not None:
            zf.writestr(
                "xl/sharedStrings.xml",
                f"<sst {ns}>"
                + "".join(f"<si><r><t>{s}</t></r><rPh><t>x</t></rPh></si>" for s in shared)
                + "</sst>",
            )
    buf.seek(0)
    return buf


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_lau_later_edition_with_period_and_numeric_codes() -> None:
    # PERIOD first, LAU CODE stored as a number (leading zeros lost), names as shared strings.
    header = "".join(
        _inline(f"{c}1", t)
        for c, t in zip(
            "ABCDEF",
            ["PERIOD", "NUTS3", "LAU CODE", "EU LAU CODE", "LAU NAME NATIONAL", "LAU NAME LATIN"],
            strict=True,
        )
    )
    row = (
        '<c r="A2"><v>2025</v></c>'
        + _inline("B2", "ITI43")
        + '<c r="C2"><v>58091.0</v></c>'
        + _inline("D2", "IT_058091")
        + '<c r="E2" t="s"><v>0</v></c><c r="F2" t="s"><v>0</v></c>'
    )
    book = _xlsx(
        {
            "Overview": _inline("A1", "notes"),
            "IT": f'<row r="1">{header}</row><row r="2">{row}</row>',
        },
        shared=["Roma"],
    )
    (record,) = read_lau_xlsx(book)
    assert record == Territory("LAU", "058091", LAU_LEVEL, "ITI43", "IT", "Roma", "Roma")


def test_lau_older_edition_without_eu_code() -> None:
    header = "".join(
        _inline(f"{c}1", t)
        for c, t in zip(
            "ABCD", ["NUTS 3 CODE", "LAU CODE", "LAU NAME NATIONAL", "LAU NAME LATIN"], strict=True
        )
    )
    rows = (
        f'<row r="1">{header}</row>'
        f'<row r="2">{_inline("A2", "ITI43")}{_inline("B2", "058091")}'
        f"{_inline('C2', 'Roma')}{_inline('D2', 'Roma')}</row>"
        '<row r="3"></row>'
    )
    (record,) = read_lau_xlsx(_xlsx({"IT": rows}))
    assert (record.key, record.parent_code, record.name_latin, record.name_national) == (
        "IT_058091",
        "ITI43",
        "Roma",
        "Roma",
    )


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["ITI4", "058091", "IT_058091", "Roma"], "bad NUTS3"),
        (["FRI43", "058091", "IT_058091", "Roma"], "bad NUTS3"),
        (["ITI43", "058091", "FR_058091", "Roma"], "bad EU LAU CODE"),
        (["ITI43", "058092", "IT_058091", "Roma"], "disagrees"),
        (["ITI43", "058091", "IT_058091", ""], "no name"),
    ],
)
def test_lau_bad_rows(cells: list[str], message: str) -> None:
    header = "".join(
        _inline(f"{c}1", t)
        for c, t in zip(
            "ABCD", ["NUTS3", "LAU CODE", "EU LAU CODE", "LAU NAME NATIONAL"], strict=True
        )
    )
    row = "".join(_inline(f"{c}2", t) for c, t in zip("ABCD", cells, strict=True) if t)
    with pytest.raises(TerritoryFileError, match=message):
        list(read_lau_xlsx(_xlsx({"IT": f'<row r="1">{header}</row><row r="2">{row}</row>'})))


def test_lau_sheet_without_header() -> None:
    rows = "".join(f'<row r="{i}">{_inline(f"A{i}", "x")}</row>' for i in range(1, 13))
    with pytest.raises(TerritoryFileError, match="no header"):
        list(read_lau_xlsx(_xlsx({"IT": rows})))


def test_lau_unrecognised_sheet_can_be_skipped() -> None:
    # A third party reports that one sheet of the 2024 workbook (TR) has another layout.
    good = (
        '<row r="1">'
        + "".join(
            _inline(f"{c}1", t)
            for c, t in zip("ABC", ["NUTS3", "EU LAU CODE", "LAU NAME NATIONAL"], strict=True)
        )
        + f'</row><row r="2">{_inline("A2", "ITI43")}{_inline("B2", "IT_058091")}'
        + f"{_inline('C2', 'Roma')}</row>"
    )
    other = f'<row r="1">{_inline("A1", "NUTS3")}{_inline("B1", "Something else")}</row>'
    skipped: list[tuple[str, ...]] = []
    records = list(
        read_lau_xlsx(_xlsx({"IT": good, "TR": other}), on_skip=lambda *args: skipped.append(args))
    )
    assert [r.key for r in records] == ["IT_058091"]
    assert [s for s, _ in skipped] == ["TR"]
    with pytest.raises(TerritoryFileError, match="header lacks"):
        list(read_lau_xlsx(_xlsx({"IT": good, "TR": other})))
    with pytest.raises(TerritoryFileError, match="header lacks"):
        list(read_lau_xlsx(_xlsx({"TR": other}), countries=["TR"], on_skip=print))
