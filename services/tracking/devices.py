"""Handheld and scanner devices: each bound to one location (and maybe a courier), issued
from the command line, token stored hashed. Locations are registered here too."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fairwind.cache import TtlCache
from fairwind.tokens import Credential, TokenStore
from services.tracking.store import Devices, Place, Places

Document = dict[str, Any]
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


class DeviceRegistry:
    """Devices and places, with what this process remembers of them."""

    def __init__(self, devices: Devices, places: Places, cache_s: float = 30.0) -> None:
        self.devices = devices
        self.places = places
        # Tokens are checked by the kit (``fairwind/tokens.py``); a revocation takes effect
        # within ``cache_s`` on every replica.
        self.tokens = TokenStore("dt", self._load, cache_s)
        # Every route names its places again: write a place only when it is new or changed.
        self._registered: dict[str, Place] = {}
        # Every scan checks its place: places change when routes name them anew, rarely, so
        # a found place is kept ``cache_s`` (a scan's own database read saved).
        self._places: TtlCache[Document] = TtlCache(cache_s)

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
        for code in new:
            self._places.discard(code)

    async def location(self, code: str) -> Document | None:
        cached = self._places.get(code)
        if cached is not None:
            return cached
        found = await self.places.get(code)
        if found is not None:  # an unknown place may be registered any moment: not kept
            self._places.put(code, found)
        return found

    async def create(
        self, location: str, kind: str, city_code: str = "", courier_id: str | None = None
    ) -> IssuedDevice:
        await self.register_places([Place(location, kind, city_code)])
        issued = self.tokens.issue()
        await self.devices.insert(
            {
                "_id": issued.id,
                "location": location,
                "location_kind": kind,
                "courier_id": courier_id,
                "secret_sha256": issued.secret_sha256,
                "created_at": datetime.now(UTC),
                "revoked_at": None,
            }
        )
        return IssuedDevice(issued.id, issued.plain)

    async def revoke(self, device_id: str) -> bool:
        revoked = await self.devices.revoke(device_id, datetime.now(UTC))
        self.tokens.forget(device_id)
        return revoked

    async def authenticate(self, token: str) -> Device | None:
        return await self.tokens.check(token)

    async def _load(self, device_id: str) -> Credential[Device] | None:
        record = await self.devices.get(device_id)
        if record is None or record.get("revoked_at") is not None:
            return None
        device = Device(
            device_id, record["location"], record["location_kind"], record.get("courier_id")
        )
        return Credential(record["secret_sha256"], device)
