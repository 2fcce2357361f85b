"""FastAPI building blocks every HTTP service shares: RFC 9457 problem+json errors,
request metrics, a body size limit, trace context and ``/metrics``."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairwind.metrics import KitMetrics
from fairwind.observability import correlation, current_traceparent
from fairwind.problems import PROBLEM_JSON, Problem, declare_problems

__all__ = [
    "PROBLEM_JSON",
    "FastJSONResponse",
    "FastJSONRoute",
    "Problem",
    "problem_response",
    "setup_http",
    "validation_problem",
]

DEFAULT_MAX_BODY_BYTES = 1 << 20


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson: several times faster than the standard library on the large
    bodies of batch endpoints."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class FastJSONRequest(Request):
    """A request whose JSON body orjson parses: the standard library's decoder was 4 % of
    the orders process's CPU on batch imports. Invalid JSON (NaN and numbers beyond a
    double included) still raises ``json.JSONDecodeError``, which FastAPI answers with 422."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class FastJSONRoute(APIRoute):
    """Route class of every service's router (``APIRouter(route_class=FastJSONRoute)``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def parsed_by_orjson(request: Request) -> Response:
            return await handler(FastJSONRequest(request.scope, request.receive))

        return parsed_by_orjson


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header; empty for anything else."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def credentials_required(what: str, realm: str = "fairwind") -> Problem:
    """The 401 for a request without valid credentials, naming what it needs."""
    return Problem(
        401,
        f"A valid {what} is required: Authorization: Bearer <{what.rsplit(maxsplit=1)[-1]}>.",
        headers={"WWW-Authenticate": f'Bearer realm="{realm}"'},
    )


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    """422 problem+json listing every invalid field (location, message, type); 415 when the
    body was not sent as JSON (FastAPI then hands the raw bytes to validation)."""
    assert isinstance(exc, RequestValidationError)
    if isinstance(exc.body, bytes | bytearray):
        sent = request.headers.get("content-type") or "no Content-Type"
        return problem_response(
            Problem(415, f"Send the body as JSON (Content-Type: application/json), not {sent}."),
            request.url.path,
        )
    errors = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return problem_response(
        Problem(422, "The request is not valid.", errors=errors), request.url.path
    )


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem_response(
            Problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {})),
            request.url.path,
        )

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        # The server still logs the exception; the client learns nothing about the inside.
        return problem_response(Problem(500, "An internal error occurred."), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


class ObservabilityMiddleware:
    """Pure ASGI: counts and times requests by route template and runs each request under
    the caller's W3C trace context (returned in the ``traceparent`` response header)."""

    def __init__(self, app: ASGIApp, metrics: KitMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                tp = current_traceparent()
                if tp:
                    message.setdefault("headers", []).append((b"traceparent", tp.encode()))
            await send(message)

        traceparent = dict(scope.get("headers") or ()).get(b"traceparent")
        with correlation(traceparent.decode("latin-1") if traceparent else None):
            try:
                await self.app(scope, receive, send_observed)
            finally:
                template = getattr(scope.get("route"), "path", "unmatched")
                method = scope.get("method", "")
                self.metrics.http_requests.labels(method, template, str(status)).inc()
                self.metrics.http_latency.labels(method, template).observe(
                    time.perf_counter() - started
                )


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with 413: by Content-Length before reading, and by
    counting as chunks arrive (a chunked upload has no Content-Length). ``per_path`` sets
    other limits for exact paths, e.g. a batch endpoint."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        per_path: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope.get("path", ""), self.max_bytes)
        refusal = problem_response(Problem(413, f"The request body is larger than {limit} bytes."))
        length = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await refusal(scope, receive, send)
            return
        seen = 0
        exceeded = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:  # the app answered its parse error; answer 413 instead
                refused = True
                await refusal(scope, receive, send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not refused:
                await refusal(scope, receive, send)


def mount_metrics(app: FastAPI, registry: CollectorRegistry = REGISTRY) -> None:
    """``GET /metrics`` in the Prometheus text format (a route, so no redirect to /metrics/)."""

    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


def document_problems(app: FastAPI) -> None:
    """The app's OpenAPI declares its 4xx/5xx answers as problem+json (built once, when the
    schema is first asked for, so routes included after ``setup_http`` are covered)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def setup_http(
    app: FastAPI,
    metrics: KitMetrics,
    registry: CollectorRegistry = REGISTRY,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """Wire the shared pieces into a service's FastAPI app."""
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes, per_path=body_limits)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)  # outermost: sees every 413
    mount_metrics(app, registry)
    document_problems(app)
    return app
