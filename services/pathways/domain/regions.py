"""Nationality groups for cross-tabulated indicators: the regions of the UN's M49 standard
(https://unstats.un.org/unsd/methodology/m49/), by ISO 3166-1 alpha-2 code. Its sub-regions, except
that Sub-Saharan Africa and Latin America and the Caribbean are kept whole (M49's intermediate
regions), as migration statistics group them. A nationality alone is too fine to publish by sex
and age: most cells would be "<5"."""

from __future__ import annotations

from services.pathways.domain.indicators import UNKNOWN

GROUP_MEMBERS = {
    "northern_africa": "DZ EG EH LY MA SD TN",
    "sub_saharan_africa": (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW IO KE KM LR LS MG ML MR MU "
        "MW MZ NA NE NG RE RW SC SH SL SN SO SS ST SZ TD TF TG TZ UG YT ZA ZM ZW"
    ),
    "latin_america_caribbean": (
        "AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT "
        "JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    "northern_america": "BM CA GL PM US",
    "central_asia": "KG KZ TJ TM UZ",
    "eastern_asia": "CN HK JP KP KR MN MO TW",
    "south_eastern_asia": "BN ID KH LA MM MY PH SG TH TL VN",
    "southern_asia": "AF BD BT IN IR LK MV NP PK",
    "western_asia": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    "eastern_europe": "BG BY CZ HU MD PL RO RU SK UA",
    "northern_europe": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",
    "southern_europe": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA XK",
    "western_europe": "AT BE CH DE FR LI LU MC NL",
    "oceania": (
        "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"
    ),
}
NATIONALITY_GROUPS: dict[str, str] = {
    code: group for group, codes in GROUP_MEMBERS.items() for code in codes.split()
}
OTHER = "other"  # a code M49 does not list (stateless, a code in use but unassigned)


def nationality_group(nationality: str | None) -> str:
    if nationality is None:
        return UNKNOWN
    return NATIONALITY_GROUPS.get(nationality.upper(), OTHER)
