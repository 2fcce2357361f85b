import datetime

from fairwind.v1 import common_pb2 as _common_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SlaKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SLA_KIND_UNSPECIFIED: _ClassVar[SlaKind]
    SLA_KIND_PICKUP: _ClassVar[SlaKind]
    SLA_KIND_OUTLET_DELIVERY: _ClassVar[SlaKind]
    SLA_KIND_PROMISE: _ClassVar[SlaKind]

class SlaClockState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SLA_CLOCK_STATE_UNSPECIFIED: _ClassVar[SlaClockState]
    SLA_CLOCK_STATE_RUNNING: _ClassVar[SlaClockState]
    SLA_CLOCK_STATE_MET: _ClassVar[SlaClockState]
    SLA_CLOCK_STATE_BREACHED: _ClassVar[SlaClockState]
    SLA_CLOCK_STATE_CANCELLED: _ClassVar[SlaClockState]

class ComplianceDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPLIANCE_DIMENSION_UNSPECIFIED: _ClassVar[ComplianceDimension]
    COMPLIANCE_DIMENSION_OUTLET: _ClassVar[ComplianceDimension]
    COMPLIANCE_DIMENSION_CITY: _ClassVar[ComplianceDimension]
    COMPLIANCE_DIMENSION_SERVICE_LEVEL: _ClassVar[ComplianceDimension]
    COMPLIANCE_DIMENSION_CUSTOMER_TIER: _ClassVar[ComplianceDimension]
SLA_KIND_UNSPECIFIED: SlaKind
SLA_KIND_PICKUP: SlaKind
SLA_KIND_OUTLET_DELIVERY: SlaKind
SLA_KIND_PROMISE: SlaKind
SLA_CLOCK_STATE_UNSPECIFIED: SlaClockState
SLA_CLOCK_STATE_RUNNING: SlaClockState
SLA_CLOCK_STATE_MET: SlaClockState
SLA_CLOCK_STATE_BREACHED: SlaClockState
SLA_CLOCK_STATE_CANCELLED: SlaClockState
COMPLIANCE_DIMENSION_UNSPECIFIED: ComplianceDimension
COMPLIANCE_DIMENSION_OUTLET: ComplianceDimension
COMPLIANCE_DIMENSION_CITY: ComplianceDimension
COMPLIANCE_DIMENSION_SERVICE_LEVEL: ComplianceDimension
COMPLIANCE_DIMENSION_CUSTOMER_TIER: ComplianceDimension

class SlaClock(_message.Message):
    __slots__ = ("waybill", "sla", "state", "started_at", "deadline", "budget", "stopped_at", "at_risk_emitted", "outlet_code", "city_code", "service_level", "customer_tier", "customer_id")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SLA_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    AT_RISK_EMITTED_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    sla: SlaKind
    state: SlaClockState
    started_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    budget: _duration_pb2.Duration
    stopped_at: _timestamp_pb2.Timestamp
    at_risk_emitted: bool
    outlet_code: str
    city_code: str
    service_level: _common_pb2.ServiceLevel
    customer_tier: _common_pb2.CustomerTier
    customer_id: str
    def __init__(self, waybill: _Optional[str] = ..., sla: _Optional[_Union[SlaKind, str]] = ..., state: _Optional[_Union[SlaClockState, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., budget: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., at_risk_emitted: _Optional[bool] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., customer_id: _Optional[str] = ...) -> None: ...

class SlaAtRisk(_message.Message):
    __slots__ = ("waybill", "sla", "started_at", "deadline", "elapsed_fraction", "remaining", "outlet_code", "city_code", "service_level", "customer_tier", "customer_id", "current_status", "courier_id", "detected_at")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SLA_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    COURIER_ID_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    sla: SlaKind
    started_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    elapsed_fraction: float
    remaining: _duration_pb2.Duration
    outlet_code: str
    city_code: str
    service_level: _common_pb2.ServiceLevel
    customer_tier: _common_pb2.CustomerTier
    customer_id: str
    current_status: _common_pb2.ShipmentStatus
    courier_id: str
    detected_at: _timestamp_pb2.Timestamp
    def __init__(self, waybill: _Optional[str] = ..., sla: _Optional[_Union[SlaKind, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., elapsed_fraction: _Optional[float] = ..., remaining: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., customer_id: _Optional[str] = ..., current_status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ..., courier_id: _Optional[str] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SlaBreached(_message.Message):
    __slots__ = ("waybill", "sla", "started_at", "deadline", "breached_at", "outlet_code", "city_code", "service_level", "customer_tier", "customer_id", "current_status")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SLA_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    BREACHED_AT_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    sla: SlaKind
    started_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    breached_at: _timestamp_pb2.Timestamp
    outlet_code: str
    city_code: str
    service_level: _common_pb2.ServiceLevel
    customer_tier: _common_pb2.CustomerTier
    customer_id: str
    current_status: _common_pb2.ShipmentStatus
    def __init__(self, waybill: _Optional[str] = ..., sla: _Optional[_Union[SlaKind, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., breached_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., customer_id: _Optional[str] = ..., current_status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ...) -> None: ...

class SlaMet(_message.Message):
    __slots__ = ("waybill", "sla", "started_at", "deadline", "met_at", "elapsed", "outlet_code", "city_code", "service_level", "customer_tier", "customer_id")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SLA_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    MET_AT_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    sla: SlaKind
    started_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    met_at: _timestamp_pb2.Timestamp
    elapsed: _duration_pb2.Duration
    outlet_code: str
    city_code: str
    service_level: _common_pb2.ServiceLevel
    customer_tier: _common_pb2.CustomerTier
    customer_id: str
    def __init__(self, waybill: _Optional[str] = ..., sla: _Optional[_Union[SlaKind, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., met_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., outlet_code: _Optional[str] = ..., city_code: _Optional[str] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., customer_id: _Optional[str] = ...) -> None: ...

class ComplianceRow(_message.Message):
    __slots__ = ("sla", "dimension", "dimension_value", "met", "breached", "compliance_ratio", "running", "at_risk")
    SLA_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_VALUE_FIELD_NUMBER: _ClassVar[int]
    MET_FIELD_NUMBER: _ClassVar[int]
    BREACHED_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_RATIO_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    AT_RISK_FIELD_NUMBER: _ClassVar[int]
    sla: SlaKind
    dimension: ComplianceDimension
    dimension_value: str
    met: int
    breached: int
    compliance_ratio: float
    running: int
    at_risk: int
    def __init__(self, sla: _Optional[_Union[SlaKind, str]] = ..., dimension: _Optional[_Union[ComplianceDimension, str]] = ..., dimension_value: _Optional[str] = ..., met: _Optional[int] = ..., breached: _Optional[int] = ..., compliance_ratio: _Optional[float] = ..., running: _Optional[int] = ..., at_risk: _Optional[int] = ...) -> None: ...

class ComplianceSnapshot(_message.Message):
    __slots__ = ("window_start", "window_end", "rows", "generated_at")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    rows: _containers.RepeatedCompositeFieldContainer[ComplianceRow]
    generated_at: _timestamp_pb2.Timestamp
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rows: _Optional[_Iterable[_Union[ComplianceRow, _Mapping]]] = ..., generated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
