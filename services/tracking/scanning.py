"""Scan commands from handhelds and scanners: check, record, or park a scan whose order
tracking has not read yet, and tell a device what became of a scan."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fairwind.problems import Rejected
from services.tracking import convert, recording
from services.tracking.devices import Device
from services.tracking.domain.status import ScanEvent
from services.tracking.handlers import park_scans
from services.tracking.parking import PARKED_SCAN
from services.tracking.recording import ScanCommand
from services.tracking.schemas import ScanIn
from services.tracking.service import TrackingService, waybill_of
from services.tracking.store import NO_ORDER

Document = dict[str, Any]
_SCAN = TypeAdapter(ScanIn)
REASONS = frozenset(convert.reason_names())
NEEDS_REASON = frozenset({ScanEvent.DELIVERY_FAILED, ScanEvent.EXCEPTION})
STATUS = {"recorded": 201, "duplicate": 200, "parked": 202}


def _check(
    svc: TrackingService, device: Device, scan: ScanIn, place: Document | None, now: datetime
) -> ScanCommand:
    """Everything that does not need the shipment."""
    waybill_of(svc, scan.waybill)
    if scan.location != device.location:
        raise Rejected(
            403, "wrong_location", f"this device scans at {device.location}, not {scan.location}"
        )
    if place is None:
        raise Rejected(422, "unknown_location", f"unknown location {scan.location}")
    if scan.device_time > now + timedelta(seconds=svc.settings.max_future_skew_s):
        raise Rejected(
            422,
            "device_time_in_future",
            f"device time {scan.device_time.isoformat()} is in the future",
        )
    if scan.event is ScanEvent.DELIVERED and scan.proof_of_delivery is None:
        raise Rejected(422, "missing_proof", "a delivered scan needs proof_of_delivery")
    if scan.event in NEEDS_REASON and scan.reason not in REASONS:
        raise Rejected(
            422,
            "missing_reason",
            f"{scan.event.value} needs a reason code (carrier_*, consignee_*, "
            "customs_*, weather_*)",
        )
    pod = scan.proof_of_delivery.model_dump() if scan.proof_of_delivery else None
    return ScanCommand(
        {
            "_id": scan.scan_id,
            "waybill": scan.waybill,
            "event": scan.event.value,
            "location": {
                "code": place["_id"],
                "kind": place["kind"],
                "city_code": place.get("city_code", ""),
            },
            "courier_id": scan.courier_id or device.courier_id,
            "device_id": device.id,
            "device_time": scan.device_time.astimezone(UTC),
            "recorded_at": now,
            "reason": scan.reason,
            "pod": pod,
            "next_location": scan.next_location,
            "note": scan.note,
        }
    )


async def record_scan(svc: TrackingService, device: Device, scan: ScanIn) -> ScanCommand:
    """One scan, through group commit: its unit reads the shipment (with the others of the
    group), so a scan costs no read of its own; a scan of a shipment not stored yet is
    parked, a movement scan of a cancelled one refused."""
    try:
        command = _check(
            svc, device, scan, await svc.devices.location(scan.location), svc.clock.now()
        )
    except Rejected as exc:
        svc.metrics.rejected.labels(exc.reason).inc()
        raise
    await svc.writer.submit(command)
    if command.problem is not None:
        svc.metrics.rejected.labels(command.problem.reason).inc()
        raise command.problem
    if command.outcome == "pending":
        await _park(svc, [command])
    svc.metrics.count(command)
    return command


async def record_batch(svc: TrackingService, device: Device, items: list[Any]) -> list[Document]:
    """Per-item results: recorded, duplicate, parked, or the problem of that item. The
    batch's scans of known shipments are one unit of work (``recording.record_batch``)."""
    if len(items) > svc.settings.max_batch:
        raise Rejected(422, "batch_too_large", f"at most {svc.settings.max_batch} scans")
    problems: dict[int, Rejected] = {}
    commands = await _commands(svc, device, items, problems)
    if commands:
        batch = list(commands.values())
        write = functools.partial(recording.record_batch, svc, commands=batch)
        await svc.run_on((c.doc["waybill"] for c in batch), write)
    for index, command in list(commands.items()):
        if command.problem is not None:
            problems[index] = command.problem
            del commands[index]
    await _park(svc, [c for c in commands.values() if c.outcome == "pending"])
    return _results(svc, commands, problems)


async def _commands(
    svc: TrackingService, device: Device, items: list[Any], problems: dict[int, Rejected]
) -> dict[int, ScanCommand]:
    """The items that are valid scans from this device, by index; the problem of each
    other one in ``problems``."""
    now = svc.clock.now()
    place = await svc.devices.location(device.location)
    commands: dict[int, ScanCommand] = {}
    for index, item in enumerate(items):
        try:
            scan = _parse(item)
            where = place if scan.location == device.location else None
            commands[index] = _check(svc, device, scan, where, now)
        except Rejected as exc:
            problems[index] = exc
    return commands


def _parse(item: Any) -> ScanIn:
    try:
        return _SCAN.validate_python(item)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Rejected(422, "invalid_scan", detail) from exc


def _results(
    svc: TrackingService, commands: dict[int, ScanCommand], problems: dict[int, Rejected]
) -> list[Document]:
    """Each item's result in the order sent, counted in the metrics."""
    svc.metrics.count_all(commands.values())
    results: dict[int, Document] = {}
    for index, command in commands.items():
        results[index] = {
            "index": index,
            "status": STATUS[command.outcome],
            "scan_id": command.doc["_id"],
            "outcome": command.outcome,
        }
    for index, problem in problems.items():
        svc.metrics.rejected.labels(problem.reason).inc()
        results[index] = _problem(index, problem)
    return [results[i] for i in sorted(results)]


async def _park(svc: TrackingService, commands: list[ScanCommand]) -> None:
    """Scans of a waybill tracking has not seen: its OrderCreated is very probably still on
    the orders topic. Stored until it comes (``services.tracking.parking``); a scan already
    recorded stays a duplicate."""
    if not commands:
        return
    recorded = await svc.store.scans.known({c.doc["_id"] for c in commands})
    for command in commands:
        command.outcome = "duplicate" if command.doc["_id"] in recorded else "parked"
    await park_scans(svc, [c for c in commands if c.outcome == "parked"])


def _problem(index: int, error: Rejected) -> Document:
    return {"index": index, "status": error.status, "problem": error.body()}


async def scan_outcome(svc: TrackingService, device: Device, scan_id: str) -> Document | None:
    """What became of one of this device's scans: recorded, parked (waiting for its order),
    unmatched (no order came in time; still applied if it comes) or rejected."""
    recorded = await svc.store.scans.get(scan_id)
    if recorded is not None:
        if recorded.get("device_id") != device.id:
            return None
        return _outcome(recorded, "recorded", out_of_order=recorded.get("out_of_order", False))
    key = PARKED_SCAN + scan_id
    parked = await svc.store.parked.get(key)
    if parked is not None and parked["scan"]["device_id"] == device.id:
        waits = timedelta(seconds=svc.settings.parked_wait_s)
        return _outcome(parked["scan"], "parked", waits_until=_iso(parked["parked_at"] + waits))
    left = await svc.store.unmatched.get(key)
    if left is not None and left["scan"]["device_id"] == device.id:
        outcome = "unmatched" if left["reason"] == NO_ORDER else "rejected"
        return _outcome(left["scan"], outcome, reason=left["reason"], problem=left.get("problem"))
    return None


def _outcome(scan: Document, outcome: str, **extra: Any) -> Document:
    return {"scan_id": scan["_id"], "waybill": scan["waybill"], "outcome": outcome} | extra


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
