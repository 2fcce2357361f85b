import datetime

from fairwind.v1 import common_pb2 as _common_pb2
from fairwind.v1 import routes_pb2 as _routes_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScanEvent(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCAN_EVENT_UNSPECIFIED: _ClassVar[ScanEvent]
    SCAN_EVENT_PICKED_UP: _ClassVar[ScanEvent]
    SCAN_EVENT_ARRIVED: _ClassVar[ScanEvent]
    SCAN_EVENT_SORTED: _ClassVar[ScanEvent]
    SCAN_EVENT_DEPARTED: _ClassVar[ScanEvent]
    SCAN_EVENT_AT_DELIVERY_OUTLET: _ClassVar[ScanEvent]
    SCAN_EVENT_OUT_FOR_DELIVERY: _ClassVar[ScanEvent]
    SCAN_EVENT_DELIVERED: _ClassVar[ScanEvent]
    SCAN_EVENT_DELIVERY_FAILED: _ClassVar[ScanEvent]
    SCAN_EVENT_AVAILABLE_FOR_PICKUP: _ClassVar[ScanEvent]
    SCAN_EVENT_EXCEPTION: _ClassVar[ScanEvent]
    SCAN_EVENT_RETURNED: _ClassVar[ScanEvent]

class DeviationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVIATION_KIND_UNSPECIFIED: _ClassVar[DeviationKind]
    DEVIATION_KIND_UNPLANNED_HUB: _ClassVar[DeviationKind]
    DEVIATION_KIND_LATE_DEPARTURE: _ClassVar[DeviationKind]
SCAN_EVENT_UNSPECIFIED: ScanEvent
SCAN_EVENT_PICKED_UP: ScanEvent
SCAN_EVENT_ARRIVED: ScanEvent
SCAN_EVENT_SORTED: ScanEvent
SCAN_EVENT_DEPARTED: ScanEvent
SCAN_EVENT_AT_DELIVERY_OUTLET: ScanEvent
SCAN_EVENT_OUT_FOR_DELIVERY: ScanEvent
SCAN_EVENT_DELIVERED: ScanEvent
SCAN_EVENT_DELIVERY_FAILED: ScanEvent
SCAN_EVENT_AVAILABLE_FOR_PICKUP: ScanEvent
SCAN_EVENT_EXCEPTION: ScanEvent
SCAN_EVENT_RETURNED: ScanEvent
DEVIATION_KIND_UNSPECIFIED: DeviationKind
DEVIATION_KIND_UNPLANNED_HUB: DeviationKind
DEVIATION_KIND_LATE_DEPARTURE: DeviationKind

class ProofOfDelivery(_message.Message):
    __slots__ = ("recipient_name", "signature_ref", "photo_ref", "recipient_relation", "cod_collected")
    RECIPIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_REF_FIELD_NUMBER: _ClassVar[int]
    PHOTO_REF_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_RELATION_FIELD_NUMBER: _ClassVar[int]
    COD_COLLECTED_FIELD_NUMBER: _ClassVar[int]
    recipient_name: str
    signature_ref: str
    photo_ref: str
    recipient_relation: str
    cod_collected: _common_pb2.Money
    def __init__(self, recipient_name: _Optional[str] = ..., signature_ref: _Optional[str] = ..., photo_ref: _Optional[str] = ..., recipient_relation: _Optional[str] = ..., cod_collected: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Scan(_message.Message):
    __slots__ = ("scan_id", "waybill", "event", "location", "courier_id", "device_id", "device_time", "recorded_at", "reason", "proof_of_delivery", "next_location_code", "note")
    SCAN_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PROOF_OF_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    NEXT_LOCATION_CODE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    scan_id: str
    waybill: str
    event: ScanEvent
    location: _common_pb2.LocationRef
    courier_id: str
    device_id: str
    device_time: _timestamp_pb2.Timestamp
    recorded_at: _timestamp_pb2.Timestamp
    reason: _common_pb2.ExceptionReason
    proof_of_delivery: ProofOfDelivery
    next_location_code: str
    note: str
    def __init__(self, scan_id: _Optional[str] = ..., waybill: _Optional[str] = ..., event: _Optional[_Union[ScanEvent, str]] = ..., location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., courier_id: _Optional[str] = ..., device_id: _Optional[str] = ..., device_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[_Union[_common_pb2.ExceptionReason, str]] = ..., proof_of_delivery: _Optional[_Union[ProofOfDelivery, _Mapping]] = ..., next_location_code: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class Hop(_message.Message):
    __slots__ = ("location", "arrived_at", "sorted_at", "departed_at", "planned")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ARRIVED_AT_FIELD_NUMBER: _ClassVar[int]
    SORTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEPARTED_AT_FIELD_NUMBER: _ClassVar[int]
    PLANNED_FIELD_NUMBER: _ClassVar[int]
    location: _common_pb2.LocationRef
    arrived_at: _timestamp_pb2.Timestamp
    sorted_at: _timestamp_pb2.Timestamp
    departed_at: _timestamp_pb2.Timestamp
    planned: bool
    def __init__(self, location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., arrived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sorted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., planned: _Optional[bool] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("waybill", "status", "substatus", "reason", "current_location", "origin_outlet", "destination_outlet", "service_level", "timeline", "planned_legs", "route_version", "actual_hops", "eta", "promise", "late", "partner_id", "customer_id", "courier_id", "created_at", "updated_at", "delivered_at", "proof_of_delivery")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBSTATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LOCATION_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_OUTLET_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_OUTLET_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_LEGS_FIELD_NUMBER: _ClassVar[int]
    ROUTE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_HOPS_FIELD_NUMBER: _ClassVar[int]
    ETA_FIELD_NUMBER: _ClassVar[int]
    PROMISE_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    PROOF_OF_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    status: _common_pb2.ShipmentStatus
    substatus: _common_pb2.TransitSubstatus
    reason: _common_pb2.ExceptionReason
    current_location: _common_pb2.LocationRef
    origin_outlet: _common_pb2.LocationRef
    destination_outlet: _common_pb2.LocationRef
    service_level: _common_pb2.ServiceLevel
    timeline: _containers.RepeatedCompositeFieldContainer[Scan]
    planned_legs: _containers.RepeatedCompositeFieldContainer[_routes_pb2.RouteLeg]
    route_version: int
    actual_hops: _containers.RepeatedCompositeFieldContainer[Hop]
    eta: _timestamp_pb2.Timestamp
    promise: _common_pb2.Promise
    late: bool
    partner_id: str
    customer_id: str
    courier_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    proof_of_delivery: ProofOfDelivery
    def __init__(self, waybill: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ..., substatus: _Optional[_Union[_common_pb2.TransitSubstatus, str]] = ..., reason: _Optional[_Union[_common_pb2.ExceptionReason, str]] = ..., current_location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., origin_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., destination_outlet: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., timeline: _Optional[_Iterable[_Union[Scan, _Mapping]]] = ..., planned_legs: _Optional[_Iterable[_Union[_routes_pb2.RouteLeg, _Mapping]]] = ..., route_version: _Optional[int] = ..., actual_hops: _Optional[_Iterable[_Union[Hop, _Mapping]]] = ..., eta: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ..., late: _Optional[bool] = ..., partner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., courier_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., proof_of_delivery: _Optional[_Union[ProofOfDelivery, _Mapping]] = ...) -> None: ...

class ScanRecorded(_message.Message):
    __slots__ = ("scan", "out_of_order")
    SCAN_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_ORDER_FIELD_NUMBER: _ClassVar[int]
    scan: Scan
    out_of_order: bool
    def __init__(self, scan: _Optional[_Union[Scan, _Mapping]] = ..., out_of_order: _Optional[bool] = ...) -> None: ...

class ShipmentStatusChanged(_message.Message):
    __slots__ = ("waybill", "from_status", "to_status", "substatus", "location", "occurred_at", "reason", "scan_id", "courier_id", "partner_id", "customer_id", "service_level", "customer_tier", "promise", "eta", "proof_of_delivery")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBSTATUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SCAN_ID_FIELD_NUMBER: _ClassVar[int]
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    PROMISE_FIELD_NUMBER: _ClassVar[int]
    ETA_FIELD_NUMBER: _ClassVar[int]
    PROOF_OF_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    from_status: _common_pb2.ShipmentStatus
    to_status: _common_pb2.ShipmentStatus
    substatus: _common_pb2.TransitSubstatus
    location: _common_pb2.LocationRef
    occurred_at: _timestamp_pb2.Timestamp
    reason: _common_pb2.ExceptionReason
    scan_id: str
    courier_id: str
    partner_id: str
    customer_id: str
    service_level: _common_pb2.ServiceLevel
    customer_tier: _common_pb2.CustomerTier
    promise: _common_pb2.Promise
    eta: _timestamp_pb2.Timestamp
    proof_of_delivery: ProofOfDelivery
    def __init__(self, waybill: _Optional[str] = ..., from_status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ..., to_status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ..., substatus: _Optional[_Union[_common_pb2.TransitSubstatus, str]] = ..., location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[_Union[_common_pb2.ExceptionReason, str]] = ..., scan_id: _Optional[str] = ..., courier_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ..., eta: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., proof_of_delivery: _Optional[_Union[ProofOfDelivery, _Mapping]] = ...) -> None: ...

class RouteDeviationDetected(_message.Message):
    __slots__ = ("waybill", "kind", "location", "expected_location", "planned_time", "actual_time", "delay", "route_version", "scan_id", "detected_at")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_LOCATION_FIELD_NUMBER: _ClassVar[int]
    PLANNED_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_TIME_FIELD_NUMBER: _ClassVar[int]
    DELAY_FIELD_NUMBER: _ClassVar[int]
    ROUTE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCAN_ID_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    kind: DeviationKind
    location: _common_pb2.LocationRef
    expected_location: _common_pb2.LocationRef
    planned_time: _timestamp_pb2.Timestamp
    actual_time: _timestamp_pb2.Timestamp
    delay: _duration_pb2.Duration
    route_version: int
    scan_id: str
    detected_at: _timestamp_pb2.Timestamp
    def __init__(self, waybill: _Optional[str] = ..., kind: _Optional[_Union[DeviationKind, str]] = ..., location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., expected_location: _Optional[_Union[_common_pb2.LocationRef, _Mapping]] = ..., planned_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actual_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delay: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., route_version: _Optional[int] = ..., scan_id: _Optional[str] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetShipmentRequest(_message.Message):
    __slots__ = ("waybill",)
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    def __init__(self, waybill: _Optional[str] = ...) -> None: ...

class GetShipmentResponse(_message.Message):
    __slots__ = ("shipment",)
    SHIPMENT_FIELD_NUMBER: _ClassVar[int]
    shipment: Shipment
    def __init__(self, shipment: _Optional[_Union[Shipment, _Mapping]] = ...) -> None: ...

class ListShipmentsRequest(_message.Message):
    __slots__ = ("courier_id", "outlet_code", "statuses", "page_size", "page_token")
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    courier_id: str
    outlet_code: str
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.ShipmentStatus]
    page_size: int
    page_token: str
    def __init__(self, courier_id: _Optional[str] = ..., outlet_code: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.ShipmentStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListShipmentsResponse(_message.Message):
    __slots__ = ("shipments", "next_page_token")
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    next_page_token: str
    def __init__(self, shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
