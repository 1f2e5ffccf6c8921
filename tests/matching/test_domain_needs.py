"""Matching's need domains are intake's code list, in its priority order."""

import json
from pathlib import Path

from services.matching.domain.needs import NEED_DOMAINS, NeedDomain
from services.pathways.domain.needs import PRIORITY_ORDER

CODE_LIST = Path(__file__).parents[2] / "services/intake/code_lists/data/need-domains.json"


def test_need_domains_are_the_code_lists_in_priority_order() -> None:
    items = json.loads(CODE_LIST.read_text())["items"]
    codes = tuple(i["code"] for i in sorted(items, key=lambda i: i["priority_order"]))
    assert tuple(NeedDomain) == codes
    assert NEED_DOMAINS == codes
    assert NEED_DOMAINS == PRIORITY_ORDER
