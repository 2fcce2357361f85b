"""A parcel's whole life, and a missorted one, through the public interfaces only: the
partner API, the courier's task list, the handheld and hub scans, the tracking lookup, the
SLA figures, and what notify told: the e-mails, the partner's signed webhooks, the survey."""

from __future__ import annotations

import asyncio
import email
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import pytest

from sim.hooks import Receivers
from sim.parcel import Life, Parcel
from tests.e2e.conftest import Actors, Platform, next_local
from tests.e2e.helpers import counts, eventually, iso, scripted

pytestmark = pytest.mark.e2e


@dataclass
class Played:
    normal: Parcel
    missorted: Parcel
    hooks: Receivers  # the partner's webhook receiver, checking signatures from the spec


@pytest.fixture(scope="module")
async def played(actors: Actors) -> AsyncIterator[Played]:
    """Two parcels booked at 09:00, played side by side through their whole lives, the
    partner's webhook receiver registered with notify before."""
    stage = actors.stage
    hooks = Receivers()
    base = await hooks.start()
    secret = await stage.clients.webhook_endpoint(actors.partner, base + actors.partner)
    hooks.secrets[actors.partner] = secret
    start = next_local(stage.clock, 9)
    await stage.until(start)
    at = start - stage.start
    normal = Life(stage, scripted(actors.world, 1, actors.partner, at, "SZX001", "BJS004"))
    missorted = Life(
        stage, scripted(actors.world, 2, actors.partner, at, "CAN002", "SHA003", missort=True)
    )
    parcels = await asyncio.wait_for(asyncio.gather(normal.play(), missorted.play()), 240)
    yield Played(*parcels, hooks)
    await hooks.stop()


async def test_one_parcel_from_order_to_delivery(actors: Actors, played: Played) -> None:
    parcel, clients = played.normal, actors.stage.clients
    assert parcel.problems == []
    assert parcel.state == "delivered"
    assert parcel.replans == 0
    assert parcel.picked_at is not None
    assert parcel.created_at is not None
    assert parcel.at_outlet_at is not None
    assert parcel.delivered_at is not None

    route = await clients.route(parcel.waybill)
    assert route is not None
    assert route.version == 1
    assert route.origin_outlet.code == "SZX001"
    assert route.destination_outlet.code == "BJS004"

    status, view = await eventually(
        lambda: clients.track(parcel.waybill), lambda answer: answer[1]["status"] == "delivered"
    )
    assert status == 200
    assert view["planned_route"]["version"] == 1
    # The public lookup masks the consignee.
    assert "*" in view["consignee"]["phone"]
    assert "13800000001" not in str(view)

    pickup = await eventually(lambda: counts(clients, "pickup", "SZX001"), lambda c: c != (0, 0))
    outlet = await eventually(
        lambda: counts(clients, "outlet_delivery", "BJS004"), lambda c: c != (0, 0)
    )
    promise = await eventually(lambda: counts(clients, "promise", "BJS004"), lambda c: c != (0, 0))
    assert (pickup, outlet, promise) == ((1, 0), (1, 0), (1, 0))


async def test_a_missort_is_detected_replanned_and_the_new_promise_shown(
    actors: Actors, played: Played
) -> None:
    parcel, clients = played.missorted, actors.stage.clients
    assert parcel.replans == 1, parcel.problems
    assert parcel.state == "delivered", parcel.problems

    route = await clients.route(parcel.waybill)
    assert route is not None
    assert route.version >= 2
    status, view = await eventually(
        lambda: clients.track(parcel.waybill),
        lambda answer: answer[1]["planned_route"]["version"] == route.version,
    )
    assert status == 200
    promised = route.promise.deliver_by.ToDatetime()
    shown = iso(view["promise"]["deliver_by"])
    assert shown is not None
    assert shown.astimezone(UTC).replace(tzinfo=None) == promised


async def test_the_parcel_is_told_by_mail_and_signed_webhooks_and_its_survey_answered(
    actors: Actors, played: Played, platform: Platform
) -> None:
    parcel, hooks = played.normal, played.hooks

    def statuses() -> list[str]:
        return [
            body["data"].get("status") or body["type"]
            for _, body in hooks.payloads
            if body["data"]["waybill"] == parcel.waybill
        ]

    async def told() -> list[str]:
        return statuses()

    seen = await eventually(told, lambda found: "delivered" in found)
    assert "order.created" in seen  # webhooks carry no order: receivers go by timestamp
    assert {"picked_up", "out_for_delivery", "delivered"} <= set(seen)
    assert hooks.refused == 0  # every delivery carried a signature the spec's check accepts

    def mails() -> list[EmailMessage]:
        found: list[EmailMessage] = []
        for path in (platform.logs / "mail" / "new").glob("*"):
            mail = email.message_from_bytes(path.read_bytes(), policy=default)
            assert isinstance(mail, EmailMessage)
            if parcel.waybill in str(mail["Subject"]):
                found.append(mail)
        return found

    async def mailed() -> list[EmailMessage]:
        return mails()

    surveyed = await eventually(mailed, lambda found: any("满意" in m["Subject"] for m in found))
    subjects = {str(m["Subject"]) for m in surveyed}
    assert f"包裹 {parcel.waybill} 已下单" in subjects  # the booking, to both people
    assert f"包裹 {parcel.waybill} 已签收" in subjects
    [invite] = [m for m in surveyed if "满意" in m["Subject"]]
    text = invite.get_body(("plain",))
    assert text is not None
    link = re.search(r"https?://\S+/v1/surveys/\S+", text.get_content())
    assert link is not None
    clients = actors.stage.clients
    page = await clients.http.get(link.group(0))
    assert page.status_code == 200
    token = parse_qs(urlsplit(link.group(0)).query)["t"][0]
    answer = {"t": token, "score": "5", "recommend": "10"}
    assert (await clients.http.post(link.group(0).split("?")[0], data=answer)).status_code == 201
    again = await clients.http.post(link.group(0).split("?")[0], data=answer)
    assert again.status_code == 409  # one answer per survey
