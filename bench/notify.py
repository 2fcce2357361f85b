"""Notify decisions per CPU-second from a recorded event stream (issue 14).

A day of parcels' events, as the notify consumer reads them from its topics (orders with
both people's contacts and preferences, status changes including the in-transit ones that
tell nobody, re-plans, SLA warnings, cancellations), is encoded with the platform's codec,
written once to a recording file and read back; both figures replay the recording:

- the decision path alone: decode + ``moment_of`` + ``plan`` with the real ``Rules``, one
  decision per planned message (send, defer or suppress), per CPU-second (target 20,000);
- the whole handler ``on_events`` on the real MongoDB, ``BATCH`` events at a time as the
  consumer hands them over (decode included), per CPU-second of this process and per wall
  second; bounded by the same documents written alone, one transaction per batch.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import bson
from google.protobuf.message import Message
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from fairwind.clock import PlatformClock
from fairwind.events import Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.outbox import Outbox
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify import handlers
from services.notify.bootstrap import bootstrap
from services.notify.domain.moments import follow_ups, moment_of, preferences_of
from services.notify.domain.planning import Parcel, Person, plan
from services.notify.domain.rules import Action, Audience, Rules
from services.notify.settings import NotifySettings
from services.notify.store import NotifyStore

ORDERS = int(scaled(10_000, 1_000))
BATCH = 500  # events per handler call, as the consumer's getmany hands them over
TARGET = 20_000
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai; orders until 22:00
S = common_pb2
SHIPPER = S.Contact(
    name="深圳市顺达电子有限公司", email="ship@shunda.example", phone="+8675588001234"
)


class Recorded(NamedTuple):
    """One Kafka record as read back from the recording."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


def _order(n: int, waybill: str, at: datetime, rng: random.Random) -> orders_pb2.OrderCreated:
    prefs = common_pb2.NotificationPreferences()
    pick = rng.random()
    if pick < 0.15:
        prefs.channels.append(S.CHANNEL_EMAIL)  # no SMS
    elif pick < 0.25:
        prefs.language, prefs.time_zone = "en", "Europe/London"
    elif pick < 0.33:
        prefs.opt_out_statuses.append(S.SHIPMENT_STATUS_OUT_FOR_DELIVERY)
    elif pick < 0.38:
        prefs.quiet_hours_start_minute, prefs.quiet_hours_end_minute = 22 * 60, 7 * 60
    order = orders_pb2.Order(
        waybill=waybill,
        partner_id="p-7",
        partner_order_id=f"PO-{n}",
        shipper=SHIPPER,
        consignee=S.Contact(
            name="李雷",
            email="" if rng.random() < 0.1 else f"li.lei.{n}@example.com",
            phone=f"+86139{n % 10**8:08d}",
            address=S.Address(city="北京市", district="朝阳区", street="建国路 88 号"),
        ),
        service_level=S.SERVICE_LEVEL_NEXT_DAY,
        notification_preferences=prefs,
    )
    order.created_at.FromDatetime(at)
    order.promise.deliver_by.FromDatetime(at + timedelta(hours=30))
    return orders_pb2.OrderCreated(order=order)


def _status(w: str, to: common_pb2.ShipmentStatus, at: datetime, promise: datetime) -> Message:
    change = tracking_pb2.ShipmentStatusChanged(
        waybill=w, to_status=to, scan_id=uuid.uuid4().hex, courier_id="C-1042", partner_id="p-7"
    )
    if to == S.SHIPMENT_STATUS_DELIVERY_FAILED:
        change.reason = S.EXCEPTION_REASON_CONSIGNEE_NOT_HOME
    change.location.code, change.location.kind = "BJS012", S.LOCATION_KIND_OUTLET
    change.occurred_at.FromDatetime(at)
    change.promise.deliver_by.FromDatetime(promise)
    return change


def stream(orders: int) -> list[tuple[datetime, Message, str]]:
    """Per parcel, in the order things happen; the parcels interleaved by time, as on the
    topics. Minutes between steps are drawn from realistic ranges."""
    rng = random.Random(14)
    out: list[tuple[datetime, Message, str]] = []
    for n in range(orders):
        w = f"SF{n:012d}"
        at = booked = T0 + timedelta(seconds=n * 14 * 3600 / orders)
        promise = booked + timedelta(hours=30)
        out.append((at, _order(n, w, at, rng), w))
        if rng.random() < 0.02:  # cancelled before pickup
            gone = orders_pb2.OrderCancelled(waybill=w, reason_code="partner_request")
            at += timedelta(minutes=rng.uniform(5, 50))
            gone.cancelled_at.FromDatetime(at)
            out.append((at, gone, w))
            continue
        risky, failed, roll = rng.random() < 0.06, rng.random() < 0.05, rng.random()
        steps = [(S.SHIPMENT_STATUS_PICKED_UP, rng.uniform(20, 60))]
        steps += [(S.SHIPMENT_STATUS_IN_TRANSIT, rng.uniform(150, 360)) for _ in range(3)]
        steps += [(S.SHIPMENT_STATUS_AT_DELIVERY_OUTLET, rng.uniform(240, 300))]
        steps += [(S.SHIPMENT_STATUS_OUT_FOR_DELIVERY, rng.uniform(100, 115) if risky else 40)]
        if failed:  # not home; out again the next day
            steps += [(S.SHIPMENT_STATUS_DELIVERY_FAILED, rng.uniform(60, 180))]
            steps += [(S.SHIPMENT_STATUS_OUT_FOR_DELIVERY, rng.uniform(1200, 1400))]
        steps += [(S.SHIPMENT_STATUS_DELIVERED, rng.uniform(20, 100))]
        for i, (to, minutes) in enumerate(steps):
            at += timedelta(minutes=minutes)
            out.append((at, _status(w, to, at, promise), w))
            if i == 1 and roll < 0.11:  # a re-plan after the first hub; most move the promise
                moved = promise + timedelta(days=1 if roll < 0.08 else 0)
                replanned = _replanned(w, promise, moved)
                promise = moved
                out.append((at + timedelta(minutes=30), replanned, w))
            if to == S.SHIPMENT_STATUS_AT_DELIVERY_OUTLET and risky:  # 80 % of 2 hours gone
                risk = sla_pb2.SlaAtRisk(waybill=w, sla=sla_pb2.SLA_KIND_OUTLET_DELIVERY)
                risk.deadline.FromDatetime(at + timedelta(hours=2))
                out.append((at + timedelta(minutes=96), risk, w))
    out.sort(key=lambda item: item[0])
    return out


def _replanned(waybill: str, before: datetime, after: datetime) -> Message:
    route = routes_pb2.Route(waybill=waybill, version=2)
    route.promise.deliver_by.FromDatetime(after)
    replanned = routes_pb2.RouteReplanned(
        route=route, previous_version=1, reason=routes_pb2.REPLAN_REASON_LATE_DEPARTURE
    )
    replanned.previous_promise.deliver_by.FromDatetime(before)
    return replanned


def write_recording(path: Path, events: list[tuple[datetime, Message, str]]) -> int:
    """The events as Kafka records (CloudEvents headers, protobuf value), one BSON document
    each; the file's size in bytes."""
    codec = EventCodec(platform_catalog(), "bench-recorder")
    with path.open("wb") as file:
        for at, message, key in events:
            r = codec.encode(message, key, time=at)
            doc = {"topic": r.topic, "key": r.key, "value": r.value, "headers": r.headers}
            file.write(bson.encode(doc))
    return path.stat().st_size


def read_recording(path: Path) -> list[Recorded]:
    with path.open("rb") as file:
        docs = list(bson.decode_file_iter(file))
    return [
        Recorded(d["topic"], d["key"], d["value"], [(n, v) for n, v in d["headers"]]) for d in docs
    ]


def _parcel_of(order: orders_pb2.Order) -> Parcel:
    """What notify keeps of an order (as ``handlers`` builds it from ``OrderCreated``)."""
    people = {
        Audience.SENDER: Person(order.shipper.name, order.shipper.email, order.shipper.phone),
        Audience.RECIPIENT: Person(
            order.consignee.name,
            order.consignee.email,
            order.consignee.phone,
            preferences_of(order.notification_preferences),
        ),
    }
    return Parcel(order.waybill, people, partner_id=order.partner_id)


def decisions_per_cpu_s(records: list[Recorded]) -> tuple[int, float, Counter[str]]:
    """The decision path over the recording: decisions, CPU seconds, decisions per action.
    ``now`` is each event's ``ce_time`` (the moment it was read, live)."""
    codec, rules = EventCodec(platform_catalog(), "bench"), Rules()
    parcels: dict[str, Parcel] = {}
    told: dict[tuple[str, Audience], int] = {}
    actions: Counter[str] = Counter()
    started = time.process_time()
    for r in records:
        event = codec.decode(r.topic, r.key, r.value, r.headers)
        message = event.message
        if isinstance(message, orders_pb2.OrderCreated):
            parcels[message.order.waybill] = _parcel_of(message.order)
        happened = moment_of(message)
        if happened is None or (parcel := parcels.get(happened.waybill)) is None:
            continue
        if isinstance(message, orders_pb2.OrderCancelled):
            parcel = parcels[happened.waybill] = replace(parcel, cancelled=True)
        for moment in (happened, *follow_ups(happened)):  # a delivery: then its survey
            counts = {a: told.get((moment.waybill, a), 0) for a in Audience}
            for planned in plan(rules, moment, parcel, event.envelope.time, counts):
                actions[planned.decision.action] += 1
                if planned.decision.action is not Action.SUPPRESS:
                    told[(moment.waybill, planned.audience)] = counts[planned.audience] + 1
    cpu = time.process_time() - started
    return sum(actions.values()), cpu, actions


async def handler_run(
    records: list[Recorded],
) -> tuple[Counter[str], float, float, float, Counter[str]]:
    """The handler on the real MongoDB: decisions by action, CPU s, wall s, the ceiling's
    wall s (the same documents, one transaction per batch), documents written by collection."""
    with bench_settings("bench-notify") as base:
        settings = NotifySettings(
            kafka_bootstrap=base.kafka_bootstrap,
            mongo_url=base.mongo_url,
            broker_profile=base.broker_profile,
            message_link_secret=SecretStr("bench"),
            mongo_db=f"bench_notify_{uuid.uuid4().hex[:6]}",
        )
        app = await bootstrap(settings, registry=CollectorRegistry())
        try:
            svc, codec = app.service, app.platform.codec
            batch_time = [T0]
            svc.clock = PlatformClock(wall=lambda: batch_time[0])  # the replayed day's time
            batches = [records[i : i + BATCH] for i in range(0, len(records), BATCH)]
            wall, cpu = time.perf_counter(), time.process_time()
            for batch in batches:
                events: list[Event[Any]] = [
                    codec.decode(r.topic, r.key, r.value, r.headers) for r in batch
                ]
                batch_time[0] = events[-1].envelope.time
                await handlers.on_events(svc, events)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            db = app.platform.db
            by_action = [{"$group": {"_id": "$action", "n": {"$sum": 1}}}]
            rows = await svc.store.messages.collection.aggregate(by_action)
            decided = Counter({row["_id"]: row["n"] async for row in rows})
            written = {
                name: await db[name].find().to_list() for name in await db.list_collection_names()
            }
            ceiling_s = await writes_alone(app.platform.mongo, settings, written, len(batches))
        finally:
            await app.close()
    return decided, cpu, wall, ceiling_s, Counter({n: len(d) for n, d in written.items() if d})


async def writes_alone(
    mongo: Any, settings: NotifySettings, written: dict[str, list[Any]], batches: int
) -> float:
    """The handler's documents inserted again into a fresh database with the same indexes,
    in ``batches`` transactions (each collection's documents split evenly): wall seconds."""
    db = mongo[f"{settings.database_name}_ceiling"]
    await NotifyStore(db).create_indexes()
    await Outbox(db).create_indexes()
    started = time.perf_counter()
    for b in range(batches):

        async def insert(session: Any, b: int = b) -> None:
            for name, docs in written.items():
                share = docs[b * len(docs) // batches : (b + 1) * len(docs) // batches]
                if share:
                    await db[name].insert_many(share, session=session)

        async with mongo.start_session() as session:
            await session.with_transaction(insert)
    return time.perf_counter() - started


def _listed(counts: Counter[str]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.most_common())


async def main() -> None:
    events = stream(ORDERS)
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        path = Path(tmp) / "notify-stream.bson"
        size = write_recording(path, events)
        records = read_recording(path)
    kinds = Counter(type(message).__name__ for _, message, _ in events)
    print(f"\n== notify decisions from a recorded stream ({machine()})")
    print(
        f"recording: {len(records):,} events of {ORDERS:,} parcels, {size / 1e6:.1f} MB "
        f"({_listed(kinds)})"
    )
    decided, cpu, actions = decisions_per_cpu_s(records)
    rate = decided / cpu
    print(
        f"decision path (decode + moment_of + plan): {len(records):,} events, {decided:,} "
        f"decisions ({_listed(actions)}) in "
        f"{cpu:.2f} CPU-s: {rate:,.0f} decisions/CPU-s, {rate / TARGET:.2f} of the target "
        f"{TARGET:,}"
    )
    mix, h_cpu, h_wall, ceiling_s, docs = await handler_run(records)
    stored = mix.total()
    top = stored / ceiling_s
    print(
        f"handler on_events on MongoDB, {BATCH} events a batch: {stored:,} decisions stored "
        f"in {h_wall:.1f} s ({h_cpu:.1f} CPU-s of this process): {stored / h_cpu:,.0f} "
        f"decisions/CPU-s, {stored / h_wall:,.0f} decisions/s ({_listed(mix)})"
    )
    print(
        f"ceiling, the same {docs.total():,} documents written alone "
        f"({_listed(docs)}; "
        f"{-(-len(records) // BATCH)} transactions): {ceiling_s:.1f} s = {top:,.0f} "
        f"decisions/s; handler {stored / h_wall / top:.2f} of it"
    )
    record(Figure("notify", "decision path", rate, "decisions/CPU-s", ">= 20,000/CPU-s"))
    per_cpu = stored / h_cpu
    record(Figure("notify", "handler on MongoDB", per_cpu, "decisions/CPU-s", "reported"))
    wall_rate, alone = stored / h_wall, "the same documents written alone"
    record(Figure("notify", "handler on MongoDB", wall_rate, "decisions/s", "reported", alone, top))


if __name__ == "__main__":
    asyncio.run(main())
