"""End to end through the gateway (issue 16, item 7): a caseload screen in one call. The rows are
the page ``GET /api/v1/pathways`` answers for the same query, in its order and with its cursor,
each with the person's name as intake shows it to the caller: an organisation the person shares
only the pathway section with lists the pathway without the name; another organisation lists
nothing; a filter pathways refuses is its 422, passed on."""

from __future__ import annotations

import pytest

from tests.e2e.beneficiary_world import ok
from tests.e2e.conftest import Stack
from tests.e2e.helpers import open_pathway, organisation
from tests.e2e.test_documents import _share

pytestmark = pytest.mark.e2e

NAMES = [("Amina", "Diallo"), ("Yusuf", "Kaya"), ("Leila", "Haddad")]


def test_a_caseload_page_carries_the_names_its_reader_may_see(stack: Stack) -> None:
    with stack.client() as client:
        ngo, partner = organisation(client, "Sportello"), organisation(client, "Partner")
        stranger = organisation(client, "Altrove")
        people = []
        for given, family in NAMES:
            body = {"given_name": given, "family_name": family, "birth_date": "1993-03-03"}
            people.append(ok(client.post("/api/v1/beneficiaries", json=body, headers=ngo.operator)))
        opened = [open_pathway(client, ngo.operator, person["id"]) for person in people]

        query = {"assigned_to": "me"}
        rows = ok(client.get("/api/v1/cases", params=query, headers=ngo.operator))
        pathways = ok(client.get("/api/v1/pathways", params=query, headers=ngo.operator))
        assert rows["unavailable"] == []
        assert [row["pathway"] for row in rows["items"]] == pathways["items"]
        names = {
            row["person"]["id"]: (row["person"]["given_name"], row["person"]["family_name"])
            for row in rows["items"]
        }
        assert names == {
            person["id"]: tuple(name) for person, name in zip(people, NAMES, strict=True)
        }
        assert all(row["pathway"]["beneficiary_id"] == row["person"]["id"] for row in rows["items"])

        # Paged as pathways pages: two, then the last one.
        first = ok(client.get("/api/v1/cases", params={**query, "limit": 2}, headers=ngo.operator))
        assert len(first["items"]) == 2
        assert first["next_cursor"]
        rest = ok(
            client.get(
                "/api/v1/cases",
                params={**query, "limit": 2, "cursor": first["next_cursor"]},
                headers=ngo.operator,
            )
        )
        paged = [row["pathway"]["id"] for row in first["items"] + rest["items"]]
        assert paged == [row["pathway"]["id"] for row in rows["items"]]
        assert rest["next_cursor"] is None

        # The partner runs its own pathway for Amina, who shares only the pathway section with it:
        # its caseload lists its pathway and the centre's, not her name.
        amina = people[0]["id"]
        _share(client, ngo, amina, partner.id, ["pathway"])
        theirs = open_pathway(client, partner.operator, amina)
        seen = ok(client.get("/api/v1/cases", headers=partner.operator))["items"]
        assert {row["pathway"]["id"] for row in seen} == {theirs["id"], opened[0]["id"]}
        assert all(row["person"] is None or row["person"]["given_name"] is None for row in seen)
        assert "Amina" not in str(seen)
        [mine] = ok(client.get("/api/v1/cases", params=query, headers=partner.operator))["items"]
        assert mine["pathway"]["id"] == theirs["id"]

        assert ok(client.get("/api/v1/cases", headers=stranger.operator))["items"] == []
        refused = client.get("/api/v1/cases", params={"stage": "nowhere"}, headers=ngo.operator)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"]
        too_many = client.get("/api/v1/cases", params={"limit": 201}, headers=ngo.operator)
        assert too_many.status_code == 422
