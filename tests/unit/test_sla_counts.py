"""The SLA counts view: merging changelog records of the counters table (no broker)."""

from __future__ import annotations

from faust.serializers import codecs

from services.sla.counts import CountsView, changelog_topic, decode_change, merge

KEY = "2|498802|pickup|outlet|SZX001|met"


def test_the_larger_value_wins_whatever_the_order() -> None:
    view: dict[str, int] = {}
    merge(view, KEY, 3)
    merge(view, KEY, 2)  # an older record read after the worker's own newer increment
    assert view == {KEY: 3}
    merge(view, KEY, 5)
    merge(view, KEY, 5)  # the same record twice
    assert view == {KEY: 5}


def test_a_tombstone_deletes_the_key() -> None:
    view = {KEY: 4, "other": 1}
    merge(view, KEY, None)
    merge(view, "never-seen", None)
    assert view == {"other": 1}


def test_changelog_records_are_decoded_as_faust_writes_them() -> None:
    # Faust's default table serializer is json, for keys and values; a deletion has no value.
    key, value = codecs.dumps("json", KEY), codecs.dumps("json", 7)
    assert decode_change(key, value) == (KEY, 7)
    assert decode_change(key, None) == (KEY, None)


def test_records_that_are_not_counters_are_skipped() -> None:
    assert decode_change(None, b"1") is None
    assert decode_change(b"not json", b"1") is None
    assert decode_change(b"\xff", b"1") is None
    assert decode_change(b"17", b"1") is None  # the key is not a string
    assert decode_change(b'"k"', b'"text"') is None
    assert decode_change(b'"k"', b"true") is None
    assert decode_change(b'"k"', b"1.5") is None


def test_the_view_merges_and_lists_its_counts() -> None:
    view = CountsView()
    view.merge(KEY, 1)
    view.merge(KEY, 2)
    view.merge("a|1|pickup|outlet|X|breached", 1)
    assert sorted(view.items()) == [(KEY, 2), ("a|1|pickup|outlet|X|breached", 1)]
    assert len(view) == 2


def test_the_changelog_topic_is_named_as_faust_names_it() -> None:
    assert changelog_topic("fairwind-sla", "sla-counts-local") == (
        "fairwind-sla-sla-counts-local-changelog"
    )
