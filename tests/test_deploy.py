"""docker-compose.yml and the Dockerfile agree with the code (no Docker engine here to run them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from services.gateway.settings import GatewaySettings
from services.intake.settings import IntakeSettings
from services.matching.settings import MatchingSettings
from services.pathways.settings import PathwaysSettings
from tools.processes import DEFAULT_GATEWAY_INTERNAL_PORT, DEFAULT_PORTS

ROOT = Path(__file__).resolve().parent.parent
SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "intake": IntakeSettings,
    "pathways": PathwaysSettings,
    "matching": MatchingSettings,
}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias.upper() if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_compose_runs_postgres_16_and_the_four_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", *SETTINGS}
    assert compose["services"]["postgres"]["image"] == "postgres:16"


@pytest.mark.parametrize("service", list(SETTINGS))
def test_each_service_is_built_for_its_name_and_port(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    assert definition["build"]["dockerfile"] == "deploy/Dockerfile"
    assert definition["build"]["args"] == {"SERVICE": service, "PORT": str(DEFAULT_PORTS[service])}
    assert "healthcheck" in definition
    assert definition["depends_on"]["postgres"]["condition"] == "service_healthy"
    if service == "gateway":
        assert definition["ports"] == ["8000:8000"], "only the public port is published"
        assert definition["expose"] == [str(DEFAULT_GATEWAY_INTERNAL_PORT)]
    else:
        assert "ports" not in definition, "only the gateway is public"
        assert definition["expose"] == [str(DEFAULT_PORTS[service])]


@pytest.mark.parametrize("service", list(SETTINGS))
def test_every_ponte_variable_is_a_setting_of_that_service(
    compose: dict[str, Any], service: str
) -> None:
    environment = compose["services"][service]["environment"]
    ponte = {name for name in environment if name.startswith("PONTE_")}
    assert ponte - env_names(SETTINGS[service]) == set()
    assert f"PONTE_{service.upper()}_DATABASE_URL" in ponte
    database = environment[f"PONTE_{service.upper()}_DATABASE_URL"]
    assert re.fullmatch(
        rf"postgresql://ponte_{service}:\$\{{PONTE_DB_PASSWORD\}}@postgres:5432/ponte_{service}",
        database,
    )
    assert environment["PONTE_AUTH_JWKS_URL"] == "http://gateway:8000/.well-known/jwks.json"


def test_gateway_points_at_the_services_where_they_listen(compose: dict[str, Any]) -> None:
    environment = compose["services"]["gateway"]["environment"]
    for service in ("intake", "pathways", "matching"):
        assert environment[f"PONTE_GATEWAY_{service.upper()}_URL"] == (
            f"http://{service}:{DEFAULT_PORTS[service]}"
        )
        assert (
            compose["services"]["gateway"]["depends_on"][service]["condition"] == "service_healthy"
        )


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile
    assert "--require-hashes" in dockerfile


def test_settings_read_their_documented_names() -> None:
    assert "PONTE_INTAKE_DATABASE_URL" in env_names(IntakeSettings)
    assert "PONTE_BOOTSTRAP_ADMIN_EMAIL" in env_names(GatewaySettings)
    assert "PONTE_AUTH_JWKS_URL" in env_names(MatchingSettings)


def test_kubernetes_manifests_use_known_settings_and_ports() -> None:
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "ponte.yaml").read_text()))
    config = next(doc for doc in documents if doc["kind"] == "ConfigMap")["data"]
    deployments = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Deployment"}
    assert set(deployments) == set(SETTINGS)
    for service, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        if service == "gateway":
            assert container["ports"] == [
                {"containerPort": DEFAULT_PORTS[service], "name": "public"},
                {"containerPort": DEFAULT_GATEWAY_INTERNAL_PORT, "name": "internal"},
            ]
        else:
            assert container["ports"] == [{"containerPort": DEFAULT_PORTS[service]}]
        from_secret = {"PONTE_INTERNAL_TOKEN"}
        names = {entry["name"] for entry in container["env"]} | set(config) | from_secret
        assert {"secretRef": {"name": "ponte-internal"}} in container["envFrom"]
        assert names - env_names(SETTINGS[service]) == set()
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


# Item 8 of issue 13: the public entry serves only the public API. The gateway's /internal/* and
# /metrics are on its internal port (services/gateway/edge/surfaces.py), which only the cluster
# reaches.

PUBLIC_PATHS = [
    "/api/v1/auth/token",
    "/api/v1/beneficiaries",
    "/.well-known/jwks.json",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
]
NEVER_PUBLIC = [
    "/internal/events",
    "/internal/organizations/x/emergency-entitlement",
    "/internal/beneficiaries/x/export",
    "/metrics",
    "/healthz",
    "/readyz",
    "/",
    "/apix",
    "/openapi.json/x",
    "/.well-known/other",
]


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "ponte.yaml").read_text()))


def _of(manifests: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


def _ingress_backend(manifests: list[dict[str, Any]], path: str) -> tuple[str, int] | None:
    """The backend Kubernetes routes ``path`` to: Exact, or Prefix by whole path elements."""
    for ingress in _of(manifests, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                pattern, kind = entry["path"], entry["pathType"]
                prefix = pattern.rstrip("/")
                matched = (
                    path == pattern
                    if kind == "Exact"
                    else (path == prefix or path.startswith(prefix + "/") or prefix == "")
                )
                if matched:
                    service = entry["backend"]["service"]
                    return service["name"], service["port"]["number"]
    return None


def test_the_ingress_routes_only_public_paths_to_the_public_port(
    manifests: list[dict[str, Any]],
) -> None:
    assert "defaultBackend" not in next(iter(_of(manifests, "Ingress").values()))["spec"]
    for path in PUBLIC_PATHS:
        assert _ingress_backend(manifests, path) == ("gateway", DEFAULT_PORTS["gateway"]), path
    for path in NEVER_PUBLIC:
        assert _ingress_backend(manifests, path) is None, path


def test_the_services_reach_the_gateway_at_its_internal_port(
    manifests: list[dict[str, Any]], compose: dict[str, Any]
) -> None:
    services = _of(manifests, "Service")
    internal = services["gateway-internal"]
    assert internal["spec"]["selector"] == {"service": "gateway"}
    assert [port["targetPort"] for port in internal["spec"]["ports"]] == [
        DEFAULT_GATEWAY_INTERNAL_PORT
    ]
    assert [port["port"] for port in services["gateway"]["spec"]["ports"]] == [
        DEFAULT_PORTS["gateway"]
    ]
    deployments = _of(manifests, "Deployment")
    gateway_env = {
        entry["name"]: entry.get("value")
        for entry in deployments["gateway"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert gateway_env["PONTE_GATEWAY_INTERNAL_PORT"] == str(DEFAULT_GATEWAY_INTERNAL_PORT)
    compose_gateway = compose["services"]["gateway"]["environment"]
    assert compose_gateway["PONTE_GATEWAY_INTERNAL_PORT"] == str(DEFAULT_GATEWAY_INTERNAL_PORT)
    for service in ("intake", "pathways", "matching"):
        container = deployments[service]["spec"]["template"]["spec"]["containers"][0]
        env = {entry["name"]: entry.get("value") for entry in container["env"]}
        name = f"PONTE_{service.upper()}_GATEWAY_URL"
        assert env[name] == f"http://gateway-internal:{DEFAULT_GATEWAY_INTERNAL_PORT}"
        assert compose["services"][service]["environment"][name] == (
            f"http://gateway:{DEFAULT_GATEWAY_INTERNAL_PORT}"
        )
        # Their default (a laptop's `make run`) is the gateway's internal port too.
        default = SETTINGS[service].model_fields["gateway_url"].default
        assert default == f"http://127.0.0.1:{DEFAULT_GATEWAY_INTERNAL_PORT}"
    assert GatewaySettings.model_fields["internal_port"].default == DEFAULT_GATEWAY_INTERNAL_PORT


def test_network_policies_admit_only_ponte_to_internal_ports(
    manifests: list[dict[str, Any]],
) -> None:
    policies = _of(manifests, "NetworkPolicy")
    only_ponte = [{"podSelector": {"matchLabels": {"app": "ponte"}}}]
    gateway = policies["gateway"]["spec"]
    assert gateway["podSelector"] == {"matchLabels": {"service": "gateway"}}
    rules = {rule["ports"][0]["port"]: rule.get("from") for rule in gateway["ingress"]}
    assert rules == {DEFAULT_PORTS["gateway"]: None, DEFAULT_GATEWAY_INTERNAL_PORT: only_ponte}
    services = policies["services"]["spec"]
    selected = services["podSelector"]["matchExpressions"][0]
    assert (selected["key"], selected["operator"]) == ("service", "In")
    assert sorted(selected["values"]) == ["intake", "matching", "pathways"]
    assert services["ingress"] == [{"from": only_ponte}]
    labels = {
        name: doc["spec"]["template"]["metadata"]["labels"]
        for name, doc in _of(manifests, "Deployment").items()
    }
    assert all(label["app"] == "ponte" for label in labels.values())


def test_the_gateway_image_serves_both_ports() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert "python -m services.gateway serve" in command
    assert '[ \\"$PONTE_SERVICE\\" = gateway ]' in command
