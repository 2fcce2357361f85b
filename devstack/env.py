"""The environments the launcher starts its children with: a service's own ports and its
peers, what one stack shares, the simulator's endpoints and the simulated business clock."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devstack.plan import NETWORK_FILE, ports_of
from fairwind.clock import PlatformClock, next_day_start


def service_env(name: str, infra_env: dict[str, str], offset: int = 0) -> dict[str, str]:
    """A service's environment: the infrastructure, its own ports, where its peers are."""
    ports = ports_of(name, offset)
    peers = {
        f"FAIRWIND_{peer.upper()}_TARGET": f"127.0.0.1:{ports_of(peer, offset).grpc}"
        for peer in ("orders", "routing", "crm", "tracking")
    }
    return (
        os.environ
        | infra_env
        | peers
        | {
            "FAIRWIND_SERVICE_NAME": name,
            "FAIRWIND_HTTP_PORT": str(ports.http),
            "FAIRWIND_GRPC_PORT": str(ports.grpc),
            "FAIRWIND_METRICS_PORT": str(ports.metrics),
            "FAIRWIND_LOG_JSON": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )


# One broker and every service on one machine: 4 partitions a topic, not the 12 of a
# cluster (deploy/). The work per poll grows with the partitions a consumer owns, and at 12
# the end-to-end p99 at 200 orders/s was twice as long on a 2-core box (PERFORMANCE.md).
LOCAL_PARTITIONS = 4


def stack_env(offset: int = 0) -> dict[str, str]:
    """What every service of one stack agrees on: where the public tracking page is (the
    links in order responses point there) and the secret those links are signed with, so
    tracking accepts orders' tokens; notify's survey page and the secret of its links; and
    how many partitions the event topics get. One secret per run, unless the environment
    has one."""
    tracking, notify = ports_of("tracking", offset).http, ports_of("notify", offset).http
    return {
        "FAIRWIND_KAFKA_PARTITIONS": os.environ.get("FAIRWIND_KAFKA_PARTITIONS")
        or str(LOCAL_PARTITIONS),
        "FAIRWIND_PUBLIC_TRACKING_URL": f"http://127.0.0.1:{tracking}/v1/track/",
        "FAIRWIND_LINK_SECRET": os.environ.get("FAIRWIND_LINK_SECRET") or secrets.token_urlsafe(32),
        "FAIRWIND_SURVEY_URL_BASE": f"http://127.0.0.1:{notify}/v1/surveys/",
        "FAIRWIND_UNSUBSCRIBE_URL_BASE": f"http://127.0.0.1:{notify}/v1/unsubscribe/",
        "FAIRWIND_MESSAGE_LINK_SECRET": (
            os.environ.get("FAIRWIND_MESSAGE_LINK_SECRET") or secrets.token_urlsafe(32)
        ),
    }


def sim_env(offset: int = 0) -> dict[str, str]:
    """Where the simulator finds the stack's public interfaces and the network's roster
    (``python -m sim`` reads these; it knows no port plan of its own)."""
    return {
        "FAIRWIND_SIM_ORDERS_URL": f"http://127.0.0.1:{ports_of('orders', offset).http}",
        "FAIRWIND_SIM_TRACKING_URL": f"http://127.0.0.1:{ports_of('tracking', offset).http}",
        "FAIRWIND_SIM_ROUTING_TARGET": f"127.0.0.1:{ports_of('routing', offset).grpc}",
        "FAIRWIND_SIM_SLA_URL": f"http://127.0.0.1:{ports_of('sla', offset).http}",
        # Optional: the partners then register webhook receivers, and the summary counts
        # the messages notify sent.
        "FAIRWIND_SIM_NOTIFY_URL": f"http://127.0.0.1:{ports_of('notify', offset).http}",
        "FAIRWIND_SIM_NETWORK": str(NETWORK_FILE),
    }


@dataclass(frozen=True)
class Simulation:
    """The business clock every process shares, and the SLA worker's event-time settings."""

    speed: float
    origin: datetime
    anchor: datetime

    @classmethod
    def starting(cls, speed: float, zone: str, startup_s: float = 20) -> Simulation:
        """A day from the next 07:00 in the network's zone; business time reaches it once
        the services have had ``startup_s`` to start."""
        anchor = datetime.now(UTC) + timedelta(seconds=startup_s)
        return cls(speed, next_day_start(anchor, ZoneInfo(zone)), anchor)

    @property
    def lateness_s(self) -> float:
        """How far the SLA timers stay behind the newest event time: two wall seconds of
        business time (the pipeline's lag on a busy machine), and at least 10 minutes."""
        return max(600.0, 2.0 * self.speed)

    def clock(self) -> PlatformClock:
        """The business clock the processes started with ``env()`` share."""
        return PlatformClock(self.speed, self.origin, self.anchor)

    def env(self) -> dict[str, str]:
        return {
            "FAIRWIND_CLOCK_SPEED": f"{self.speed:g}",
            "FAIRWIND_CLOCK_ORIGIN": self.origin.isoformat(),
            "FAIRWIND_CLOCK_ANCHOR": self.anchor.isoformat(),
            # SLA timers follow event time (the scans), held back a little so a closing scan
            # still in flight on another topic is not beaten by its timer: the same figures
            # at any speed.
            "FAIRWIND_CLOCK": "event",
            "FAIRWIND_EVENT_LATENESS_S": f"{self.lateness_s:g}",
            "FAIRWIND_TICK_INTERVAL_S": "0.5",
            "FAIRWIND_SNAPSHOT_INTERVAL_S": "5",
            # Handhelds poll their task lists every few business minutes.
            "FAIRWIND_ACCEPTANCE_TIMEOUT_S": "900",
        }
