"""The event bus: CloudEvents envelopes over Kafka, a batching publisher, a consumer runner
with dedupe, retries and dead-lettering."""

from fairwind.events.catalog import EventCatalog, PayloadError, UnknownEventType
from fairwind.events.codec import EncodedEvent, Event, EventCodec
from fairwind.events.consumer import (
    Batched,
    BatchHandler,
    ConsumerRunner,
    Handler,
    PermanentError,
    RetryPolicy,
)
from fairwind.events.dedupe import DedupeStore, MemoryDedupeStore, MongoDedupeStore
from fairwind.events.envelope import Envelope, EnvelopeError
from fairwind.events.publisher import Delivered, EventPublisher, Receipt

__all__ = [
    "BatchHandler",
    "Batched",
    "ConsumerRunner",
    "DedupeStore",
    "Delivered",
    "EncodedEvent",
    "Envelope",
    "EnvelopeError",
    "Event",
    "EventCatalog",
    "EventCodec",
    "EventPublisher",
    "Handler",
    "MemoryDedupeStore",
    "MongoDedupeStore",
    "PayloadError",
    "PermanentError",
    "Receipt",
    "RetryPolicy",
    "UnknownEventType",
]
