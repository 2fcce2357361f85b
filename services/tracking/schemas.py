"""Request bodies of the scan API (every field bounded)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from fairwind.text import PLAIN_TEXT
from services.tracking.domain.status import ScanEvent

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,16}$")]
Waybill = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}[0-9]{12}$")]
# Free text is plain text (fairwind/text.py): a bidi override or a control in a name or a
# note would reorder or hide what the tracking page, a handheld or a call-centre screen shows.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), PLAIN_TEXT
]
ShortText = Annotated[str, StringConstraints(max_length=40), PLAIN_TEXT]
LongText = Annotated[str, StringConstraints(max_length=200), PLAIN_TEXT]


class ProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipient_name: Text
    relation: ShortText | None = None
    signature_ref: LongText | None = None
    photo_ref: LongText | None = None


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scan_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    waybill: Waybill
    event: ScanEvent
    location: Code
    courier_id: ShortText | None = None
    device_time: AwareDatetime
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")] | None = None
    proof_of_delivery: ProofIn | None = None
    next_location: Code | None = None
    note: LongText | None = None


class BatchIn(BaseModel):
    scans: list[Any] = Field(min_length=1, max_length=10_000)
