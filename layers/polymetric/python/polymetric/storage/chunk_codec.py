"""Encoding of a chunk: the hour blocks of a run of series of one metric-hour, in one item.

PLACEHOLDER (naive): each series' v2 block, length-prefixed. To be replaced by columns grouped by shape.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TypeAlias

from polymetric.models.samples import FloatArray, IntArray, SourceArray
from polymetric.models.series import SID_BYTES
from polymetric.storage import codecs

CHUNK_MAGIC = b"PC1"

ChunkSeries: TypeAlias = "tuple[bytes, IntArray, FloatArray, SourceArray | None]"  # sid, offsets, n × 6, sources


def encode_chunk(series: Sequence[ChunkSeries]) -> bytes:
    """Series sorted by sid, each with its offsets in the hour (sorted), n × 6 values and optional sources."""
    parts = [CHUNK_MAGIC, struct.pack("<I", len(series))]
    for sid, offsets, values, sources in series:
        blob = codecs.encode_block(offsets, values, sources)
        parts += [sid, struct.pack("<I", len(blob)), blob]
    return b"".join(parts)


def decode_chunk(blob: bytes) -> list[ChunkSeries]:
    if blob[:3] != CHUNK_MAGIC:
        raise codecs.CodecError("not a chunk")
    try:
        (count,) = struct.unpack_from("<I", blob, 3)
        pos, out = 7, []
        for _ in range(count):
            sid = bytes(blob[pos : pos + SID_BYTES])
            (size,) = struct.unpack_from("<I", blob, pos + SID_BYTES)
            pos += SID_BYTES + 4
            out.append((sid, *codecs.decode_block(bytes(blob[pos : pos + size]))))
            pos += size
    except struct.error as exc:
        raise codecs.CodecError(f"chunk is corrupt: {exc}") from exc
    return out
