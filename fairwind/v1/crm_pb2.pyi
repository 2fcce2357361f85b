import datetime

from fairwind.v1 import common_pb2 as _common_pb2
from fairwind.v1 import sla_pb2 as _sla_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CustomerProfile(_message.Message):
    __slots__ = ("customer_id", "name", "company", "phones", "emails", "addresses", "tier", "revenue_90d", "shipments_90d", "orders_per_week", "revenue_rank", "account_manager_id", "key_account", "churn_risk", "complaints_90d", "satisfaction_score", "survey_answers_90d", "competitors", "last_order_at", "created_at", "updated_at", "notification_preferences", "contacts", "city", "account_manager_name", "churn_drivers")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    REVENUE_90D_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_90D_FIELD_NUMBER: _ClassVar[int]
    ORDERS_PER_WEEK_FIELD_NUMBER: _ClassVar[int]
    REVENUE_RANK_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CHURN_RISK_FIELD_NUMBER: _ClassVar[int]
    COMPLAINTS_90D_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    SURVEY_ANSWERS_90D_FIELD_NUMBER: _ClassVar[int]
    COMPETITORS_FIELD_NUMBER: _ClassVar[int]
    LAST_ORDER_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_NAME_FIELD_NUMBER: _ClassVar[int]
    CHURN_DRIVERS_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    name: str
    company: str
    phones: _containers.RepeatedScalarFieldContainer[str]
    emails: _containers.RepeatedScalarFieldContainer[str]
    addresses: _containers.RepeatedCompositeFieldContainer[_common_pb2.Address]
    tier: _common_pb2.CustomerTier
    revenue_90d: _common_pb2.Money
    shipments_90d: int
    orders_per_week: float
    revenue_rank: int
    account_manager_id: str
    key_account: bool
    churn_risk: float
    complaints_90d: int
    satisfaction_score: float
    survey_answers_90d: int
    competitors: _containers.RepeatedScalarFieldContainer[str]
    last_order_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    notification_preferences: _common_pb2.NotificationPreferences
    contacts: _containers.RepeatedCompositeFieldContainer[CustomerContact]
    city: str
    account_manager_name: str
    churn_drivers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, customer_id: _Optional[str] = ..., name: _Optional[str] = ..., company: _Optional[str] = ..., phones: _Optional[_Iterable[str]] = ..., emails: _Optional[_Iterable[str]] = ..., addresses: _Optional[_Iterable[_Union[_common_pb2.Address, _Mapping]]] = ..., tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., revenue_90d: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., shipments_90d: _Optional[int] = ..., orders_per_week: _Optional[float] = ..., revenue_rank: _Optional[int] = ..., account_manager_id: _Optional[str] = ..., key_account: _Optional[bool] = ..., churn_risk: _Optional[float] = ..., complaints_90d: _Optional[int] = ..., satisfaction_score: _Optional[float] = ..., survey_answers_90d: _Optional[int] = ..., competitors: _Optional[_Iterable[str]] = ..., last_order_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notification_preferences: _Optional[_Union[_common_pb2.NotificationPreferences, _Mapping]] = ..., contacts: _Optional[_Iterable[_Union[CustomerContact, _Mapping]]] = ..., city: _Optional[str] = ..., account_manager_name: _Optional[str] = ..., churn_drivers: _Optional[_Iterable[str]] = ...) -> None: ...

class CustomerContact(_message.Message):
    __slots__ = ("name", "title", "phone", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    phone: str
    email: str
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class SegmentChanged(_message.Message):
    __slots__ = ("customer_id", "from_tier", "to_tier", "revenue_90d", "rank", "ranked_customers", "key_account", "account_manager_id", "changed_at", "customer_name", "company", "emails", "account_manager_name", "account_manager_email")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_TIER_FIELD_NUMBER: _ClassVar[int]
    TO_TIER_FIELD_NUMBER: _ClassVar[int]
    REVENUE_90D_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    RANKED_CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    KEY_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    from_tier: _common_pb2.CustomerTier
    to_tier: _common_pb2.CustomerTier
    revenue_90d: _common_pb2.Money
    rank: int
    ranked_customers: int
    key_account: bool
    account_manager_id: str
    changed_at: _timestamp_pb2.Timestamp
    customer_name: str
    company: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    account_manager_name: str
    account_manager_email: str
    def __init__(self, customer_id: _Optional[str] = ..., from_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., to_tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., revenue_90d: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rank: _Optional[int] = ..., ranked_customers: _Optional[int] = ..., key_account: _Optional[bool] = ..., account_manager_id: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customer_name: _Optional[str] = ..., company: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., account_manager_name: _Optional[str] = ..., account_manager_email: _Optional[str] = ...) -> None: ...

class SurveyAnswered(_message.Message):
    __slots__ = ("survey_id", "customer_id", "waybill", "score", "comment", "channel", "answered_at", "recommend")
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    RECOMMEND_FIELD_NUMBER: _ClassVar[int]
    survey_id: str
    customer_id: str
    waybill: str
    score: int
    comment: str
    channel: _common_pb2.Channel
    answered_at: _timestamp_pb2.Timestamp
    recommend: int
    def __init__(self, survey_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., waybill: _Optional[str] = ..., score: _Optional[int] = ..., comment: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recommend: _Optional[int] = ...) -> None: ...

class ChurnRiskRaised(_message.Message):
    __slots__ = ("customer_id", "churn_risk", "previous_churn_risk", "drivers", "tier", "key_account", "account_manager_id", "raised_at", "account_manager_name", "account_manager_email", "customer_name", "company", "reasons")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CHURN_RISK_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CHURN_RISK_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    KEY_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    churn_risk: float
    previous_churn_risk: float
    drivers: _containers.RepeatedScalarFieldContainer[str]
    tier: _common_pb2.CustomerTier
    key_account: bool
    account_manager_id: str
    raised_at: _timestamp_pb2.Timestamp
    account_manager_name: str
    account_manager_email: str
    customer_name: str
    company: str
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, customer_id: _Optional[str] = ..., churn_risk: _Optional[float] = ..., previous_churn_risk: _Optional[float] = ..., drivers: _Optional[_Iterable[str]] = ..., tier: _Optional[_Union[_common_pb2.CustomerTier, str]] = ..., key_account: _Optional[bool] = ..., account_manager_id: _Optional[str] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., account_manager_name: _Optional[str] = ..., account_manager_email: _Optional[str] = ..., customer_name: _Optional[str] = ..., company: _Optional[str] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class KeyAccountBreached(_message.Message):
    __slots__ = ("customer_id", "waybill", "sla", "account_manager_id", "account_manager_name", "account_manager_email", "customer_name", "company", "breaches_7d", "breached_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SLA_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_MANAGER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    BREACHES_7D_FIELD_NUMBER: _ClassVar[int]
    BREACHED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    waybill: str
    sla: _sla_pb2.SlaKind
    account_manager_id: str
    account_manager_name: str
    account_manager_email: str
    customer_name: str
    company: str
    breaches_7d: int
    breached_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., waybill: _Optional[str] = ..., sla: _Optional[_Union[_sla_pb2.SlaKind, str]] = ..., account_manager_id: _Optional[str] = ..., account_manager_name: _Optional[str] = ..., account_manager_email: _Optional[str] = ..., customer_name: _Optional[str] = ..., company: _Optional[str] = ..., breaches_7d: _Optional[int] = ..., breached_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderSummary(_message.Message):
    __slots__ = ("waybill", "created_at", "status", "service_level", "price", "destination_city", "consignee_name")
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_CITY_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_NAME_FIELD_NUMBER: _ClassVar[int]
    waybill: str
    created_at: _timestamp_pb2.Timestamp
    status: _common_pb2.ShipmentStatus
    service_level: _common_pb2.ServiceLevel
    price: _common_pb2.Money
    destination_city: str
    consignee_name: str
    def __init__(self, waybill: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[_common_pb2.ShipmentStatus, str]] = ..., service_level: _Optional[_Union[_common_pb2.ServiceLevel, str]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., destination_city: _Optional[str] = ..., consignee_name: _Optional[str] = ...) -> None: ...

class GetProfileRequest(_message.Message):
    __slots__ = ("customer_id",)
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    def __init__(self, customer_id: _Optional[str] = ...) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: CustomerProfile
    def __init__(self, profile: _Optional[_Union[CustomerProfile, _Mapping]] = ...) -> None: ...

class LookupByPhoneRequest(_message.Message):
    __slots__ = ("phone", "recent_orders_limit")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_LIMIT_FIELD_NUMBER: _ClassVar[int]
    phone: str
    recent_orders_limit: int
    def __init__(self, phone: _Optional[str] = ..., recent_orders_limit: _Optional[int] = ...) -> None: ...

class LookupByPhoneResponse(_message.Message):
    __slots__ = ("profile", "recent_orders", "open_issues")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_FIELD_NUMBER: _ClassVar[int]
    OPEN_ISSUES_FIELD_NUMBER: _ClassVar[int]
    profile: CustomerProfile
    recent_orders: _containers.RepeatedCompositeFieldContainer[OrderSummary]
    open_issues: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, profile: _Optional[_Union[CustomerProfile, _Mapping]] = ..., recent_orders: _Optional[_Iterable[_Union[OrderSummary, _Mapping]]] = ..., open_issues: _Optional[_Iterable[str]] = ...) -> None: ...

class LookupByNameRequest(_message.Message):
    __slots__ = ("name", "company", "recent_orders_limit", "max_candidates")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_LIMIT_FIELD_NUMBER: _ClassVar[int]
    MAX_CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    name: str
    company: str
    recent_orders_limit: int
    max_candidates: int
    def __init__(self, name: _Optional[str] = ..., company: _Optional[str] = ..., recent_orders_limit: _Optional[int] = ..., max_candidates: _Optional[int] = ...) -> None: ...

class CallerCandidate(_message.Message):
    __slots__ = ("customer_id", "company", "contact_name", "score")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    company: str
    contact_name: str
    score: float
    def __init__(self, customer_id: _Optional[str] = ..., company: _Optional[str] = ..., contact_name: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class LookupByNameResponse(_message.Message):
    __slots__ = ("profile", "recent_orders", "open_issues", "match_score", "contact", "candidates")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_FIELD_NUMBER: _ClassVar[int]
    OPEN_ISSUES_FIELD_NUMBER: _ClassVar[int]
    MATCH_SCORE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    profile: CustomerProfile
    recent_orders: _containers.RepeatedCompositeFieldContainer[OrderSummary]
    open_issues: _containers.RepeatedScalarFieldContainer[str]
    match_score: float
    contact: CustomerContact
    candidates: _containers.RepeatedCompositeFieldContainer[CallerCandidate]
    def __init__(self, profile: _Optional[_Union[CustomerProfile, _Mapping]] = ..., recent_orders: _Optional[_Iterable[_Union[OrderSummary, _Mapping]]] = ..., open_issues: _Optional[_Iterable[str]] = ..., match_score: _Optional[float] = ..., contact: _Optional[_Union[CustomerContact, _Mapping]] = ..., candidates: _Optional[_Iterable[_Union[CallerCandidate, _Mapping]]] = ...) -> None: ...
