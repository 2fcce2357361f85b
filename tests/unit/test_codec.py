import pytest

from fairwind.events.catalog import EventCatalog, PayloadError, UnknownEventType
from fairwind.events.codec import EventCodec
from fairwind.events.contracts import ORDERS, platform_catalog
from fairwind.events.envelope import EnvelopeError
from fairwind.observability import correlation, trace_id_of
from fairwind.v1 import common_pb2, orders_pb2


def order_created(waybill: str = "SF1234567890") -> orders_pb2.OrderCreated:
    event = orders_pb2.OrderCreated()
    event.order.waybill = waybill
    event.order.service_level = common_pb2.SERVICE_LEVEL_NEXT_DAY
    return event


def test_ce_type_is_topic_plus_message_name() -> None:
    kind = platform_catalog().kind_of(orders_pb2.OrderCreated)
    assert kind.topic == ORDERS == "fairwind.orders.v1"
    assert kind.ce_type == "fairwind.orders.v1.OrderCreated"


def test_every_platform_topic_is_versioned() -> None:
    topics = platform_catalog().topics()
    assert topics == {
        f"fairwind.{family}.v1"
        for family in ("orders", "routes", "tracking", "sla", "notifications", "crm")
    }


def test_encode_then_decode_gives_the_same_event() -> None:
    codec = EventCodec(platform_catalog(), source="orders")
    encoded = codec.encode(order_created(), "SF1234567890", event_id="abc")
    assert encoded.topic == ORDERS
    assert encoded.key == b"SF1234567890"
    event = codec.decode(encoded.topic, encoded.key, encoded.value, encoded.headers, 2, 41)
    assert event.id == "abc"
    assert event.type == "fairwind.orders.v1.OrderCreated"
    assert event.message == order_created()
    assert (event.key, event.partition, event.offset) == ("SF1234567890", 2, 41)


def test_events_encoded_together_share_a_time_and_may_each_be_named() -> None:
    codec = EventCodec(platform_catalog(), source="sla")
    items = [(order_created("FW1"), "FW1"), (order_created("FW2"), "FW2")]
    named = codec.encode_many(items, event_ids=["sla:FW1:pickup:met", "sla:FW2:pickup:met"])
    assert [e.event_id for e in named] == ["sla:FW1:pickup:met", "sla:FW2:pickup:met"]
    decoded = [codec.decode(e.topic, e.key, e.value, e.headers) for e in named]
    assert [e.id for e in decoded] == ["sla:FW1:pickup:met", "sla:FW2:pickup:met"]
    assert decoded[0].envelope.time == decoded[1].envelope.time
    fresh = codec.encode_many(items)
    assert len({e.event_id for e in fresh}) == 2


def test_encode_copies_the_current_trace_context() -> None:
    codec = EventCodec(platform_catalog(), source="orders")
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with correlation(parent):
        encoded = codec.encode(order_created(), "k")
    traceparent = dict(encoded.headers)["traceparent"].decode()
    assert trace_id_of(traceparent) == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_unknown_message_cannot_be_encoded() -> None:
    codec = EventCodec(platform_catalog(), source="orders")
    with pytest.raises(UnknownEventType):
        codec.encode(common_pb2.Money(), "k")


def test_decode_rejects_unknown_type_bad_payload_and_missing_headers() -> None:
    codec = EventCodec(platform_catalog(), source="orders")
    good = codec.encode(order_created(), "k")
    unknown = [(n, b"fairwind.orders.v1.Nope" if n == "ce_type" else v) for n, v in good.headers]
    with pytest.raises(UnknownEventType):
        codec.decode(ORDERS, b"k", good.value, unknown)
    with pytest.raises(PayloadError):
        codec.decode(ORDERS, b"k", b"\xff\xff\xff\xff", good.headers)
    with pytest.raises(EnvelopeError):
        codec.decode(ORDERS, b"k", good.value, [])


def test_registering_one_type_on_two_topics_is_refused() -> None:
    catalog = EventCatalog().register("a.v1", orders_pb2.OrderCreated)
    catalog.register("a.v1", orders_pb2.OrderCreated)  # the same registration again is fine
    with pytest.raises(ValueError, match="twice"):
        catalog.register("b.v1", orders_pb2.OrderCreated)


def test_a_namespace_renames_every_topic_and_keeps_every_event() -> None:
    default, renamed = platform_catalog(), platform_catalog("t_case")
    assert renamed.topics() == {t.replace("fairwind.", "t_case.", 1) for t in default.topics()}
    assert [k.message_class for k in renamed.kinds()] == [k.message_class for k in default.kinds()]
