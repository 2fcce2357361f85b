"""Handheld and scanner devices: each bound to one location (and maybe a courier), issued
from the command line, token stored hashed. Locations are registered here too."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.tracking.store import Devices, Place, Places

Document = dict[str, Any]
_TOKEN = re.compile(r"^dt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_CODE = re.compile(r"^[A-Z0-9-]{2,16}$")


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    location: str
    location_kind: str  # "outlet" | "hub"
    courier_id: str | None


@dataclass(frozen=True, slots=True)
class IssuedDevice:
    device_id: str
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DeviceRegistry:
    """Devices and places, with what this process remembers of them."""

    def __init__(self, devices: Devices, places: Places, cache_s: float = 30.0) -> None:
        self.devices = devices
        self.places = places
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Document | None]] = {}
        # Every route names its places again: write a place only when it is new or changed.
        self._registered: dict[str, Place] = {}

    async def register_places(self, places: Iterable[Place]) -> None:
        """Store the places not stored by this process yet, in one write."""
        new: dict[str, Place] = {}
        for place in places:
            if not _CODE.match(place.code) or place.kind not in ("outlet", "hub"):
                raise ValueError(f"bad location {place.code!r} ({place.kind})")
            if self._registered.get(place.code) != place:
                new[place.code] = place  # the last of a code wins, as one at a time did
        await self.places.register(list(new.values()))
        self._registered.update(new)

    async def location(self, code: str) -> Document | None:
        return await self.places.get(code)

    async def create(
        self, location: str, kind: str, city_code: str = "", courier_id: str | None = None
    ) -> IssuedDevice:
        await self.register_places([Place(location, kind, city_code)])
        device_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        await self.devices.insert(
            {
                "_id": device_id,
                "location": location,
                "location_kind": kind,
                "courier_id": courier_id,
                "secret_sha256": _digest(secret),
                "created_at": datetime.now(UTC),
                "revoked_at": None,
            }
        )
        return IssuedDevice(device_id, f"dt_{device_id}_{secret}")

    async def revoke(self, device_id: str) -> bool:
        revoked = await self.devices.revoke(device_id, datetime.now(UTC))
        self._cache.pop(device_id, None)
        return revoked

    async def authenticate(self, token: str) -> Device | None:
        match = _TOKEN.match(token)
        if match is None:
            return None
        device_id, secret = match.groups()
        now = time.monotonic()
        cached = self._cache.get(device_id)
        if cached is None or cached[0] < now:
            cached = (now + self.cache_s, await self.devices.get(device_id))
            self._cache[device_id] = cached
        record = cached[1]
        if record is None or record.get("revoked_at") is not None:
            return None
        if not hmac.compare_digest(record["secret_sha256"], _digest(secret)):
            return None
        return Device(
            device_id, record["location"], record["location_kind"], record.get("courier_id")
        )
