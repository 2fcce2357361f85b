import datetime

from fairwind.v1 import common_pb2 as _common_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecipientKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECIPIENT_KIND_UNSPECIFIED: _ClassVar[RecipientKind]
    RECIPIENT_KIND_CONSIGNEE: _ClassVar[RecipientKind]
    RECIPIENT_KIND_SHIPPER: _ClassVar[RecipientKind]
    RECIPIENT_KIND_PARTNER: _ClassVar[RecipientKind]
    RECIPIENT_KIND_STAFF: _ClassVar[RecipientKind]

class SuppressionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPRESSION_REASON_UNSPECIFIED: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_OPTED_OUT: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_DUPLICATE: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_NO_CONTACT: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_SUPERSEDED: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_CANCELLED: _ClassVar[SuppressionReason]
    SUPPRESSION_REASON_FREQUENCY_CAP: _ClassVar[SuppressionReason]
RECIPIENT_KIND_UNSPECIFIED: RecipientKind
RECIPIENT_KIND_CONSIGNEE: RecipientKind
RECIPIENT_KIND_SHIPPER: RecipientKind
RECIPIENT_KIND_PARTNER: RecipientKind
RECIPIENT_KIND_STAFF: RecipientKind
SUPPRESSION_REASON_UNSPECIFIED: SuppressionReason
SUPPRESSION_REASON_OPTED_OUT: SuppressionReason
SUPPRESSION_REASON_DUPLICATE: SuppressionReason
SUPPRESSION_REASON_NO_CONTACT: SuppressionReason
SUPPRESSION_REASON_SUPERSEDED: SuppressionReason
SUPPRESSION_REASON_CANCELLED: SuppressionReason
SUPPRESSION_REASON_FREQUENCY_CAP: SuppressionReason

class NotificationSent(_message.Message):
    __slots__ = ("notification_id", "waybill", "recipient_kind", "recipient", "recipient_id", "channel", "template", "language", "trigger_ce_id", "trigger_ce_type", "sent_at", "attempt", "provider_message_id", "survey_id", "http_status", "latency")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SURVEY_ID_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    waybill: str
    recipient_kind: RecipientKind
    recipient: str
    recipient_id: str
    channel: _common_pb2.Channel
    template: str
    language: str
    trigger_ce_id: str
    trigger_ce_type: str
    sent_at: _timestamp_pb2.Timestamp
    attempt: int
    provider_message_id: str
    survey_id: str
    http_status: int
    latency: _duration_pb2.Duration
    def __init__(self, notification_id: _Optional[str] = ..., waybill: _Optional[str] = ..., recipient_kind: _Optional[_Union[RecipientKind, str]] = ..., recipient: _Optional[str] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., template: _Optional[str] = ..., language: _Optional[str] = ..., trigger_ce_id: _Optional[str] = ..., trigger_ce_type: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempt: _Optional[int] = ..., provider_message_id: _Optional[str] = ..., survey_id: _Optional[str] = ..., http_status: _Optional[int] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class NotificationFailed(_message.Message):
    __slots__ = ("notification_id", "waybill", "recipient_kind", "recipient", "recipient_id", "channel", "template", "language", "trigger_ce_id", "trigger_ce_type", "failed_at", "attempt", "error", "will_retry", "next_attempt_at", "http_status")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_TYPE_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    WILL_RETRY_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    waybill: str
    recipient_kind: RecipientKind
    recipient: str
    recipient_id: str
    channel: _common_pb2.Channel
    template: str
    language: str
    trigger_ce_id: str
    trigger_ce_type: str
    failed_at: _timestamp_pb2.Timestamp
    attempt: int
    error: str
    will_retry: bool
    next_attempt_at: _timestamp_pb2.Timestamp
    http_status: int
    def __init__(self, notification_id: _Optional[str] = ..., waybill: _Optional[str] = ..., recipient_kind: _Optional[_Union[RecipientKind, str]] = ..., recipient: _Optional[str] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., template: _Optional[str] = ..., language: _Optional[str] = ..., trigger_ce_id: _Optional[str] = ..., trigger_ce_type: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempt: _Optional[int] = ..., error: _Optional[str] = ..., will_retry: _Optional[bool] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., http_status: _Optional[int] = ...) -> None: ...

class NotificationSuppressed(_message.Message):
    __slots__ = ("notification_id", "waybill", "recipient_kind", "recipient_id", "channel", "template", "trigger_ce_id", "trigger_ce_type", "reason", "suppressed_at")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    WAYBILL_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_KIND_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_CE_TYPE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUPPRESSED_AT_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    waybill: str
    recipient_kind: RecipientKind
    recipient_id: str
    channel: _common_pb2.Channel
    template: str
    trigger_ce_id: str
    trigger_ce_type: str
    reason: SuppressionReason
    suppressed_at: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., waybill: _Optional[str] = ..., recipient_kind: _Optional[_Union[RecipientKind, str]] = ..., recipient_id: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., template: _Optional[str] = ..., trigger_ce_id: _Optional[str] = ..., trigger_ce_type: _Optional[str] = ..., reason: _Optional[_Union[SuppressionReason, str]] = ..., suppressed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WebhookEndpointDisabled(_message.Message):
    __slots__ = ("endpoint_id", "partner_id", "host", "failing_since", "disabled_at", "last_error")
    ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    FAILING_SINCE_FIELD_NUMBER: _ClassVar[int]
    DISABLED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    endpoint_id: str
    partner_id: str
    host: str
    failing_since: _timestamp_pb2.Timestamp
    disabled_at: _timestamp_pb2.Timestamp
    last_error: str
    def __init__(self, endpoint_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., host: _Optional[str] = ..., failing_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disabled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ...) -> None: ...
