"""The ``sla-shipments`` table's values as its changelog stores them, and back.

A shipment goes to the changelog in a compact positional form, a JSON array:

    [waybill, origin_outlet, destination_outlet, origin_city, destination_city, level,
     tier, remote, cancelled, [[sla, opened_at, deadline, at_risk_at, state, warned,
     closed_at, counted], ...]]

with the clocks in the shipment's order and the times as orjson writes a datetime (ISO
8601, which ``datetime.fromisoformat`` reads back exactly). Half the bytes of the keyed
form, and orjson writes a list of plain values in well under half the time it takes to
walk two levels of dataclasses: the changelog was the largest single cost of a worker's
own per-event work. The keyed form (``Shipment.to_dict``) that earlier workers wrote is
still read, so a changelog written before stays recoverable. Early events waiting for
their order stay a dict ``{"waybill", "pending"}`` in both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from services.sla.domain import Clock, Shipment

# A shipment with an order is a Shipment; before its order, only its early events wait, in
# a dict ``{"waybill", "pending"}``. The table's store holds the values the worker wrote
# as they are, and the ones recovered from its changelog as JSON values.
State = Shipment | dict[str, Any]

_dumps = orjson.dumps
_time = datetime.fromisoformat


def encode_state(value: Any) -> bytes:
    """A table value as its changelog record's bytes (the table's json serializer reads it
    back): a shipment in the compact form, anything else as it is."""
    if type(value) is not Shipment:
        return _dumps(value)
    return _dumps(
        [
            value.waybill,
            value.origin_outlet,
            value.destination_outlet,
            value.origin_city,
            value.destination_city,
            value.level,
            value.tier,
            value.remote,
            value.cancelled,
            [
                [
                    c.sla,
                    c.opened_at,
                    c.deadline,
                    c.at_risk_at,
                    c.state,
                    c.warned,
                    c.closed_at,
                    c.counted,
                ]
                for c in value.clocks.values()
            ],
        ]
    )


def from_compact(raw: list[Any]) -> Shipment:
    """A shipment from the compact form (see the module's docstring)."""
    *plain, clocks = raw
    shipment = Shipment(*plain)
    for sla, opened, deadline, at_risk, state, warned, closed, counted in clocks:
        shipment.clocks[sla] = Clock(
            sla,
            _time(opened),
            _time(deadline),
            _time(at_risk),
            state,
            warned,
            None if closed is None else _time(closed),
            counted,
        )
    return shipment


def as_shipment(stored: Any) -> Shipment | None:
    """The shipment a table value holds, not copied: the worker's own object, or one read
    from the changelog's compact or keyed form; None when it holds none (nothing, or early
    events alone)."""
    if isinstance(stored, Shipment):
        return stored
    if isinstance(stored, list):
        return from_compact(stored)
    if isinstance(stored, dict) and "clocks" in stored:
        return Shipment.from_dict(stored)
    return None


def load_state(stored: State | list[Any] | None) -> State | None:
    """A table value as the processor works on it: a fresh object, so changing it changes
    nothing in the table until it is written back. (Early events' dicts are replaced, never
    changed, so they need no copy.)"""
    if isinstance(stored, Shipment):
        return stored.copy()
    shipment = as_shipment(stored)
    return shipment if shipment is not None else stored  # type: ignore[return-value]
