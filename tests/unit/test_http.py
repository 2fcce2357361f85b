"""The shared FastAPI pieces, in-process (no network, no infrastructure)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, Field

from fairwind.http import PROBLEM_JSON, FastJSONRoute, Problem, setup_http
from fairwind.metrics import KitMetrics, kit_metrics
from fairwind.problems import problems
from tests.problems import assert_problem

TYPES = "https://fairwind.dev/problems/"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Parcel(BaseModel):
    weight_kg: float = Field(gt=0, le=70)


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> KitMetrics:
    return kit_metrics(registry)


@pytest.fixture
def client(metrics: KitMetrics, registry: CollectorRegistry) -> TestClient:
    app = FastAPI()
    app.router.route_class = FastJSONRoute  # as every service's router: orjson parses bodies
    stored: list[Parcel] = []

    @app.post("/v1/parcels/{ref}", responses=problems(401, (409, "parcel_taken")))
    async def create(ref: str, parcel: Parcel) -> dict[str, str]:
        if ref == "taken":
            raise Problem(409, "Parcel taken exists.", reason="parcel_taken", ref=ref)
        if ref == "anonymous":
            raise Problem(401, "Who are you?", headers={"WWW-Authenticate": "Bearer"})
        if ref == "crash":
            raise RuntimeError("a bug with a secret inside")
        stored.append(parcel)
        return {"ref": ref}

    @app.get("/v1/parcels/{ref}")
    async def read(ref: str) -> dict[str, str]:
        return {"ref": ref}

    setup_http(app, metrics, registry, max_body_bytes=200)
    return TestClient(app, raise_server_exceptions=False)


def test_validation_errors_are_problem_json(client: TestClient) -> None:
    response = client.post("/v1/parcels/a", json={"weight_kg": -1})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 422
    assert (body["type"], body["title"]) == (f"{TYPES}invalid_request", "invalid_request")
    assert body["instance"] == "/v1/parcels/a"
    assert body["errors"][0]["location"] == ["body", "weight_kg"]


def test_malformed_json_is_problem_json(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("body", [b'{"weight_kg": NaN}', b'{"weight_kg": 1e999999}'])
def test_json_that_is_not_interchangeable_is_refused(client: TestClient, body: bytes) -> None:
    """NaN and a number beyond a double: the standard library would take them (as NaN and
    infinity); a partner's body with them is refused, not half-understood."""
    response = client.post(
        "/v1/parcels/a", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"][0] == "body"


def test_a_json_body_is_parsed_once_and_validated(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a", content=b'{"weight_kg": 2.5}', headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()) == (200, {"ref": "a"})


def test_a_raised_problem_names_its_reason_in_title_and_type(client: TestClient) -> None:
    response = client.post("/v1/parcels/taken", json={"weight_kg": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == f"{TYPES}parcel_taken"
    assert body["title"] == "parcel_taken"
    assert body["ref"] == "taken"


def test_a_problem_without_a_reason_gets_its_status_reason_code(client: TestClient) -> None:
    response = client.post("/v1/parcels/anonymous", json={"weight_kg": 1})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (response.json()["type"], response.json()["title"]) == (
        f"{TYPES}unauthorized",
        "unauthorized",
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "reason"),
    [
        ("GET", "/nowhere", 404, "not_found"),
        ("DELETE", "/v1/parcels/a", 405, "method_not_allowed"),
    ],
)
def test_starlette_errors_are_problems_with_reason_codes(
    client: TestClient, method: str, path: str, status: int, reason: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (f"{TYPES}{reason}", reason, status)
    if status == 405:
        assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_json_is_415(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/v1/parcels/a", content=b'{"weight_kg": 1}', headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["title"] == "unsupported_media_type"


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
def test_json_media_types_are_accepted(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/v1/parcels/a", content=b'{"weight_kg": 1}', headers={"content-type": content_type}
    )
    assert response.status_code == 200


def test_an_unhandled_error_is_a_problem_that_tells_nothing(client: TestClient) -> None:
    response = client.post("/v1/parcels/crash", json={"weight_kg": 1})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["title"] == "internal_error"
    assert "secret" not in response.text


def test_openapi_declares_every_error_as_a_problem(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    create = schema["paths"]["/v1/parcels/{ref}"]["post"]["responses"]
    read = schema["paths"]["/v1/parcels/{ref}"]["get"]["responses"]
    assert {"401", "409", "413", "415", "422", "4XX", "5XX"} <= set(create)
    assert {"413", "415"}.isdisjoint(read)  # no body, no body errors
    assert create["409"]["description"] == "parcel_taken"
    for responses in (create, read):
        for status, response in responses.items():
            if status[0] in "45":
                media = response["content"]
                assert media == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_oversized_body_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a",
        content=b'{"weight_kg": 1, "x": "' + b"a" * 500 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == f"{TYPES}payload_too_large"


def test_chunked_oversized_body_is_refused_too(client: TestClient) -> None:
    def chunks() -> object:
        yield b'{"weight_kg": 1, "x": "'
        yield b"a" * 500
        yield b'"}'

    response = client.post(
        "/v1/parcels/a",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "payload_too_large")


def test_requests_are_counted_by_route_template(client: TestClient, metrics: KitMetrics) -> None:
    client.post("/v1/parcels/a", json={"weight_kg": 1})
    client.post("/v1/parcels/b", json={"weight_kg": 1})
    client.post("/v1/parcels/c", json={"weight_kg": 0})
    ok = metrics.http_requests.labels("POST", "/v1/parcels/{ref}", "200")._value.get()
    bad = metrics.http_requests.labels("POST", "/v1/parcels/{ref}", "422")._value.get()
    assert (ok, bad) == (2, 1)
    scrape = client.get("/metrics").text
    assert (
        'fairwind_http_requests_total{method="POST",route="/v1/parcels/{ref}",status="200"} 2.0'
        in scrape
    )


def test_trace_context_continues_into_the_response(client: TestClient) -> None:
    response = client.post(
        "/v1/parcels/a", json={"weight_kg": 1}, headers={"traceparent": TRACEPARENT}
    )
    returned = response.headers["traceparent"]
    assert returned.split("-")[1] == TRACEPARENT.split("-")[1]
    assert returned != TRACEPARENT  # a new span in the same trace
