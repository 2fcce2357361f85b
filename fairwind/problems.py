"""RFC 9457 problem details, the same for every HTTP service: the reason codes, their
``type`` URIs, ``Problem``, ``Rejected`` and how the OpenAPI of a service declares them."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://fairwind.dev/problems/"
# The reason code (``title``) of a problem that has no more specific one.
REASONS: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def reason_for(status: int) -> str:
    """The generic reason code of a status: the table above, else its phrase in snake case."""
    if status in REASONS:
        return REASONS[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


def problem_type(reason: str) -> str:
    """The ``type`` URI of a reason code: one stable scheme for every service."""
    return PROBLEM_TYPES + reason


class Problem(Exception):
    """Raise from a route to answer with problem+json; extra fields become extension members.

    ``reason`` is the stable reason code: it is the ``title`` and names the ``type`` URI
    (``https://fairwind.dev/problems/<reason>``); by default the status's generic code."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        reason: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason or reason_for(status)
        self.title = self.reason
        self.type = type_ or problem_type(self.reason)
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        return body | self.extensions


class Rejected(Problem):
    """A request the service refuses by its own rules (an order it cannot accept, a scan
    it cannot record), with a stable ``reason`` code always given: the problem's title and
    type, the label of a service's refusal metrics and an item's outcome in a batch."""

    def __init__(
        self,
        status: int,
        reason: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status, detail, reason=reason, headers=headers, **extensions)


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `title` is the stable reason code and `type` "
    f"is `{PROBLEM_TYPES}<title>`; extension members (e.g. `errors`) depend on the reason.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string", "examples": ["not_found"]},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "invalid_request: every invalid field",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def problems(*answers: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: a status (described by its generic reason code) or a
    status and its description, e.g. ``problems(401, (429, "too_many_guesses"))``."""
    described = [a if isinstance(a, tuple) else (a, reason_for(a)) for a in answers]
    return {status: {"description": text} for status, text in described}


def declare_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Make every 4xx/5xx response of an OpenAPI document ``application/problem+json`` with
    the shared ``Problem`` schema, and add the ones the kit answers itself."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method in _METHODS:
                _declare(operation)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, never sent
        schemas.pop(name, None)
    return schema


def _declare(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if responses.get("422", {}).get("description") == "Validation Error":  # FastAPI's
        responses["422"]["description"] = "invalid_request, with `errors`"
    if "requestBody" in operation:
        for status in (413, 415):
            responses.setdefault(str(status), {"description": reason_for(status)})
    responses.setdefault("4XX", {"description": "another client error"})
    responses.setdefault("5XX", {"description": "internal_error or unavailable"})
    for code, response in responses.items():
        if str(code)[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
