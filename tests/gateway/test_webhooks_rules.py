"""The pure parts of webhooks: Standard Webhooks signatures, the SSRF address policy, and who
receives which event with which data."""

from __future__ import annotations

import ipaddress
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.gateway.webhooks import audience, signing, ssrf
from services.gateway.webhooks.catalogue import CATALOGUE, WebhookEventType
from services.gateway.webhooks.delivery import render
from services.gateway.webhooks.queue import DeliveryPolicy
from shared.access_mirror import Access

# --- signatures ---------------------------------------------------------------------------------


def test_signature_matches_the_standard_webhooks_reference_vector() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_receiver_verifies_and_refuses_what_was_tampered_with() -> None:
    secret, other = signing.new_secret(), signing.new_secret()
    body = b'{"type":"beneficiary.registered"}'
    now = int(time.time())
    headers = signing.headers([secret], "evt-1", now, body)
    signing.verify(secret, headers, body)
    for bad_secret, bad_body, bad_headers in (
        (other, body, headers),
        (secret, body + b" ", headers),
        (secret, body, {**headers, "webhook-id": "evt-2"}),
        (secret, body, signing.headers([secret], "evt-1", now - 3600, body)),  # a replay
        (secret, body, {k: v for k, v in headers.items() if k != "webhook-signature"}),
    ):
        with pytest.raises(signing.InvalidSignature):
            signing.verify(bad_secret, bad_headers, bad_body)


def test_during_a_rotation_either_secret_verifies() -> None:
    new, old = signing.new_secret(), signing.new_secret()
    headers = signing.headers([new, old], "evt", int(time.time()), b"{}")
    assert len(headers["webhook-signature"].split()) == 2
    signing.verify(new, headers, b"{}")
    signing.verify(old, headers, b"{}")


def test_secrets_are_whsec_base64_of_enough_random_bytes() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(signing.secret_bytes(secret)) == 24
    assert signing.new_secret() != secret
    for bad in ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not*base64", "whsec_c2hvcnQ="):
        with pytest.raises(signing.InvalidSecret):
            signing.secret_bytes(bad)


def test_the_body_is_the_same_bytes_at_every_attempt() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = render("pathway.closed", at, {"b": 1, "a": "x"})
    assert first == render("pathway.closed", at, {"a": "x", "b": 1})
    assert first == (
        b'{"data":{"a":"x","b":1},"timestamp":"2026-01-02T03:04:05+00:00","type":"pathway.closed"}'
    )


def test_back_off_grows_exponentially_within_its_cap_with_jitter() -> None:
    policy = DeliveryPolicy(retry_base_seconds=5, retry_cap_seconds=60)
    for attempts, ceiling in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (50, 60)):
        delays = {policy.retry_delay(attempts) for _ in range(50)}
        assert all(5 <= delay <= ceiling for delay in delays)
        assert attempts == 1 or len(delays) > 1


# --- SSRF ---------------------------------------------------------------------------------------

CLOSED, LOOPBACK, PRIVATE = (
    ssrf.AddressPolicy(),
    ssrf.AddressPolicy(True),
    ssrf.AddressPolicy(allow_private=True),
)


@pytest.mark.parametrize(
    ("address", "closed", "loopback", "private"),
    [
        ("8.8.8.8", True, True, True),
        ("2001:4860:4860::8888", True, True, True),
        ("127.0.0.1", False, True, False),
        ("::1", False, True, False),
        ("::ffff:127.0.0.1", False, True, False),
        ("10.0.0.1", False, False, True),
        ("172.16.5.4", False, False, True),
        ("192.168.1.1", False, False, True),
        ("fd00::1", False, False, True),
        ("100.64.0.1", False, False, True),
        ("169.254.169.254", False, False, False),  # cloud metadata
        ("fe80::1", False, False, False),
        ("224.0.0.1", False, False, False),
        ("0.0.0.0", False, False, False),  # noqa: S104 - the address under test
        ("::", False, False, False),
        ("240.0.0.1", False, False, False),
        # IPv6 forms that carry an IPv4 address are judged by that address.
        ("::7f00:1", False, True, False),  # IPv4-compatible 127.0.0.1
        ("::a00:1", False, False, True),  # IPv4-compatible 10.0.0.1
        ("::a9fe:a9fe", False, False, False),  # IPv4-compatible 169.254.169.254
        ("::808:808", True, True, True),  # IPv4-compatible 8.8.8.8
        ("::ffff:a9fe:a9fe", False, False, False),  # IPv4-mapped 169.254.169.254
        ("::ffff:a00:1", False, False, True),  # IPv4-mapped 10.0.0.1
        ("64:ff9b::7f00:1", False, True, False),  # NAT64 127.0.0.1
        ("64:ff9b::a00:1", False, False, True),  # NAT64 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False, False, False),  # NAT64 169.254.169.254
        ("64:ff9b::808:808", True, True, True),  # NAT64 8.8.8.8
        ("64:ff9b:1::a00:1", False, False, False),  # local-use NAT64: never
        ("64:ff9b:1:7f00:1::", False, False, False),
        ("2002:7f00:1::1", False, True, False),  # 6to4 127.0.0.1
        ("2002:a00:1::1", False, False, True),  # 6to4 10.0.0.1
        ("2002:a9fe:a9fe::1", False, False, False),  # 6to4 169.254.169.254
        ("2002:808:808::1", True, True, True),  # 6to4 8.8.8.8
        # Teredo: server 65.54.227.120, client 127.0.0.1 (stored inverted)
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False, True, False),
        # Teredo: server 65.54.227.120, client 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False, False, True),
        # Teredo: server 65.54.227.120, client 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", True, True, True),
        ("fec0::1", False, False, True),  # deprecated site-local
        ("feff::1", False, False, True),
    ],
)
def test_address_policy(address: str, closed: bool, loopback: bool, private: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert (ssrf.refusal(ip, CLOSED) is None) is closed
    assert (ssrf.refusal(ip, LOOPBACK) is None) is loopback
    assert (ssrf.refusal(ip, PRIVATE) is None) is private


def _resolver(answers: dict[str, list[str]]) -> ssrf.Resolver:
    async def resolve(host: str, _port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such host")
        return answers[host]

    return resolve


async def test_targets_are_resolved_checked_and_pinned() -> None:
    resolver = _resolver(
        {
            "hooks.example.org": ["93.184.215.14"],
            "sneaky.example.org": ["93.184.215.14", "10.0.0.7"],
            "metadata.example.org": ["169.254.169.254"],
        }
    )
    target = await ssrf.check("https://hooks.example.org:8443/in?x=1", CLOSED, resolver)
    assert str(target.connect_url) == "https://93.184.215.14:8443/in?x=1"
    assert target.host_header == "hooks.example.org:8443"
    assert target.sni_hostname == "hooks.example.org"
    refused = {
        "ftp://hooks.example.org/": "Only http and https",
        "https://user:pw@hooks.example.org/": "credentials",
        "https:///nohost": "no host",
        "http://hooks.example.org/": "Use https",
        "https://sneaky.example.org/": "does not resolve to a public address",
        "https://metadata.example.org/": "does not resolve to a public address",
        "https://nowhere.example.org/": "does not resolve to a public address",
        "http://127.0.0.1:9/": "loopback",
        "http://[fe80::1%25eth0]/": "link-local",
        "https://[64:ff9b::a9fe:a9fe]/": "link-local",
        "https://[2002:a00:1::1]/": "private",
        "https://[::7f00:1]/": "loopback",
        "https://[fec0::1]/": "private",
    }
    for url, reason in refused.items():
        with pytest.raises(ssrf.TargetRefused, match=reason):
            await ssrf.check(url, CLOSED, resolver)
    local = await ssrf.check("http://127.0.0.1:9/hook", LOOPBACK, resolver)
    assert local.sni_hostname is None
    assert local.address == "127.0.0.1"
    translated = await ssrf.check("https://[64:ff9b::5db8:d70e]/in", CLOSED, resolver)
    assert translated.address == "64:ff9b::5db8:d70e"


async def test_a_refused_name_reads_like_a_name_that_does_not_resolve() -> None:
    """The refusal must not tell a subscriber which internal names exist."""
    inside = {
        "internal.example.org": ["10.0.0.7"],
        "metadata.example.org": ["169.254.169.254"],
        "loop.example.org": ["::1"],
        "nat64.example.org": ["64:ff9b::a9fe:a9fe"],
        "tunnel.example.org": ["2002:a00:1::1"],
        "site.example.org": ["fec0::1"],
        "empty.example.org": [],
    }
    resolver = _resolver(inside)
    messages = set()
    for host in [*inside, "nowhere.example.org"]:
        with pytest.raises(ssrf.TargetRefused) as refused:
            await ssrf.check(f"https://{host}/hook", CLOSED, resolver)
        messages.add(str(refused.value))
    assert messages == {ssrf.UNREACHABLE_NAME}


@pytest.mark.parametrize(
    "url",
    ["http://localhost:9/", "http://2130706433/", "http://0x7f.1/", "http://[::ffff:7f00:1]/"],
)
async def test_other_spellings_of_loopback_are_resolved_and_refused(url: str) -> None:
    with pytest.raises(ssrf.TargetRefused, match=r"loopback|does not resolve to a public"):
        await ssrf.check(url, CLOSED)  # the system's resolver: these need no network


# --- audience -----------------------------------------------------------------------------------

OWNER, PARTNER, PROVIDER, STRANGER = (uuid.uuid4() for _ in range(4))
CLUSTER = uuid.uuid4()
PERSON = uuid.uuid4()
NOW = datetime.now(UTC)


def _access(*grants: tuple[uuid.UUID, list[str], datetime | None], erased: bool = False) -> Access:
    return Access(
        beneficiary_id=PERSON,
        owner=OWNER,
        grants=tuple(
            {
                "organization_id": str(org),
                "sections": sections,
                "expires_at": expires.isoformat() if expires else None,
            }
            for org, sections, expires in grants
        ),
        matching_consent=True,
        erased=erased,
        merged_into=None,
    )


def _receivers(
    event_type: str, payload: dict[str, Any], access: Access | None
) -> dict[uuid.UUID, dict[str, Any]]:
    decision = audience.decide(event_type, payload, access, NOW)
    assert decision is not None
    return {recipient.organization_id: recipient.data for recipient in decision.recipients}


PROFILE = {"birth_date": "1990-01-01", "nationality": "GH", "skills": [{"label": "masonry"}]}
PERSON_EVENT = {"beneficiary_id": str(PERSON), "organization_id": str(OWNER), "profile": PROFILE}


def test_person_events_go_to_whoever_sees_any_section_with_ids_only() -> None:
    shared = _access(
        (PARTNER, ["pathway"], None), (STRANGER, ["identity"], NOW - timedelta(minutes=1))
    )
    got = _receivers("beneficiary.updated", PERSON_EVENT, shared)
    assert set(got) == {OWNER, PARTNER}  # the expired grant no longer counts
    assert got[OWNER] == {"beneficiary_id": str(PERSON), "organization_id": str(OWNER)}
    registered = _receivers("beneficiary.registered", PERSON_EVENT, None)
    assert set(registered) == {OWNER}
    assert _receivers("beneficiary.updated", PERSON_EVENT, _access(erased=True)) == {}


def test_an_erasure_reaches_everyone_who_could_see_the_person_until_then() -> None:
    payload = {"beneficiary_id": str(PERSON), "organization_id": str(OWNER)}
    got = _receivers("beneficiary.erased", payload, _access((PARTNER, ["profile"], None)))
    assert set(got) == {OWNER, PARTNER}


def test_pathway_events_need_the_pathway_section() -> None:
    payload = {
        "pathway_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "organization_id": str(OWNER),
        "step": "assess",
        "cycle": 1,
        "priority_need": "health",
    }
    access = _access((PARTNER, ["pathway"], None), (STRANGER, ["profile", "identity"], None))
    got = _receivers("pathway.step_recorded", payload, access)
    assert set(got) == {OWNER, PARTNER}
    assert "priority_need" not in got[PARTNER]  # a need is more than the event needs
    assert got[PARTNER]["step"] == "assess"
    with pytest.raises(audience.AccessNotYetKnown):
        audience.decide("pathway.step_recorded", payload, None, NOW)
    late = audience.decide(
        "pathway.step_recorded", payload, None, NOW, unknown_person_sees_nobody=True
    )
    assert late is not None
    assert late.recipients == []


def test_referrals_go_to_the_provider_and_to_the_referrer_while_it_sees_the_profile() -> None:
    payload = {
        "referral_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "offer_id": str(uuid.uuid4()),
        "organization_id": str(PARTNER),
        "provider_organization_id": str(PROVIDER),
        "cluster_id": str(CLUSTER),
        "pathway_id": str(uuid.uuid4()),
        "action_id": str(uuid.uuid4()),
        "status": "proposed",
    }
    got = _receivers("referral.status_changed", payload, _access((PARTNER, ["profile"], None)))
    assert set(got) == {PARTNER, PROVIDER}
    assert "pathway_id" in got[PARTNER]
    assert "pathway_id" not in got[PROVIDER]
    assert "action_id" not in got[PROVIDER]
    assert got[PROVIDER]["status"] == "proposed"
    # Both parties read the referral's cluster (GET /api/v1/referrals/{id} shows it to both).
    assert got[PARTNER]["cluster_id"] == got[PROVIDER]["cluster_id"] == str(CLUSTER)
    # An event of the shape before cluster_id (still in an outbox or inbox) is delivered too.
    old_shape = {key: value for key, value in payload.items() if key != "cluster_id"}
    before = _receivers("referral.status_changed", old_shape, _access((PARTNER, ["profile"], None)))
    assert {data["cluster_id"] for data in before.values()} == {None}
    withdrawn = _receivers("referral.status_changed", payload, _access())
    assert set(withdrawn) == {PROVIDER}
    late = audience.decide(
        "referral.status_changed", payload, None, NOW, unknown_person_sees_nobody=True
    )
    assert late is not None
    assert [r.organization_id for r in late.recipients] == [PROVIDER]


def test_consents_go_to_the_owner_and_the_organisation_named() -> None:
    payload = {
        "consent_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "owner_organization_id": str(OWNER),
        "purpose": "sharing",
        "organization_id": str(PARTNER),
        "sections": ["profile"],
    }
    assert set(_receivers("consent.granted", payload, None)) == {OWNER, PARTNER}
    matching = {**payload, "purpose": "matching", "organization_id": None}
    assert set(_receivers("consent.withdrawn", matching, _access())) == {OWNER}


def test_emergency_accesses_go_to_the_owner_alone_without_the_written_reason() -> None:
    payload = {
        "emergency_access_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "owner_organization_id": str(OWNER),
        "organization_id": str(PARTNER),
        "reason_code": "trafficking_protection",
        "sections": ["contact", "identity", "pathway"],
        "opened_at": NOW.isoformat(),
        "expires_at": (NOW + timedelta(hours=24)).isoformat(),
        "closed_at": None,
        "reason": "a free text that must never leave",  # a producer's mistake: dropped
    }
    seeing = _access(
        (PARTNER, ["contact", "identity", "pathway"], None), (STRANGER, ["profile"], None)
    )
    for kind in ("emergency_access.opened", "emergency_access.closed"):
        got = _receivers(kind, payload, seeing)
        assert set(got) == {OWNER}
        assert set(got[OWNER]) == set(payload) - {"reason"}
        assert got[OWNER]["sections"] == ["contact", "identity", "pathway"]
        assert set(_receivers(kind, payload, None)) == {OWNER}
        assert _receivers(kind, payload, _access(erased=True)) == {}


def test_a_task_falling_due_goes_to_its_organisation_alone_while_it_sees_the_person() -> None:
    task = {
        "task_id": f"placement_follow_up.{uuid.uuid4()}.2026-06-02",
        "kind": "placement_follow_up",
        "due_on": "2026-06-02",
        "organization_id": str(PARTNER),  # B runs a pathway for A's person, shared with it
        "pathway_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "assigned_to": "someone",
    }
    shared = _access((PARTNER, ["pathway"], None))
    assert set(_receivers("task.due", task, shared)) == {PARTNER}  # not the owner
    assert _receivers("task.due", task, shared)[PARTNER]["task_id"] == task["task_id"]
    assert _receivers("task.due", task, _access((PARTNER, ["identity"], None))) == {}
    assert _receivers("task.due", task, _access((PARTNER, ["pathway"], None), erased=True)) == {}
    assert _receivers("task.due", task, None) == {}
    about_no_one = {**task, "pathway_id": None, "beneficiary_id": None, "kind": "manual"}
    assert set(_receivers("task.due", about_no_one, None)) == {PARTNER}


def test_a_transfer_goes_to_both_organisations_without_its_reasons() -> None:
    payload = {
        "transfer_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "from_organization_id": str(OWNER),
        "to_organization_id": str(STRANGER),  # the receiver sees no section of the person yet
        "status": "pending",
        "requested_at": "2026-03-02T09:15:00+00:00",
        "decided_at": None,
        "reason": "a free text that must never leave",  # a producer's mistake: dropped
    }
    seeing = _access((PARTNER, ["contact", "identity", "pathway"], None))
    got = _receivers("transfer.status_changed", payload, seeing)
    assert set(got) == {OWNER, STRANGER}  # not the partner the person shares with
    assert set(got[STRANGER]) == set(payload) - {"reason"}
    assert (got[OWNER]["transfer_id"], got[OWNER]["status"]) == (payload["transfer_id"], "pending")
    assert set(_receivers("transfer.status_changed", payload, None)) == {OWNER, STRANGER}
    assert _receivers("transfer.status_changed", payload, _access(erased=True)) == {}
    # The receiver's task to accept it is announced to the receiver, which sees no section.
    task = {
        "task_id": f"transfer_to_accept.{payload['transfer_id']}.2026-03-02",
        "kind": "transfer_to_accept",
        "due_on": "2026-03-02",
        "organization_id": str(STRANGER),
        "beneficiary_id": str(PERSON),
    }
    assert set(_receivers("task.due", task, seeing)) == {STRANGER}


def test_access_changes_are_not_webhook_events() -> None:
    assert audience.decide("beneficiary.access_changed", {}, None, NOW) is None


def test_the_catalogue_documents_every_type_with_data_its_rules_produce() -> None:
    assert set(CATALOGUE) == {kind.value for kind in WebhookEventType}
    for spec in CATALOGUE.values():
        assert spec.description
        assert spec.audience
        assert spec.example


@given(
    profile=st.dictionaries(
        st.sampled_from(["municipality", "sex", "permit_type"]), st.text(max_size=20)
    ),
    kind=st.sampled_from(["beneficiary.registered", "beneficiary.updated"]),
)
def test_no_profile_field_ever_leaves(profile: dict[str, str], kind: str) -> None:
    payload = {**PERSON_EVENT, "profile": {**profile, "nationality": "GH"}}
    for data in _receivers(kind, payload, None).values():
        assert set(data) == {"beneficiary_id", "organization_id"}


# --- the documentation --------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_the_documented_delivery_verifies_and_the_catalogue_matches_the_code() -> None:
    text = DOC.read_text()
    request = text.split("```http\n", 1)[1].split("```", 1)[0]
    head, body = request.split("\n\n", 1)
    headers = dict(line.split(": ", 1) for line in head.splitlines()[1:])
    timestamp = int(headers["webhook-timestamp"])
    signing.verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, body.strip().encode(), now=timestamp
    )
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - the documentation's own example
    lowered = {key.lower(): value for key, value in headers.items()}
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert namespace["verify"](secret, lowered, body.strip().encode(), tolerance=10**10)
    assert not namespace["verify"](secret, lowered, body.strip().encode() + b" ", 10**10)
    for spec in CATALOGUE.values():
        assert f"### `{spec.type}`" in text
        assert json.dumps(spec.example, indent=2) in text, spec.type


def test_a_reopening_goes_where_the_pathway_goes_without_its_reason() -> None:
    payload = {
        "pathway_id": str(uuid.uuid4()),
        "beneficiary_id": str(PERSON),
        "organization_id": str(OWNER),
        "stage": "monitor",
        "cycle": 2,
        "reason": "a late sender's free text",
    }
    access = _access((PARTNER, ["pathway"], None), (STRANGER, ["profile", "identity"], None))
    got = _receivers("pathway.reopened", payload, access)
    assert set(got) == {OWNER, PARTNER}
    assert got[PARTNER] == {key: value for key, value in payload.items() if key != "reason"}
