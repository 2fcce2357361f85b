import random

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference_murmur2

from fairwind.events.partitioning import murmur2, partition_for


def test_murmur2_matches_the_kafka_reference_for_every_tail_length() -> None:
    rng = random.Random(7)
    for length in range(40):
        for _ in range(25):
            data = bytes(rng.randrange(256) for _ in range(length))
            assert murmur2(data) == reference_murmur2(data) & 0xFFFFFFFF, data


def test_partition_matches_the_default_partitioner() -> None:
    partitions = list(range(12))
    for n in range(2000):
        key = f"SF{n:010d}".encode()
        assert partition_for(key, 12) == DefaultPartitioner()(key, partitions, partitions)


def test_a_missing_key_spreads_over_partitions() -> None:
    assert {partition_for(None, 4) for _ in range(200)} == {0, 1, 2, 3}
