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
from services.processes import DEFAULT_PORTS

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
        assert definition["ports"] == ["8000:8000"]
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
        assert container["ports"] == [{"containerPort": DEFAULT_PORTS[service]}]
        from_secret = {"PONTE_INTERNAL_TOKEN"}
        names = {entry["name"] for entry in container["env"]} | set(config) | from_secret
        assert {"secretRef": {"name": "ponte-internal"}} in container["envFrom"]
        assert names - env_names(SETTINGS[service]) == set()
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
