import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServiceLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_LEVEL_UNSPECIFIED: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_SAME_DAY: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_NEXT_DAY: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_STANDARD: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_ECONOMY: _ClassVar[ServiceLevel]

class CustomerTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_TIER_UNSPECIFIED: _ClassVar[CustomerTier]
    CUSTOMER_TIER_Q1: _ClassVar[CustomerTier]
    CUSTOMER_TIER_Q2: _ClassVar[CustomerTier]
    CUSTOMER_TIER_Q3: _ClassVar[CustomerTier]
    CUSTOMER_TIER_Q4: _ClassVar[CustomerTier]
    CUSTOMER_TIER_Q5: _ClassVar[CustomerTier]

class ShipmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_STATUS_UNSPECIFIED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_INFO_RECEIVED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_PICKUP_DISPATCHED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_PICKED_UP: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_IN_TRANSIT: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_AT_DELIVERY_OUTLET: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_OUT_FOR_DELIVERY: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_DELIVERED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_DELIVERY_FAILED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_AVAILABLE_FOR_PICKUP: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_EXCEPTION: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_RETURNED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_CANCELLED: _ClassVar[ShipmentStatus]

class TransitSubstatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSIT_SUBSTATUS_UNSPECIFIED: _ClassVar[TransitSubstatus]
    TRANSIT_SUBSTATUS_ARRIVED: _ClassVar[TransitSubstatus]
    TRANSIT_SUBSTATUS_SORTED: _ClassVar[TransitSubstatus]
    TRANSIT_SUBSTATUS_DEPARTED: _ClassVar[TransitSubstatus]

class ExceptionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXCEPTION_REASON_UNSPECIFIED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_DAMAGED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_MISSORTED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_DELAYED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_LOST: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_MISSED_CONNECTION: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_VEHICLE_BREAKDOWN: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CARRIER_LABEL_DAMAGED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_NOT_HOME: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_REFUSED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_ADDRESS_INCORRECT: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_UNREACHABLE: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_RESCHEDULED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_MOVED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_COD_UNPAID: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CONSIGNEE_BUSINESS_CLOSED: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CUSTOMS_HELD: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CUSTOMS_DOCUMENTS_MISSING: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CUSTOMS_DUTIES_UNPAID: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CUSTOMS_PROHIBITED_ITEM: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_CUSTOMS_INSPECTION: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_WEATHER_DELAY: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_WEATHER_TYPHOON: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_WEATHER_SNOWSTORM: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_WEATHER_FLOOD: _ClassVar[ExceptionReason]
    EXCEPTION_REASON_WEATHER_FLIGHT_CANCELLED: _ClassVar[ExceptionReason]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_WEBHOOK: _ClassVar[Channel]

class AddressSide(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADDRESS_SIDE_UNSPECIFIED: _ClassVar[AddressSide]
    ADDRESS_SIDE_PICKUP: _ClassVar[AddressSide]
    ADDRESS_SIDE_DELIVERY: _ClassVar[AddressSide]

class LocationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCATION_KIND_UNSPECIFIED: _ClassVar[LocationKind]
    LOCATION_KIND_OUTLET: _ClassVar[LocationKind]
    LOCATION_KIND_HUB: _ClassVar[LocationKind]
SERVICE_LEVEL_UNSPECIFIED: ServiceLevel
SERVICE_LEVEL_SAME_DAY: ServiceLevel
SERVICE_LEVEL_NEXT_DAY: ServiceLevel
SERVICE_LEVEL_STANDARD: ServiceLevel
SERVICE_LEVEL_ECONOMY: ServiceLevel
CUSTOMER_TIER_UNSPECIFIED: CustomerTier
CUSTOMER_TIER_Q1: CustomerTier
CUSTOMER_TIER_Q2: CustomerTier
CUSTOMER_TIER_Q3: CustomerTier
CUSTOMER_TIER_Q4: CustomerTier
CUSTOMER_TIER_Q5: CustomerTier
SHIPMENT_STATUS_UNSPECIFIED: ShipmentStatus
SHIPMENT_STATUS_INFO_RECEIVED: ShipmentStatus
SHIPMENT_STATUS_PICKUP_DISPATCHED: ShipmentStatus
SHIPMENT_STATUS_PICKED_UP: ShipmentStatus
SHIPMENT_STATUS_IN_TRANSIT: ShipmentStatus
SHIPMENT_STATUS_AT_DELIVERY_OUTLET: ShipmentStatus
SHIPMENT_STATUS_OUT_FOR_DELIVERY: ShipmentStatus
SHIPMENT_STATUS_DELIVERED: ShipmentStatus
SHIPMENT_STATUS_DELIVERY_FAILED: ShipmentStatus
SHIPMENT_STATUS_AVAILABLE_FOR_PICKUP: ShipmentStatus
SHIPMENT_STATUS_EXCEPTION: ShipmentStatus
SHIPMENT_STATUS_RETURNED: ShipmentStatus
SHIPMENT_STATUS_CANCELLED: ShipmentStatus
TRANSIT_SUBSTATUS_UNSPECIFIED: TransitSubstatus
TRANSIT_SUBSTATUS_ARRIVED: TransitSubstatus
TRANSIT_SUBSTATUS_SORTED: TransitSubstatus
TRANSIT_SUBSTATUS_DEPARTED: TransitSubstatus
EXCEPTION_REASON_UNSPECIFIED: ExceptionReason
EXCEPTION_REASON_CARRIER_DAMAGED: ExceptionReason
EXCEPTION_REASON_CARRIER_MISSORTED: ExceptionReason
EXCEPTION_REASON_CARRIER_DELAYED: ExceptionReason
EXCEPTION_REASON_CARRIER_LOST: ExceptionReason
EXCEPTION_REASON_CARRIER_MISSED_CONNECTION: ExceptionReason
EXCEPTION_REASON_CARRIER_VEHICLE_BREAKDOWN: ExceptionReason
EXCEPTION_REASON_CARRIER_LABEL_DAMAGED: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_NOT_HOME: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_REFUSED: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_ADDRESS_INCORRECT: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_UNREACHABLE: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_RESCHEDULED: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_MOVED: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_COD_UNPAID: ExceptionReason
EXCEPTION_REASON_CONSIGNEE_BUSINESS_CLOSED: ExceptionReason
EXCEPTION_REASON_CUSTOMS_HELD: ExceptionReason
EXCEPTION_REASON_CUSTOMS_DOCUMENTS_MISSING: ExceptionReason
EXCEPTION_REASON_CUSTOMS_DUTIES_UNPAID: ExceptionReason
EXCEPTION_REASON_CUSTOMS_PROHIBITED_ITEM: ExceptionReason
EXCEPTION_REASON_CUSTOMS_INSPECTION: ExceptionReason
EXCEPTION_REASON_WEATHER_DELAY: ExceptionReason
EXCEPTION_REASON_WEATHER_TYPHOON: ExceptionReason
EXCEPTION_REASON_WEATHER_SNOWSTORM: ExceptionReason
EXCEPTION_REASON_WEATHER_FLOOD: ExceptionReason
EXCEPTION_REASON_WEATHER_FLIGHT_CANCELLED: ExceptionReason
CHANNEL_UNSPECIFIED: Channel
CHANNEL_EMAIL: Channel
CHANNEL_SMS: Channel
CHANNEL_WEBHOOK: Channel
ADDRESS_SIDE_UNSPECIFIED: AddressSide
ADDRESS_SIDE_PICKUP: AddressSide
ADDRESS_SIDE_DELIVERY: AddressSide
LOCATION_KIND_UNSPECIFIED: LocationKind
LOCATION_KIND_OUTLET: LocationKind
LOCATION_KIND_HUB: LocationKind

class Money(_message.Message):
    __slots__ = ("currency_code", "units", "nanos")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NANOS_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    units: int
    nanos: int
    def __init__(self, currency_code: _Optional[str] = ..., units: _Optional[int] = ..., nanos: _Optional[int] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("country_code", "province", "city", "district", "street", "postal_code", "latitude", "longitude")
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    country_code: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    latitude: float
    longitude: float
    def __init__(self, country_code: _Optional[str] = ..., province: _Optional[str] = ..., city: _Optional[str] = ..., district: _Optional[str] = ..., street: _Optional[str] = ..., postal_code: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("name", "company", "phone", "email", "address")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    company: str
    phone: str
    email: str
    address: Address
    def __init__(self, name: _Optional[str] = ..., company: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., address: _Optional[_Union[Address, _Mapping]] = ...) -> None: ...

class Dimensions(_message.Message):
    __slots__ = ("length_cm", "width_cm", "height_cm")
    LENGTH_CM_FIELD_NUMBER: _ClassVar[int]
    WIDTH_CM_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_CM_FIELD_NUMBER: _ClassVar[int]
    length_cm: float
    width_cm: float
    height_cm: float
    def __init__(self, length_cm: _Optional[float] = ..., width_cm: _Optional[float] = ..., height_cm: _Optional[float] = ...) -> None: ...

class Parcel(_message.Message):
    __slots__ = ("weight_kg", "dimensions", "declared_value", "description", "commodity_code", "quantity")
    WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    DECLARED_VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    weight_kg: float
    dimensions: Dimensions
    declared_value: Money
    description: str
    commodity_code: str
    quantity: int
    def __init__(self, weight_kg: _Optional[float] = ..., dimensions: _Optional[_Union[Dimensions, _Mapping]] = ..., declared_value: _Optional[_Union[Money, _Mapping]] = ..., description: _Optional[str] = ..., commodity_code: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationPreferences(_message.Message):
    __slots__ = ("channels", "language", "opt_out_statuses", "opt_out_surveys", "opt_out_marketing", "quiet_hours_start_minute", "quiet_hours_end_minute", "time_zone")
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_STATUSES_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_SURVEYS_FIELD_NUMBER: _ClassVar[int]
    OPT_OUT_MARKETING_FIELD_NUMBER: _ClassVar[int]
    QUIET_HOURS_START_MINUTE_FIELD_NUMBER: _ClassVar[int]
    QUIET_HOURS_END_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[Channel]
    language: str
    opt_out_statuses: _containers.RepeatedScalarFieldContainer[ShipmentStatus]
    opt_out_surveys: bool
    opt_out_marketing: bool
    quiet_hours_start_minute: int
    quiet_hours_end_minute: int
    time_zone: str
    def __init__(self, channels: _Optional[_Iterable[_Union[Channel, str]]] = ..., language: _Optional[str] = ..., opt_out_statuses: _Optional[_Iterable[_Union[ShipmentStatus, str]]] = ..., opt_out_surveys: _Optional[bool] = ..., opt_out_marketing: _Optional[bool] = ..., quiet_hours_start_minute: _Optional[int] = ..., quiet_hours_end_minute: _Optional[int] = ..., time_zone: _Optional[str] = ...) -> None: ...

class LocationRef(_message.Message):
    __slots__ = ("code", "kind", "city_code", "name")
    CODE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    code: str
    kind: LocationKind
    city_code: str
    name: str
    def __init__(self, code: _Optional[str] = ..., kind: _Optional[_Union[LocationKind, str]] = ..., city_code: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class Promise(_message.Message):
    __slots__ = ("pickup_by", "deliver_by", "next_day", "remote_area", "extra_working_days")
    PICKUP_BY_FIELD_NUMBER: _ClassVar[int]
    DELIVER_BY_FIELD_NUMBER: _ClassVar[int]
    NEXT_DAY_FIELD_NUMBER: _ClassVar[int]
    REMOTE_AREA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    pickup_by: _timestamp_pb2.Timestamp
    deliver_by: _timestamp_pb2.Timestamp
    next_day: bool
    remote_area: bool
    extra_working_days: int
    def __init__(self, pickup_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deliver_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_day: _Optional[bool] = ..., remote_area: _Optional[bool] = ..., extra_working_days: _Optional[int] = ...) -> None: ...
