import json
import logging
import sys

from fairwind.events.consumer import RetryPolicy
from fairwind.events.dedupe import MemoryDedupeStore
from fairwind.logs import JsonFormatter
from fairwind.observability import (
    child_traceparent,
    correlation,
    current_correlation_id,
    current_traceparent,
    new_traceparent,
    trace_id_of,
)

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_child_span_keeps_the_trace_and_changes_the_span() -> None:
    child = child_traceparent(PARENT)
    assert trace_id_of(child) == trace_id_of(PARENT)
    assert child.split("-")[2] != PARENT.split("-")[2]


def test_missing_or_malformed_parent_starts_a_new_trace() -> None:
    assert trace_id_of(child_traceparent(None)) is not None
    assert trace_id_of(child_traceparent("garbage")) is not None
    assert new_traceparent() != new_traceparent()


def test_correlation_is_scoped_to_the_block() -> None:
    assert current_traceparent() is None
    with correlation(PARENT) as cid:
        assert cid == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert current_correlation_id() == cid
        with correlation(None, "event-7") as inner:
            assert inner == "event-7"
        assert current_correlation_id() == cid
    assert current_correlation_id() is None


def test_json_log_lines_carry_service_correlation_and_extras() -> None:
    formatter = JsonFormatter("orders")
    record = logging.LogRecord(
        "orders.api", logging.WARNING, __file__, 1, "order %s refused", ("SF1",), None
    )
    record.reason = "prohibited_item"
    with correlation(PARENT):
        line = json.loads(formatter.format(record))
    assert line["service"] == "orders"
    assert line["level"] == "warning"
    assert line["msg"] == "order SF1 refused"
    assert line["reason"] == "prohibited_item"
    assert line["correlation_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_json_logs_include_exceptions_and_unicode() -> None:
    formatter = JsonFormatter("crm")
    try:
        raise ValueError("客户不存在")
    except ValueError:
        record = logging.LogRecord("crm", logging.ERROR, __file__, 1, "失败", (), sys.exc_info())
    text = formatter.format(record)
    assert "客户不存在" in json.loads(text)["exc"]
    assert "失败" in text  # not escaped to \\uXXXX


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=6, initial_backoff_s=0.1, max_backoff_s=0.5)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]


async def test_memory_dedupe_is_per_group_and_bounded() -> None:
    store = MemoryDedupeStore(capacity=3)
    await store.remember("g1", ["a", "b"])
    assert await store.seen("g1", ["a", "b", "c"]) == {"a", "b"}
    assert await store.seen("g2", ["a"]) == set()
    await store.remember("g1", ["c", "d"])
    assert await store.seen("g1", ["a", "b", "c", "d"]) == {"b", "c", "d"}
