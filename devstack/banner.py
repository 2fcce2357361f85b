"""What ``make run`` prints once everything starts: where each part listens, the exports
for another shell, and what a person can do next."""

from __future__ import annotations

from devstack.env import Simulation
from devstack.plan import PLAN, ports_of
from fairwind.infra.local import LocalInfra

# The page a service's banner line links to, where /docs is not the useful one.
LANDING: dict[str, str] = {"sla": "/v1/compliance?sla=pickup&by=outlet"}

# What a person can do next with a running service.
HINTS: dict[str, str] = {
    "orders": "partner key: .venv/bin/python -m services.orders keys create --partner demo",
    "tracking": "scanner token: .venv/bin/python -m services.tracking devices create "
    "--location HSZX --kind hub --city SZX",
    "crm": "a customer's tier: .venv/bin/python -m services.crm customers show bigmall",
}
# Without the simulator no customer is known yet: the hint imports one first.
HINTS_WITHOUT_SIM: dict[str, str] = HINTS | {
    "crm": 'a customer\'s tier: echo \'{"customer_id": "demo", "revenue_90d_cny": 5000}\' '
    "| .venv/bin/python -m services.crm customers import "
    "&& .venv/bin/python -m services.crm customers show demo",
}


def describe(name: str, offset: int = 0) -> str:
    """One banner line: where a running service listens."""
    planned, ports = PLAN[name], ports_of(name, offset)
    parts = []
    if planned.rest:
        parts.append(f"API http://127.0.0.1:{ports.http}{LANDING.get(name, '/docs')}")
    if planned.grpc:
        parts.append(f"gRPC 127.0.0.1:{ports.grpc}")
    metrics = planned.metrics_port + offset
    parts.append(f"metrics http://127.0.0.1:{metrics}/metrics")
    return f"  {name:<9} " + "   ".join(parts)


def banner(
    infra: LocalInfra,
    services: list[str],
    offset: int,
    simulation: Simulation | None = None,
    outlets: list[str] | None = None,
) -> str:
    lines = [
        "",
        "Fairwind is running (Ctrl-C stops everything).",
        "",
        f"  Kafka broker   {infra.kafka_bootstrap}   {infra.broker_line}",
        f"  MongoDB        {infra.mongo_url}",
        "",
    ]
    lines += [describe(name, offset) for name in services]
    lines += outlets or []
    if not services:
        lines.append("  No service has an entrypoint yet; the infrastructure is ready for them.")
    if simulation is not None:
        lines += [
            "",
            f"  Simulated day from {simulation.origin:%Y-%m-%d %H:%M %Z} at {simulation.speed:g}x "
            "business time; the simulator starts once every service listens.",
            f"  Track a parcel: http://127.0.0.1:{ports_of('tracking', offset).http}"
            "/v1/track/<waybill>",
        ]
    lines += ["", "  To use this infrastructure from another shell:"]
    exports = infra.env() | (
        {k: v for k, v in simulation.env().items() if k.startswith("FAIRWIND_CLOCK_")}
        if simulation
        else {}
    )
    lines += [f"    export {k}={v}" for k, v in exports.items()]
    known = HINTS if simulation else HINTS_WITHOUT_SIM
    hints = [known[name] for name in services if name in known]
    if hints:
        lines += ["", "  Next (in a shell with the exports above):"]
        lines += [f"    {hint}" for hint in hints]
    return "\n".join(lines) + "\n"
