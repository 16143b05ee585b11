"""Every tier returns the float64 values written, bit for bit, and items of the v1 codecs read as before."""

import time

import boto3
import numpy as np
import pytest

from polymetric.config import get_settings
from polymetric.domain import folding
from polymetric.storage import chunk_codec, codecs, keys
from tests.conftest import Org
from tests.integration.api import Api
from tests.integration.compaction_helpers import chunk_items, run_compaction, scan
from tests.unit.storage import codecs_v1

NOW = int(time.time())
H = keys.hour_of(NOW) - 3 * keys.HOUR  # a closed hour


def _values(kind: str, n: int) -> list[float]:
    rng = np.random.default_rng({"gauge": 1, "rate": 2, "mixed": 3}[kind])
    if kind == "gauge":
        return [float(v) for v in 50 + rng.normal(0, 5, n)]  # full precision
    if kind == "rate":
        return [int(c) / 60 for c in rng.integers(0, 500, n)]  # a count per minute as a rate per second
    # the API takes what DynamoDB numbers hold (|v| within 10^±125): subnormals and 1e300 are 400s
    odd = [3.3e-120, 1e120, -1e-100, 1 / 3, 0.1 + 0.2, 123456789.123, 2.0**53 + 2, 12.5, -7 / 60, 1e15 + 0.5]
    return [odd[i % len(odd)] * (1 + i // len(odd)) for i in range(n)]


@pytest.fixture
def floats(api: Api) -> dict[str, list[float]]:
    """Three series of one closed hour, a sample a minute, and a summary series."""
    written = {kind: _values(kind, 60) for kind in ("gauge", "rate", "mixed")}
    rows = [
        {"name": "f", "value": v, "time": H + 60 * m, "tags": {"kind": kind}}
        for kind, values in written.items()
        for m, v in enumerate(values)
    ]
    rng = np.random.default_rng(4)
    rows += [
        {
            "name": "f",
            "count": 7,
            "sum": float(rng.random() * 1000),
            "min": float(rng.random()),
            "max": float(rng.random() * 2000),
            "time": H + 60 * m,
            "tags": {"kind": "summary"},
        }
        for m in range(60)
    ]
    reply = api.post("/v1/measurements", json_body={"measurements": rows})
    assert reply.status == 202, reply.text
    return written


def _read(api: Api, resolution: int) -> dict:
    reply = api.get(
        "/v1/measurements/f",
        query={"start_time": H, "end_time": H + keys.HOUR - 1, "resolution": resolution, "summary_function": "all"},
    )
    assert reply.status == 200, reply.text
    return reply.json


def _plain(body: dict) -> dict[str, list[float]]:
    """Each plain series' values (one sample a bucket at resolution 60: the value is the sample)."""
    series = {s["tags"]["kind"]: s["measurements"] for s in body["series"]}
    return {kind: [m["value"] for m in series[kind]] for kind in ("gauge", "rate", "mixed")}


def test_hot_slabs_and_blocks_return_the_floats_written_bit_for_bit(api: Api, floats: dict[str, list[float]]) -> None:
    before = _read(api, 60)
    assert _plain(before) == floats

    run_compaction()

    assert _read(api, 60) == before
    assert _plain(_read(api, 60)) == floats


def test_blocks_and_rollups_are_written_as_chunks(api: Api, floats: dict[str, list[float]], org: Org) -> None:
    run_compaction()
    folding.fold_through(org.tenant, "f", keys.day_of(H), NOW, None)
    blocks = [bytes(i["d"]["B"]) for i in chunk_items("B")]
    rollups = [bytes(i["d"]["B"]) for i in chunk_items("R")]
    assert len(blocks) == 1 and len(rollups) == 1  # the four series of the hour (and of the day) in one item each
    assert {b[:3] for b in blocks + rollups} == {chunk_codec.CHUNK_MAGIC}


def _rewrite_as_v1(items: list[dict]) -> int:
    """Put every slab back as the v1 writers wrote it (an existing deployment's data)."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    count = 0
    for item in items:
        if "d" not in item:
            continue
        if "#H#" not in item["pk"]["S"]:
            continue  # chunks have had one encoding only
        old = codecs_v1.encode_slab(codecs.decode_slab(bytes(item["d"]["B"])))
        client.put_item(TableName=get_settings().SAMPLES_TABLE, Item={**item, "d": {"B": old}})
        count += 1
    return count


def test_slabs_written_by_the_v1_codec_read_the_same(api: Api, floats: dict[str, list[float]]) -> None:
    reads = {resolution: _read(api, resolution) for resolution in (60, 3600)}

    assert _rewrite_as_v1(scan(get_settings().SAMPLES_TABLE)) >= 1

    assert {resolution: _read(api, resolution) for resolution in (60, 3600)} == reads
    run_compaction()  # hours compacted from v1 slabs hold the same values
    assert _read(api, 60) == reads[60]
