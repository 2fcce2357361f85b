"""deploy/ports.toml is the one port plan: ``make run`` reads it, and the files that cannot
(docker-compose.yml, Prometheus' scrape targets, the Kubernetes manifests) must repeat it."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.plan import PLAN, ROOT, Planned, load_plan
from fairwind.settings import ServiceSettings
from services.notify.settings import NotifySettings
from services.orders.settings import OrdersSettings

K8S = ROOT / "deploy" / "k8s" / "base"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _numbers(planned: Planned) -> dict[str, int]:
    ports = planned.ports
    return {"http": ports.http, "grpc": ports.grpc, "metrics": ports.metrics}


def _env_ports(env: dict[str, Any]) -> dict[str, int]:
    return {kind: int(env[f"FAIRWIND_{kind.upper()}_PORT"]) for kind in ("http", "grpc", "metrics")}


def test_the_plan_gives_each_service_ports_of_its_own() -> None:
    assert load_plan() == PLAN
    ports = [port for planned in PLAN.values() for port in _numbers(planned).values()]
    assert len(ports) == len(set(ports))
    assert all(1024 < port < 65536 for port in ports)


def test_compose_runs_every_service_on_the_plans_ports() -> None:
    compose = _yaml(ROOT / "docker-compose.yml")["services"]
    services = {
        name: spec
        for name, spec in compose.items()
        if spec.get("command", [""])[0].startswith("services.")
    }
    assert list(services) == list(PLAN)
    for name, spec in services.items():
        numbers = _numbers(PLAN[name])
        assert _env_ports(spec["environment"]) == numbers, name
        assert spec["ports"] == [f"{port}:{port}" for port in numbers.values()], name


def test_prometheus_scrapes_each_service_where_it_serves_metrics() -> None:
    config = _yaml(ROOT / "deploy" / "prometheus" / "prometheus.yml")
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "fairwind"]
    targets = {c["labels"]["service"]: c["targets"] for c in job["static_configs"]}
    assert targets == {name: [f"{name}:{p.metrics_port}"] for name, p in PLAN.items()}


def test_kubernetes_has_a_folder_for_every_service_of_the_plan() -> None:
    folders = {p.parent.name for p in K8S.glob("*/deployment.yaml")}
    assert folders == set(PLAN)


@pytest.mark.parametrize("name", list(PLAN))
def test_kubernetes_deployment_listens_on_the_plans_ports(name: str) -> None:
    planned, numbers = PLAN[name], _numbers(PLAN[name])
    pod = _yaml(K8S / name / "deployment.yaml")["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert _env_ports({e["name"]: e["value"] for e in container["env"]}) == numbers
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == numbers
    scrape = pod["metadata"]["annotations"]["prometheus.io/port"]
    assert int(scrape) == planned.metrics_port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe].get("grpc") or container[probe]["httpGet"]
        port = check["port"]
        assert port in numbers.values() or port in numbers, (probe, port)


@pytest.mark.parametrize("name", list(PLAN))
def test_kubernetes_service_exposes_the_plans_ports(name: str) -> None:
    service = _yaml(K8S / name / "service.yaml")
    ports = {p["name"]: (p["port"], p["targetPort"]) for p in service["spec"]["ports"]}
    assert ports == {kind: (port, kind) for kind, port in _numbers(PLAN[name]).items()}


def _settings_class(name: str) -> type[ServiceSettings] | None:
    try:
        module = importlib.import_module(f"services.{name}.settings")
    except ModuleNotFoundError:
        return None  # a service not built yet (notify) has no settings to agree
    (found,) = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value.__module__ == module.__name__
    ]
    return found


@pytest.mark.parametrize("name", list(PLAN))
def test_a_service_started_without_the_launcher_listens_where_the_plan_says(name: str) -> None:
    """``python -m services.<name> serve`` with no environment uses its settings' defaults."""
    settings = _settings_class(name)
    if settings is None:
        pytest.skip(f"services.{name} has no settings yet")
    fields = settings.model_fields
    defaults = {kind: fields[f"{kind}_port"].default for kind in ("http", "grpc", "metrics")}
    assert defaults == _numbers(PLAN[name])


def test_the_orders_service_calls_routing_and_crm_where_the_plan_puts_them() -> None:
    fields = OrdersSettings.model_fields
    assert fields["routing_target"].default == f"127.0.0.1:{PLAN['routing'].ports.grpc}"
    assert fields["crm_target"].default == f"127.0.0.1:{PLAN['crm'].ports.grpc}"


def test_notify_checks_partner_keys_with_orders_where_the_plan_puts_it() -> None:
    fields = NotifySettings.model_fields
    assert fields["orders_target"].default == f"127.0.0.1:{PLAN['orders'].ports.grpc}"
