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

class OrderSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_SOURCE_UNSPECIFIED: _ClassVar[OrderSource]
    ORDER_SOURCE_API: _ClassVar[OrderSource]
    ORDER_SOURCE_BATCH_IMPORT: _ClassVar[OrderSource]
    ORDER_SOURCE_WEB: _ClassVar[OrderSource]
    ORDER_SOURCE_CALL_CENTER: _ClassVar[OrderSource]

class CancelInitiator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCEL_INITIATOR_UNSPECIFIED: _ClassVar[CancelInitiator]
    CANCEL_INITIATOR_PARTNER: _ClassVar[CancelInitiator]
    CANCEL_INITIATOR_CARRIER: _ClassVar[CancelInitiator]
ORDER_SOURCE_UNSPECIFIED: OrderSource
ORDER_SOURCE_API: OrderSource
ORDER_SOURCE_BATCH_IMPORT: OrderSource
ORDER_SOURCE_WEB: OrderSource
ORDER_SOURCE_CALL_CENTER: OrderSource
CANCEL_INITIATOR_UNSPECIFIED: CancelInitiator
CANCEL_INITIATOR_PARTNER: CancelInitiator
CANCEL_INITIATOR_CARRIER: CancelInitiator

class OrderWarning(_message.Message):
    __slots__ = ("code", "message", "parcel_index", "required_documents")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PARCEL_INDEX_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    parcel_index: int
    required_documents: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., parcel_index: _Optional[int] = ..., required_documents: _Optional[_Iterable[str]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("waybill", "partner_id", "partner_order_id", "shipper", "consignee", "parcels", "service_level", "pickup_window", "cod_amount", "customer_id", "customer_tier", "promise", "promise_pending", "price", "chargeable_weight_kg", "origin_outlet_code", "origin_city_code", "destination_outlet_code", "destination_city_code", "planned_hub_codes", "warnings", "created_at", "notification_preferences")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPER_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_FIELD_NUMBER: _ClassVar[int]
    PARCELS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PICKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    COD_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    PROMISE_FIELD_NUMBER: _ClassVar[int]
    PROMISE_PENDING_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CHARGEABLE_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_OUTLET_CODE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CITY_CODE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_HUB_CODES_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    partner_id: str
    partner_order_id: str
    shipper: _common_pb2.Contact
    consignee: _common_pb2.Contact
    parcels: _containers.RepeatedCompositeFieldContainer[_common_pb2.Parcel]
    service_level: _common_pb2.ServiceLevel
    pickup_window: _common_pb2.TimeWindow
    cod_amount: _common_pb2.Money
    customer_id: str
    customer_tier: _common_pb2.CustomerTier
    promise: _common_pb2.Promise
    promise_pending: bool
    price: _common_pb2.Money
    chargeable_weight_kg: float
    origin_outlet_code: str
    origin_city_code: str
    destination_outlet_code: str
    destination_city_code: str
    planned_hub_codes: _containers.RepeatedScalarFieldContainer[str]
    warnings: _containers.RepeatedCompositeFieldContainer[OrderWarning]
    created_at: _timestamp_pb2.Timestamp
    notification_preferences: _common_pb2.NotificationPreferences
    def __init__(self, waybill: _Optional[str] = ..., partner_id: _Optional[str] = ..., partner_order_id: _Optional[str] = ..., shipper: _Optional[_Union[_common_pb2.Contact, _Mapping]] = ..., consignee: _Optional[_Union[_common_pb2.Contact, _Mapping]] = ..., parcels: _Optional[_Iterable[_Union[_common_pb2.Parcel, _Mapping]]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., pickup_window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., cod_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., customer_id: _Optional[str] = ..., customer_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., promise: _Optional[_Union[_common_pb2.Promise, _Mapping]] = ..., promise_pending: _Optional[bool] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., chargeable_weight_kg: _Optional[float] = ..., origin_outlet_code: _Optional[str] = ..., origin_city_code: _Optional[str] = ..., destination_outlet_code: _Optional[str] = ..., destination_city_code: _Optional[str] = ..., planned_hub_codes: _Optional[_Iterable[str]] = ..., warnings: _Optional[_Iterable[_Union[OrderWarning, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notification_preferences: _Optional[_Union[_common_pb2.NotificationPreferences, _Mapping]] = ...) -> None: ...

class OrderCreated(_message.Message):
    __slots__ = ("order", "source", "batch_id")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    order: Order
    source: OrderSource
    batch_id: str
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., source: _Optional[_Union[OrderSource, str]] = ..., batch_id: _Optional[str] = ...) -> None: ...

class OrderCancelled(_message.Message):
    __slots__ = ("waybill", "partner_id", "partner_order_id", "customer_id", "reason", "cancelled_at", "initiator", "reason_code", "side")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    partner_id: str
    partner_order_id: str
    customer_id: str
    reason: str
    cancelled_at: _timestamp_pb2.Timestamp
    initiator: CancelInitiator
    reason_code: str
    side: _common_pb2.AddressSide
    def __init__(self, waybill: _Optional[str] = ..., partner_id: _Optional[str] = ..., partner_order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., reason: _Optional[str] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., initiator: _Optional[_Union[CancelInitiator, str]] = ..., reason_code: _Optional[str] = ..., side: _Optional[_Union[_common_pb2.AddressSide, str]] = ...) -> None: ...

class AuthenticatePartnerRequest(_message.Message):
    __slots__ = ("api_key",)
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: str
    def __init__(self, api_key: _Optional[str] = ...) -> None: ...

class AuthenticatePartnerResponse(_message.Message):
    __slots__ = ("partner_id", "customer_id", "scopes")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPES_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    customer_id: str
    scopes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, partner_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., scopes: _Optional[_Iterable[str]] = ...) -> None: ...
