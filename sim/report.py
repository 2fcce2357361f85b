"""What the simulator knows it did (its ground truth) against what the platform measured:
the live line while the day runs and the closing comparison."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sim.parcel import Parcel

SLAS = ("pickup", "outlet_delivery", "promise")
PICKUP = timedelta(minutes=60)
OUTLET_DELIVERY = timedelta(minutes=120)
UNCOUNTED = {"scripted", "refused", "cancelled", "broken"}


@dataclass(frozen=True)
class Tally:
    met: int = 0
    breached: int = 0

    @property
    def compliance(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.met + other.met, self.breached + other.breached)

    def __sub__(self, other: Tally) -> Tally:
        return Tally(self.met - other.met, self.breached - other.breached)


def since(after: dict[str, Tally], before: dict[str, Tally]) -> dict[str, Tally]:
    """The figures this run added (the platform may have counted earlier days)."""
    return {sla: after.get(sla, Tally()) - before.get(sla, Tally()) for sla in SLAS}


def classify(closed: datetime | None, deadline: datetime | None, end: datetime) -> Tally:
    """Met if closed by the deadline; breached if closed later or still open past it."""
    if deadline is None:
        return Tally()
    if closed is not None:
        return Tally(met=1) if closed <= deadline else Tally(breached=1)
    return Tally(breached=1) if deadline <= end else Tally()


def clocks(parcel: Parcel) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Each SLA's (closing time, deadline) for a parcel, from what the simulator did."""
    created = parcel.created_at
    outlet = parcel.at_outlet_at
    return {
        "pickup": (parcel.picked_at or parcel.delivered_at, created and created + PICKUP),
        "outlet_delivery": (parcel.delivered_at, outlet and outlet + OUTLET_DELIVERY),
        "promise": (parcel.delivered_at, parcel.deliver_by),
    }


def expected(parcels: Iterable[Parcel], end: datetime) -> dict[str, Tally]:
    totals = dict.fromkeys(SLAS, Tally())
    for parcel in parcels:
        if parcel.state in UNCOUNTED or parcel.created_at is None:
            continue
        for sla, (closed, deadline) in clocks(parcel).items():
            totals[sla] += classify(closed, deadline, end)
    return totals


def measured(pages: dict[str, dict[str, Any]]) -> dict[str, Tally]:
    """Totals over the SLA worker's rows (any dimension: every count is in one row)."""
    return {
        sla: sum(
            (Tally(row["met"], row["breached"]) for row in page.get("rows", {}).values()),
            Tally(),
        )
        for sla, page in pages.items()
    }


def measured_by(pages: dict[str, dict[str, Any]]) -> dict[str, dict[str, Tally]]:
    """Per row value (an outlet, a tier...), the figures of each SLA."""
    rows: dict[str, dict[str, Tally]] = {}
    for sla, page in pages.items():
        for value, row in page.get("rows", {}).items():
            figures = rows.setdefault(value, dict.fromkeys(SLAS, Tally()))
            figures[sla] = Tally(row["met"], row["breached"])
    return rows


def since_by(
    after: dict[str, dict[str, Tally]], before: dict[str, dict[str, Tally]]
) -> dict[str, dict[str, Tally]]:
    return {value: since(figures, before.get(value, {})) for value, figures in after.items()}


def expected_by_tier(
    parcels: Iterable[Parcel], tiers: dict[str, str], end: datetime
) -> dict[str, dict[str, Tally]]:
    """The simulator's account per customer tier, from the tier CRM gave each partner."""
    groups: dict[str, list[Parcel]] = defaultdict(list)
    for parcel in parcels:
        groups[tiers.get(parcel.script.partner, "unknown")].append(parcel)
    return {tier: expected(group, end) for tier, group in groups.items()}


def tier_summary(
    truth: dict[str, dict[str, Tally]], platform: dict[str, dict[str, Tally]]
) -> list[str]:
    lines = [
        "",
        "By customer tier (from CRM): expected / measured compliance",
        f"  {'tier':<6}" + "".join(f"{sla:>26}" for sla in SLAS),
    ]
    for tier in sorted(set(truth) | set(platform)):
        cells = []
        for sla in SLAS:
            want = truth.get(tier, {}).get(sla, Tally())
            got = platform.get(tier, {}).get(sla, Tally())
            cells.append(
                f"{want.met + want.breached:>5} {percent(want.compliance)} / "
                f"{percent(got.compliance)}"
            )
        lines.append(f"  {tier:<6}" + "".join(f"{cell:>26}" for cell in cells))
    return lines


def states(parcels: Iterable[Parcel]) -> Counter[str]:
    return Counter(parcel.state for parcel in parcels)


def percent(value: float | None) -> str:
    return "   —  " if value is None else f"{value * 100:5.1f}%"


def live_line(now: datetime, parcels: list[Parcel], platform: dict[str, Tally], risk: int) -> str:
    count = states(parcels)
    moving = count["picked_up"] + count["in_transit"]
    return (
        f"sim {now:%a %H:%M} | booked {len(parcels) - count['scripted'] - count['refused']:>5}"
        f" · moving {moving:>4} · at outlet {count['at_outlet']:>3}"
        f" · delivered {count['delivered']:>5} · cancelled {count['cancelled']:>3}"
        f" | pickup {percent(platform['pickup'].compliance)}"
        f" outlet {percent(platform['outlet_delivery'].compliance)}"
        f" promise {percent(platform['promise'].compliance)} | at risk {risk:>3}"
    )


def injected(parcels: list[Parcel]) -> dict[str, int]:
    booked = [p for p in parcels if p.waybill]
    return {
        "orders booked": len(booked),
        "orders refused": sum(1 for p in parcels if p.state == "refused"),
        "late pickups": sum(1 for p in booked if p.script.late_pickup and not p.script.cancel),
        "missorts": sum(1 for p in booked if p.script.missort and p.picked_at),
        "re-plans seen by the hubs": sum(p.replans for p in booked),
        "failed delivery attempts": sum(
            p.script.failed_attempts for p in booked if p.delivered_at is not None
        ),
        "exceptions scripted": sum(1 for p in booked if p.script.exception and p.picked_at),
        "cancellations": sum(1 for p in booked if p.state == "cancelled"),
        "delivered": sum(1 for p in booked if p.state == "delivered"),
        "scans sent": sum(p.scans for p in booked),
        "parcels with problems": sum(1 for p in parcels if p.problems),
    }


def final_summary(
    parcels: list[Parcel], truth: dict[str, Tally], platform: dict[str, Tally]
) -> str:
    lines = ["", "What the simulator injected:"]
    lines += [f"  {name:<28}{value:>7}" for name, value in injected(parcels).items()]
    lines += [
        "",
        "Compliance: the simulator's own account vs the SLA service's figures",
        f"  {'SLA':<17}{'expected':>20}{'measured':>22}{'difference':>13}",
    ]
    for sla in SLAS:
        want, got = truth[sla], platform[sla]
        gap = (
            f"{(got.compliance - want.compliance) * 100:+.1f} pt"
            if want.compliance is not None and got.compliance is not None
            else "—"
        )
        lines.append(
            f"  {sla:<17}{want.met:>6} met {want.breached:>4} br {percent(want.compliance)}"
            f"{got.met:>6} met {got.breached:>4} br {percent(got.compliance)}{gap:>13}"
        )
    problems = Counter(problem.split(":")[0] for p in parcels for problem in p.problems)
    if problems:
        lines += ["", "Problems seen (by kind):"]
        lines += [f"  {count:>5}  {kind}" for kind, count in problems.most_common(8)]
        first = next(p for p in parcels if p.problems)
        lines.append(f"  e.g. {first.waybill or first.script.index}: {first.problems[0]}")
    return "\n".join(lines)


_DECISION = re.compile(
    r'^fairwind_notify_decisions_total\{action="(?P<action>\w+)",channel="(?P<channel>\w+)",'
    r'reason="(?P<reason>\w*)"\} (?P<value>[0-9.e+]+)$'
)


def notify_lines(metrics: str) -> list[str]:
    """The summary's messages, from notify's own counters (its /metrics page): per channel,
    sent, still waiting (queued, deferred or retrying) and decided against."""
    counts: dict[str, Counter[str]] = {}
    for line in metrics.splitlines():
        found = _DECISION.match(line)
        if found and found["channel"] in ("email", "sms"):
            counts.setdefault(found["channel"], Counter())[found["action"]] += int(
                float(found["value"])
            )
    if not counts:
        return []
    lines = ["", "Messages (notify's own count):"]
    for channel, seen in sorted(counts.items()):
        decided = seen["send"] + seen["defer"]
        waiting = max(0, decided - seen["sent"] - seen["failed"])
        lines.append(
            f"  {channel:<7}{seen['sent']:>6} sent {waiting:>6} waiting {seen['failed']:>5} failed"
            f" {seen['suppress']:>6} decided against"
        )
    return lines
