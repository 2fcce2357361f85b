import datetime

from fairwind.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransportMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSPORT_MODE_UNSPECIFIED: _ClassVar[TransportMode]
    TRANSPORT_MODE_ROAD: _ClassVar[TransportMode]
    TRANSPORT_MODE_AIR: _ClassVar[TransportMode]

class UnroutableReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNROUTABLE_REASON_UNSPECIFIED: _ClassVar[UnroutableReason]
    UNROUTABLE_REASON_UNSERVED_AREA: _ClassVar[UnroutableReason]
    UNROUTABLE_REASON_NO_SERVICE: _ClassVar[UnroutableReason]

class ReplanReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPLAN_REASON_UNSPECIFIED: _ClassVar[ReplanReason]
    REPLAN_REASON_UNPLANNED_HUB: _ClassVar[ReplanReason]
    REPLAN_REASON_LATE_DEPARTURE: _ClassVar[ReplanReason]
    REPLAN_REASON_LINEHAUL_CANCELLED: _ClassVar[ReplanReason]
    REPLAN_REASON_ADDRESS_CHANGED: _ClassVar[ReplanReason]
    REPLAN_REASON_MANUAL: _ClassVar[ReplanReason]

class CourierTaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COURIER_TASK_STATUS_UNSPECIFIED: _ClassVar[CourierTaskStatus]
    COURIER_TASK_STATUS_ASSIGNED: _ClassVar[CourierTaskStatus]
    COURIER_TASK_STATUS_PICKED_UP: _ClassVar[CourierTaskStatus]
    COURIER_TASK_STATUS_FAILED: _ClassVar[CourierTaskStatus]
    COURIER_TASK_STATUS_CANCELLED: _ClassVar[CourierTaskStatus]
    COURIER_TASK_STATUS_ACCEPTED: _ClassVar[CourierTaskStatus]
TRANSPORT_MODE_UNSPECIFIED: TransportMode
TRANSPORT_MODE_ROAD: TransportMode
TRANSPORT_MODE_AIR: TransportMode
UNROUTABLE_REASON_UNSPECIFIED: UnroutableReason
UNROUTABLE_REASON_UNSERVED_AREA: UnroutableReason
UNROUTABLE_REASON_NO_SERVICE: UnroutableReason
REPLAN_REASON_UNSPECIFIED: ReplanReason
REPLAN_REASON_UNPLANNED_HUB: ReplanReason
REPLAN_REASON_LATE_DEPARTURE: ReplanReason
REPLAN_REASON_LINEHAUL_CANCELLED: ReplanReason
REPLAN_REASON_ADDRESS_CHANGED: ReplanReason
REPLAN_REASON_MANUAL: ReplanReason
COURIER_TASK_STATUS_UNSPECIFIED: CourierTaskStatus
COURIER_TASK_STATUS_ASSIGNED: CourierTaskStatus
COURIER_TASK_STATUS_PICKED_UP: CourierTaskStatus
COURIER_TASK_STATUS_FAILED: CourierTaskStatus
COURIER_TASK_STATUS_CANCELLED: CourierTaskStatus
COURIER_TASK_STATUS_ACCEPTED: CourierTaskStatus

class RouteLeg(_message.Message):
    __slots__ = ("sequence", "from_location", "to_location", "mode", "planned_departure", "planned_arrival", "linehaul_id")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FROM_LOCATION_FIELD_NUMBER: _ClassVar[int]
    TO_LOCATION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_DEPARTURE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_ARRIVAL_FIELD_NUMBER: _ClassVar[int]
    LINEHAUL_ID_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    from_location: _common_pb2.LocationRef
    to_location: _common_pb2.LocationRef
    mode: TransportMode
    planned_departure: _timestamp_pb2.Timestamp
    planned_arrival: _timestamp_pb2.Timestamp
    linehaul_id: str
    def __init__(self, sequence: _Optional[int] = ..., from_location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., to_location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., mode: _Optional[_Union[TransportMode, str]] = ..., planned_departure: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., planned_arrival: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., linehaul_id: _Optional[str] = ...) -> None: ...

class Route(_message.Message):
    __slots__ = ("waybill", "version", "origin_outlet", "destination_outlet", "legs", "service_level", "promise", "arrival_at_destination_outlet", "planned_at")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_OUTLET_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_OUTLET_FIELD_NUMBER: _ClassVar[int]
    LEGS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PROMISE_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_AT_DESTINATION_OUTLET_FIELD_NUMBER: _ClassVar[int]
    PLANNED_AT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    version: int
    origin_outlet: _common_pb2.LocationRef
    destination_outlet: _common_pb2.LocationRef
    legs: _containers.RepeatedCompositeFieldContainer[RouteLeg]
    service_level: _common_pb2.ServiceLevel
    promise: _common_pb2.Promise
    arrival_at_destination_outlet: _timestamp_pb2.Timestamp
    planned_at: _timestamp_pb2.Timestamp
    def __init__(self, waybill: _Optional[str] = ..., version: _Optional[int] = ..., origin_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., destination_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., legs: _Optional[_Iterable[_Union[RouteLeg, _Mapping]]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ..., arrival_at_destination_outlet: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., planned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Surcharge(_message.Message):
    __slots__ = ("code", "description", "amount")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    amount: _common_pb2.Money
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Quote(_message.Message):
    __slots__ = ("price", "base_price", "surcharges", "chargeable_weight_kg", "promise", "zone", "service_level", "origin_outlet", "destination_outlet", "valid_until", "hub_codes")
    PRICE_FIELD_NUMBER: _ClassVar[int]
    BASE_PRICE_FIELD_NUMBER: _ClassVar[int]
    SURCHARGES_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLE_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    PROMISE_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_OUTLET_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_OUTLET_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    HUB_CODES_FIELD_NUMBER: _ClassVar[int]
    price: _common_pb2.Money
    base_price: _common_pb2.Money
    surcharges: _containers.RepeatedCompositeFieldContainer[Surcharge]
    chargeable_weight_kg: float
    promise: _common_pb2.Promise
    zone: str
    service_level: _common_pb2.ServiceLevel
    origin_outlet: _common_pb2.LocationRef
    destination_outlet: _common_pb2.LocationRef
    valid_until: _timestamp_pb2.Timestamp
    hub_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., base_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., surcharges: _Optional[_Iterable[_Union[Surcharge, _Mapping]]] = ..., chargeable_weight_kg: _Optional[float] = ..., promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ..., zone: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., origin_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., destination_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hub_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class RoutePlanned(_message.Message):
    __slots__ = ("route", "price", "chargeable_weight_kg")
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLE_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    route: Route
    price: _common_pb2.Money
    chargeable_weight_kg: float
    def __init__(self, route: _Optional[_Union[Route, _Mapping]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., chargeable_weight_kg: _Optional[float] = ...) -> None: ...

class OrderUnroutable(_message.Message):
    __slots__ = ("waybill", "reason", "side", "detail", "failed_at")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    reason: UnroutableReason
    side: _common_pb2.AddressSide
    detail: str
    failed_at: _timestamp_pb2.Timestamp
    def __init__(self, waybill: _Optional[str] = ..., reason: _Optional[_Union[UnroutableReason, str]] = ..., side: _Optional[_Union[_common_pb2.AddressSide, str]] = ..., detail: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RouteReplanned(_message.Message):
    __slots__ = ("route", "previous_version", "reason", "detail", "from_location", "previous_promise")
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    FROM_LOCATION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PROMISE_FIELD_NUMBER: _ClassVar[int]
    route: Route
    previous_version: int
    reason: ReplanReason
    detail: str
    from_location: _common_pb2.LocationRef
    previous_promise: _common_pb2.Promise
    def __init__(self, route: _Optional[_Union[Route, _Mapping]] = ..., previous_version: _Optional[int] = ..., reason: _Optional[_Union[ReplanReason, str]] = ..., detail: _Optional[str] = ..., from_location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., previous_promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ...) -> None: ...

class PickupDispatched(_message.Message):
    __slots__ = ("waybill", "courier_id", "outlet_code", "city_code", "pickup_window", "pickup_by", "dispatched_at", "attempt")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    PICKUP_BY_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    courier_id: str
    outlet_code: str
    city_code: str
    pickup_window: _common_pb2.TimeWindow
    pickup_by: _timestamp_pb2.Timestamp
    dispatched_at: _timestamp_pb2.Timestamp
    attempt: int
    def __init__(self, waybill: _Optional[str] = ..., courier_id: _Optional[str] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., pickup_window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., pickup_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class CourierTask(_message.Message):
    __slots__ = ("waybill", "pickup_address", "pickup_contact", "pickup_window", "pickup_by", "status", "pieces", "weight_kg", "collect_amount", "dispatched_at", "attempt")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    PICKUP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PICKUP_CONTACT_FIELD_NUMBER: _ClassVar[int]
    PICKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    PICKUP_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PIECES_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    COLLECT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    pickup_address: _common_pb2.Address
    pickup_contact: _common_pb2.Contact
    pickup_window: _common_pb2.TimeWindow
    pickup_by: _timestamp_pb2.Timestamp
    status: CourierTaskStatus
    pieces: int
    weight_kg: float
    collect_amount: _common_pb2.Money
    dispatched_at: _timestamp_pb2.Timestamp
    attempt: int
    def __init__(self, waybill: _Optional[str] = ..., pickup_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., pickup_contact: _Optional[_Union[_common_pb2.Contact, _Mapping]] = ..., pickup_window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., pickup_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[CourierTaskStatus, str]] = ..., pieces: _Optional[int] = ..., weight_kg: _Optional[float] = ..., collect_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., dispatched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class QuoteRequest(_message.Message):
    __slots__ = ("origin", "destination", "parcels", "service_level", "ship_at", "customer_id", "cod_amount")
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    PARCELS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SHIP_AT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    COD_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    origin: _common_pb2.Address
    destination: _common_pb2.Address
    parcels: _containers.RepeatedCompositeFieldContainer[_common_pb2.Parcel]
    service_level: _common_pb2.ServiceLevel
    ship_at: _timestamp_pb2.Timestamp
    customer_id: str
    cod_amount: _common_pb2.Money
    def __init__(self, origin: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., destination: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., parcels: _Optional[_Iterable[_Union[_common_pb2.Parcel, _Mapping]]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., ship_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customer_id: _Optional[str] = ..., cod_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class QuoteResponse(_message.Message):
    __slots__ = ("quote",)
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    quote: Quote
    def __init__(self, quote: _Optional[_Union[Quote, _Mapping]] = ...) -> None: ...

class QuoteManyRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[QuoteRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[QuoteRequest, _Mapping]]] = ...) -> None: ...

class QuoteResult(_message.Message):
    __slots__ = ("quote", "refusal")
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    quote: Quote
    refusal: str
    def __init__(self, quote: _Optional[_Union[Quote, _Mapping]] = ..., refusal: _Optional[str] = ...) -> None: ...

class QuoteManyResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[QuoteResult]
    def __init__(self, results: _Optional[_Iterable[_Union[QuoteResult, _Mapping]]] = ...) -> None: ...

class PlanRouteRequest(_message.Message):
    __slots__ = ("waybill", "origin", "destination", "service_level", "placed_at", "pickup_window", "weight_kg")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    PICKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    origin: _common_pb2.Address
    destination: _common_pb2.Address
    service_level: _common_pb2.ServiceLevel
    placed_at: _timestamp_pb2.Timestamp
    pickup_window: _common_pb2.TimeWindow
    weight_kg: float
    def __init__(self, waybill: _Optional[str] = ..., origin: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., destination: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., placed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pickup_window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., weight_kg: _Optional[float] = ...) -> None: ...

class PlanRouteResponse(_message.Message):
    __slots__ = ("route",)
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    route: Route
    def __init__(self, route: _Optional[_Union[Route, _Mapping]] = ...) -> None: ...

class GetRouteRequest(_message.Message):
    __slots__ = ("waybill", "version")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    version: int
    def __init__(self, waybill: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetRouteResponse(_message.Message):
    __slots__ = ("route", "previous_versions")
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    route: Route
    previous_versions: _containers.RepeatedCompositeFieldContainer[Route]
    def __init__(self, route: _Optional[_Union[Route, _Mapping]] = ..., previous_versions: _Optional[_Iterable[_Union[Route, _Mapping]]] = ...) -> None: ...

class CheckCoverageRequest(_message.Message):
    __slots__ = ("address", "service_level")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    address: _common_pb2.Address
    service_level: _common_pb2.ServiceLevel
    def __init__(self, address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ...) -> None: ...

class CheckCoverageResponse(_message.Message):
    __slots__ = ("served", "remote_area", "outlet_code", "city_code", "reason", "extra_working_days")
    SERVED_FIELD_NUMBER: _ClassVar[int]
    REMOTE_AREA_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXTRA_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    served: bool
    remote_area: bool
    outlet_code: str
    city_code: str
    reason: str
    extra_working_days: int
    def __init__(self, served: _Optional[bool] = ..., remote_area: _Optional[bool] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., reason: _Optional[str] = ..., extra_working_days: _Optional[int] = ...) -> None: ...

class ListCourierTasksRequest(_message.Message):
    __slots__ = ("courier_id", "statuses", "page_size", "page_token")
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    courier_id: str
    statuses: _containers.RepeatedScalarFieldContainer[CourierTaskStatus]
    page_size: int
    page_token: str
    def __init__(self, courier_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[CourierTaskStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCourierTasksResponse(_message.Message):
    __slots__ = ("tasks", "next_page_token")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[CourierTask]
    next_page_token: str
    def __init__(self, tasks: _Optional[_Iterable[_Union[CourierTask, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcceptCourierTaskRequest(_message.Message):
    __slots__ = ("courier_id", "waybill")
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    courier_id: str
    waybill: str
    def __init__(self, courier_id: _Optional[str] = ..., waybill: _Optional[str] = ...) -> None: ...

class AcceptCourierTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: CourierTask
    def __init__(self, task: _Optional[_Union[CourierTask, _Mapping]] = ...) -> None: ...
