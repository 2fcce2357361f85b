"""The partner API's request and response bodies, with a limit on every field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from fairwind.text import PLAIN_TEXT

ServiceLevel = Literal["same_day", "next_day", "standard", "economy"]
Channel = Literal["email", "sms", "webhook"]


# Free text is plain text (fairwind/text.py): no controls, bidi overrides or noncharacters.
Text64 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), PLAIN_TEXT
]
Text100 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), PLAIN_TEXT
]
Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), PLAIN_TEXT
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]{2,12}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{4,19}$")]
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), PLAIN_TEXT
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
HsCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}[0-9.]{0,11}$")]
PartnerOrderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:/-]{1,64}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)


class AddressIn(Strict):
    country: CountryCode = "CN"
    province: Text64
    city: Text64
    district: Text64
    street: Text200
    postal_code: PostalCode | None = None


class ContactIn(Strict):
    name: Text100
    company: Text100 | None = None
    phone: Phone
    email: Email | None = None
    address: AddressIn


class DimensionsIn(Strict):
    length_cm: float = Field(gt=0, le=300)
    width_cm: float = Field(gt=0, le=300)
    height_cm: float = Field(gt=0, le=300)


class MoneyIn(Strict):
    amount: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    currency: Currency = "CNY"


class ParcelIn(Strict):
    weight_kg: float = Field(gt=0, le=100)
    dimensions: DimensionsIn
    declared_value: MoneyIn | None = None
    description: Text200
    commodity_code: HsCode | None = None
    quantity: int = Field(default=1, ge=1, le=99)


class PickupWindowIn(Strict):
    start: AwareDatetime
    end: AwareDatetime


class NotificationsIn(Strict):
    channels: list[Channel] = Field(default_factory=list, max_length=3)
    language: Literal["zh-CN", "en"] = "zh-CN"
    opt_out_surveys: bool = False


class OrderIn(Strict):
    partner_order_id: PartnerOrderId | None = None
    shipper: ContactIn
    consignee: ContactIn
    parcels: list[ParcelIn] = Field(min_length=1, max_length=1000)
    service_level: ServiceLevel = "standard"
    pickup_window: PickupWindowIn | None = None
    cod_amount: MoneyIn | None = None
    notifications: NotificationsIn | None = None


class QuoteIn(Strict):
    origin: AddressIn
    destination: AddressIn
    parcels: list[ParcelIn] = Field(min_length=1, max_length=1000)
    service_level: ServiceLevel = "standard"
    ship_at: AwareDatetime | None = None
    cod_amount: MoneyIn | None = None


class CancelIn(Strict):
    reason: Text200 = "cancelled by partner"


class MoneyOut(BaseModel):
    amount: str
    currency: str


class PromiseOut(BaseModel):
    pickup_by: datetime
    deliver_by: datetime
    next_day: bool
    remote_area: bool
    extra_working_days: int


class SurchargeOut(BaseModel):
    code: str
    description: str
    amount: MoneyOut


class QuoteOut(BaseModel):
    service_level: ServiceLevel
    price: MoneyOut
    base_price: MoneyOut
    surcharges: list[SurchargeOut]
    chargeable_weight_kg: float
    zone: str
    promise: PromiseOut
    origin_outlet: str
    destination_outlet: str
    planned_hubs: list[str]
    valid_until: datetime | None


class WarningOut(BaseModel):
    code: str
    message: str
    parcel_index: int
    required_documents: list[str]


class CancellationOut(BaseModel):
    by: Literal["partner", "fairwind"]
    # partner_request, or why Fairwind cannot carry the order: unserved_area, no_service
    reason: str
    side: Literal["pickup", "delivery"] | None
    detail: str


class OrderOut(BaseModel):
    waybill: str
    status: str
    partner_order_id: str | None
    service_level: ServiceLevel
    created_at: datetime
    customer_tier: str
    chargeable_weight_kg: float
    promise_pending: bool
    promise: PromiseOut | None
    price: MoneyOut | None
    origin_outlet: str | None
    destination_outlet: str | None
    planned_hubs: list[str]
    warnings: list[WarningOut]
    cancelled_at: datetime | None = None
    cancellation: CancellationOut | None = None
    links: dict[str, str]


class OrderPage(BaseModel):
    orders: list[OrderOut]
    next_cursor: str | None


class BatchItemOut(BaseModel):
    index: int
    status: int
    order: OrderOut | None = None
    problem: dict[str, object] | None = None


class BatchOut(BaseModel):
    accepted: int
    rejected: int
    results: list[BatchItemOut]
