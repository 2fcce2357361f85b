"""FastAPI building blocks every HTTP service shares: RFC 9457 problem+json errors,
request metrics, a body size limit, trace context and ``/metrics``."""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY, CollectorRegistry, make_asgi_app
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairwind.metrics import KitMetrics
from fairwind.observability import correlation, current_traceparent

PROBLEM_JSON = "application/problem+json"
DEFAULT_MAX_BODY_BYTES = 1 << 20


class Problem(Exception):
    """Raise from a route to answer with problem+json; extra fields become extension members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extensions)
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "location": list(e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        return problem_response(
            Problem(422, "The request is not valid.", title="Invalid request", errors=errors),
            request.url.path,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem_response(
            Problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {})),
            request.url.path,
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


class ObservabilityMiddleware:
    """Pure ASGI: counts and times requests by route template, rejects oversized bodies
    early with 413, and runs each request under the caller's W3C trace context."""

    def __init__(
        self, app: ASGIApp, metrics: KitMetrics, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await _too_large(self.max_body_bytes)(scope, receive, send)
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

        traceparent = headers.get(b"traceparent")
        with correlation(traceparent.decode("latin-1") if traceparent else None):
            try:
                await self.app(scope, _limited(receive, self.max_body_bytes), send_observed)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", "unmatched")
                method = scope.get("method", "")
                self.metrics.http_requests.labels(method, template, str(status)).inc()
                self.metrics.http_latency.labels(method, template).observe(
                    time.perf_counter() - started
                )


def _limited(receive: Receive, limit: int) -> Receive:
    """Count bytes as they arrive: a chunked body without Content-Length is capped too."""
    seen = 0

    async def guarded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise Problem(413, f"The request body is larger than {limit} bytes.")
        return message

    return guarded


def _too_large(limit: int) -> ASGIApp:
    return problem_response(Problem(413, f"The request body is larger than {limit} bytes."))


def mount_metrics(app: FastAPI, registry: CollectorRegistry = REGISTRY) -> None:
    app.mount("/metrics", make_asgi_app(registry=registry))


def setup_http(
    app: FastAPI,
    metrics: KitMetrics,
    registry: CollectorRegistry = REGISTRY,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """Wire the shared pieces into a service's FastAPI app."""
    install_problem_handlers(app)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, max_body_bytes=max_body_bytes)
    mount_metrics(app, registry)
    return app
