"""Bad input: each a clear 4xx, nothing stored, no event."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fairwind.domain.waybill import format_waybill
from services.orders.bootstrap import OrdersApp
from tests.integration.orders.conftest import order_body, soon, stored
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
Json = dict[str, Any]


def parcel(**changes: Any) -> Json:
    base: Json = {
        "weight_kg": 1.0,
        "description": "book",
        "dimensions": {"length_cm": 20, "width_cm": 15, "height_cm": 5},
    }
    return base | changes


def with_parcels(*parcels: Json) -> Json:
    return order_body(parcels=list(parcels))


def with_consignee_name(name: Any) -> Json:
    body = order_body()
    body["consignee"]["name"] = name
    return body


def without(field: str) -> Json:
    body = order_body()
    del body[field]
    return body


CASES: list[tuple[str, Any, int, str]] = [
    ("malformed json", b'{"shipper": ', 422, "json_invalid"),
    ("wrong type", with_parcels(parcel(weight_kg="heavy")), 422, "float_parsing"),
    ("missing field", without("consignee"), 422, "missing"),
    ("unknown field", order_body(colour="red"), 422, "extra_forbidden"),
    ("over-long string", with_consignee_name("张" * 101), 422, "string_too_long"),
    ("empty name", with_consignee_name("   "), 422, "string_too_short"),
    ("negative weight", with_parcels(parcel(weight_kg=-1)), 422, "greater_than"),
    ("zero weight", with_parcels(parcel(weight_kg=0)), 422, "greater_than"),
    ("absurd weight", with_parcels(parcel(weight_kg=5000)), 422, "less_than_equal"),
    (
        "absurd dimension",
        with_parcels(parcel(dimensions={"length_cm": 2000, "width_cm": 1, "height_cm": 1})),
        422,
        "less_than_equal",
    ),
    ("no parcels", with_parcels(), 422, "too_short"),
    ("too many parcels", with_parcels(*[parcel()] * 51), 422, "too_many_parcels"),
    ("unknown service level", order_body(service_level="teleport"), 422, "literal_error"),
    (
        "pickup window in the past",
        order_body(pickup_window={"start": soon(-5), "end": soon(-3)}),
        422,
        "invalid_pickup_window",
    ),
    (
        "inverted pickup window",
        order_body(pickup_window={"start": soon(5), "end": soon(3)}),
        422,
        "invalid_pickup_window",
    ),
    (
        "pickup window without time zone",
        order_body(pickup_window={"start": "2030-01-01T10:00:00", "end": "2030-01-01T12:00:00"}),
        422,
        "timezone_aware",
    ),
    (
        "bad phone",
        order_body(consignee={**order_body()["consignee"], "phone": "call me"}),
        422,
        "string_pattern_mismatch",
    ),
    (
        "bad money",
        order_body(cod_amount={"amount": "12.345", "currency": "CNY"}),
        422,
        "decimal_max_places",
    ),
    (
        "cod in a foreign currency",
        order_body(cod_amount={"amount": "10", "currency": "USD"}),
        422,
        "invalid_cod",
    ),
]


@pytest.mark.parametrize(("name", "body", "status", "marker"), CASES, ids=[c[0] for c in CASES])
async def test_bad_orders_are_refused_and_change_nothing(
    orders: OrdersApp,
    client: httpx.AsyncClient,
    acme: dict[str, str],
    name: str,
    body: Any,
    status: int,
    marker: str,
) -> None:
    headers = acme | {"Idempotency-Key": "k", "Content-Type": "application/json"}
    if isinstance(body, bytes):
        response = await client.post("/v1/orders", content=body, headers=headers)
    else:
        response = await client.post("/v1/orders", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert marker in response.text
    assert await stored(orders) == (0, 0)
    rejected = orders.service.metrics.rejected
    reasons = {s.labels["reason"] for m in rejected.collect() for s in m.samples if s.value}
    assert len(reasons) == 1  # every refusal is counted, by reason


async def test_a_body_over_the_size_limit_is_413(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    body = order_body()
    body["consignee"]["address"]["street"] = "x" * 100_000
    response = await client.post("/v1/orders", json=body, headers=acme | {"Idempotency-Key": "k"})
    assert_problem(response, 413, "payload_too_large")
    assert await stored(orders) == (0, 0)


@pytest.mark.parametrize("waybill", ["FW123", "not-a-waybill", "XX000000000421"])
async def test_malformed_waybills_are_400(
    client: httpx.AsyncClient, acme: dict[str, str], waybill: str
) -> None:
    response = await client.get(f"/v1/orders/{waybill}", headers=acme)
    assert response.status_code == 400
    assert response.json()["title"] == "invalid_waybill"


async def test_a_wrong_check_digit_is_400_not_404(
    client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    good = format_waybill("FW", 123)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = await client.get(f"/v1/orders/{typo}", headers=acme)
    assert response.status_code == 400
    assert "check digit" in response.json()["detail"]
    assert response.json()["title"] == "invalid_waybill"  # the same code tracking answers
    assert_problem(await client.get(f"/v1/orders/{good}", headers=acme), 404, "not_found")


async def test_a_bad_cursor_is_400(client: httpx.AsyncClient, acme: dict[str, str]) -> None:
    response = await client.get("/v1/orders", params={"cursor": "!!!"}, headers=acme)
    assert_problem(response, 400, "invalid_cursor")


def with_text(path: tuple[str | int, ...], value: str) -> Json:
    body = order_body()
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


# Nazanin-Zahra: the zero-width non-joiner (U+200C) is part of Persian spelling.
PERSIAN_NAME = "\u0646\u0627\u0632\u0646\u06cc\u0646\u200c\u0632\u0647\u0631\u0627"
HIDDEN_CHARACTERS = [
    (("consignee", "name"), "张\x00三", "0000"),
    (("consignee", "address", "street"), "建国路 \u202e88 号", "202E"),
    (("parcels", 0, "description"), "phone case\uffff", "FFFF"),
    (("shipper", "address", "district"), "南山\t区", "0009"),
    (("consignee", "address", "city"), "北京\u2028市", "2028"),
    (("shipper", "email"), "ship\x07@shunda.example", "0007"),
    (("consignee", "name"), "\u200d张三", "200D"),  # a joiner joins nothing here
]


@pytest.mark.parametrize(
    ("path", "value", "code"), HIDDEN_CHARACTERS, ids=[c[2] for c in HIDDEN_CHARACTERS]
)
async def test_hidden_characters_in_free_text_are_refused_naming_the_field(
    orders: OrdersApp,
    client: httpx.AsyncClient,
    acme: dict[str, str],
    path: tuple[str | int, ...],
    value: str,
    code: str,
) -> None:
    body = json.dumps(with_text(path, value))  # ASCII with \u escapes, as a client sends
    headers = acme | {"Idempotency-Key": "k", "Content-Type": "application/json"}
    response = await client.post("/v1/orders", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["location"] == ["body", *path]
    assert error["type"] == "plain_text"
    assert f"U+{code}" in error["message"]
    assert await stored(orders) == (0, 0)


async def test_a_lone_surrogate_is_refused_too(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    body = json.dumps(with_text(("shipper", "company"), "顺达\ud800电子"))  # escaped in JSON
    headers = acme | {"Idempotency-Key": "k", "Content-Type": "application/json"}
    response = await client.post("/v1/orders", content=body, headers=headers)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    # not even JSON: orjson refuses the escape where it stands (the standard library
    # took it and pydantic refused the string), before any field is looked at
    assert error["type"] == "json_invalid"
    assert error["location"] == ["body", body.index("\\ud800")]
    assert await stored(orders) == (0, 0)


async def test_joiners_inside_names_and_wide_spaces_are_plain_text(
    orders: OrdersApp, client: httpx.AsyncClient, acme: dict[str, str]
) -> None:
    body = with_text(("consignee", "name"), PERSIAN_NAME)
    body["consignee"]["address"]["street"] = "建国路\u300088 号"  # ideographic space
    response = await client.post("/v1/orders", json=body, headers=acme | {"Idempotency-Key": "k"})
    assert response.status_code == 201, response.text
    assert await stored(orders) == (1, 1)
