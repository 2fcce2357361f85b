"""Request bodies of the scan API (every field bounded)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.tracking.domain.status import ScanEvent

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,16}$")]
Waybill = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}[0-9]{12}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipient_name: Text
    relation: Annotated[str, StringConstraints(max_length=40)] | None = None
    signature_ref: Annotated[str, StringConstraints(max_length=200)] | None = None
    photo_ref: Annotated[str, StringConstraints(max_length=200)] | None = None


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scan_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    waybill: Waybill
    event: ScanEvent
    location: Code
    courier_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    device_time: AwareDatetime
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")] | None = None
    proof_of_delivery: ProofIn | None = None
    next_location: Code | None = None
    note: Annotated[str, StringConstraints(max_length=200)] | None = None


class BatchIn(BaseModel):
    scans: list[Any] = Field(min_length=1, max_length=10_000)
