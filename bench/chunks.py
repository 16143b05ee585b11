"""Bytes a sample of chunks (storage/chunk_codec.py) against one v2 block per series-hour, and their speed.

An hour of the bench's live series (``storage.shaped_body``: gauges, rates count/60, 20 % summaries),
one POST a minute. Run: ``PYTHONPATH=layers/polymetric/python:layers/local/python:. python -m bench.chunks``.
"""

import time
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.storage import shaped_body
from polymetric.models.samples import from_values
from polymetric.models.series import series_id
from polymetric.storage import chunk_codec
from polymetric.storage.chunk_codec import ChunkSeries, decode_chunk, encode_chunk
from polymetric.storage.codecs import decode_block, encode_block


def hour_of_series(floats: bool, series: int = 100, minutes: int = 60) -> list[ChunkSeries]:
    rows: dict[bytes, list[tuple[int, Any]]] = {}
    for n in range(minutes):
        for item in shaped_body(metrics=1, series=series, t=60 * n, summaries=0.2, seed=n, floats=floats)[
            "measurements"
        ]:
            if "value" in item:
                values = from_values(np.array([item["value"]], dtype=np.float64))[0]
            else:
                count, total = float(item["count"]), float(item["sum"])
                values = np.array([count, total, item["min"], item["max"], np.nan, total * total / count])
            rows.setdefault(series_id("t1", item["name"], item["tags"]), []).append((item["time"] % 3600, values))
    return [
        (
            sid,
            np.array([o for o, _ in rows[sid]], dtype=np.int64),
            np.asfortranarray(np.array([v for _, v in rows[sid]], dtype=np.float64)),
            None,
        )
        for sid in sorted(rows)
    ]


def _zlib_pack(data: bytes) -> bytes:
    stream = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return stream.compress(data) + stream.flush()


def _zlib_unpack(packed: bytes) -> tuple[bytes, bytes]:
    stream = zlib.decompressobj(-15)
    data = stream.decompress(packed)
    return data, stream.unused_data


def _ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) / repeat * 1e3


def measure(floats: bool) -> None:
    hour = hour_of_series(floats)
    samples = sum(len(offsets) for _, offsets, _, _ in hour)
    blocks = [encode_block(offsets, values, sources) for _, offsets, values, sources in hour]
    print(f"floats={floats}: {len(hour)} series × 60 samples")
    print(f"  one block per series-hour     {sum(map(len, blocks)) / samples:6.3f} B/sample  {sum(map(len, blocks))} B")
    for name, pack, unpack in (
        ("lzma", chunk_codec._pack, chunk_codec._unpack),
        ("zlib 9", _zlib_pack, _zlib_unpack),
    ):
        saved = chunk_codec._pack, chunk_codec._unpack
        chunk_codec._pack, chunk_codec._unpack = pack, unpack  # type: ignore[assignment]
        try:
            whole = encode_chunk(hour)
            quarters = [encode_chunk(hour[i : i + 25]) for i in range(0, len(hour), 25)]
            fifths = [encode_chunk(hour[i : i + 20]) for i in range(0, len(hour), 20)]
            for (sid, offsets, values, _), back in zip(hour, decode_chunk(whole), strict=True):
                assert back[0] == sid and np.array_equal(back[1], offsets)
                assert np.array_equal(back[2].view(np.uint64), values.view(np.uint64))
            print(f"  chunk of 100 ({name:6s})        {len(whole) / samples:6.3f} B/sample  {len(whole)} B")
            print(
                f"  chunks of 25 ({name:6s})        {sum(map(len, quarters)) / samples:6.3f} B/sample  "
                f"{[len(c) for c in quarters]} B"
            )
            print(
                f"    decode: 100 series {_ms(lambda w=whole: decode_chunk(w), 100):.3f} ms, "
                f"20 series ({len(fifths[0])} B) {_ms(lambda c=fifths[0]: decode_chunk(c), 300):.3f} ms; "
                f"encode 100 series {_ms(lambda: encode_chunk(hour), 10):.1f} ms"
            )
        finally:
            chunk_codec._pack, chunk_codec._unpack = saved
    print(
        f"  per-series blocks: decode 20 {_ms(lambda: [decode_block(b) for b in blocks[:20]], 100):.3f} ms, "
        f"encode 100 {_ms(lambda: [encode_block(o, v, s) for _, o, v, s in hour], 10):.1f} ms"
    )


if __name__ == "__main__":
    measure(True)
    measure(False)
