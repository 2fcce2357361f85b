"""Kafka's default partitioner (murmur2), the same mapping as the Java client and aiokafka.

aiokafka's version is pure Python byte by byte; this one reads the key's 32-bit words in one
``struct`` call, about three times faster, and gives identical results (tested against
aiokafka's). A waybill therefore lands on the same partition whoever publishes it.
"""

from __future__ import annotations

import random
import struct

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    length = len(data)
    h = (_SEED ^ length) & _MASK
    words = length >> 2
    for word in struct.unpack_from(f"<{words}I", data) if words else ():
        k = (word * _M) & _MASK
        k = ((k ^ (k >> 24)) * _M) & _MASK
        h = ((h * _M) ^ k) & _MASK
    tail = length & 3
    if tail:
        base = length & ~3
        if tail == 3:
            h ^= data[base + 2] << 16
        if tail >= 2:
            h ^= data[base + 1] << 8
        h ^= data[base]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def partition_for(key: bytes | None, partitions: int) -> int:
    """Index of the partition for ``key`` among ``partitions``; random without a key."""
    if key is None:
        return random.randrange(partitions)
    return (murmur2(key) & 0x7FFFFFFF) % partitions
