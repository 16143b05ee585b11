"""Snapshot PNGs (S3 objects in moto) survive a crash of `make serve`: on disk before the put returns."""

import json
import shutil
import time

import boto3

from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call

TOKEN = "objects-token"


def runtime(data_dir, port: int = 0) -> LocalRuntime:
    return LocalRuntime(REPO, port=port, data_dir=data_dir, admin_token=TOKEN, schedules_enabled=False).start()


def api(server: LocalRuntime, method: str, path: str, body: object = None):
    data = None if body is None else json.dumps(body).encode()
    return call(f"{server.url}{path}", method, token=TOKEN, body=data, content_type="application/json")


def test_a_snapshot_image_answers_after_a_crash(tmp_path) -> None:
    first = runtime(tmp_path / "data")
    try:
        now = int(time.time())
        measurements = [{"name": "kept.png", "value": i, "time": now - 60 * i, "tags": {"h": "a"}} for i in range(10)]
        assert api(first, "POST", "/v1/measurements", {"measurements": measurements}).status == 202
        space = api(first, "POST", "/v1/spaces", {"name": "kept"}).json
        chart = api(
            first, "POST", f"/v1/spaces/{space['id']}/charts", {"name": "c", "streams": [{"metric": "kept.png"}]}
        )
        created = api(first, "POST", "/v1/snapshots", {"subject": {"chart": {"id": chart.json["id"]}}})
        assert created.status == 202, created.body
        snapshot_path = created.json["href"][len(first.url) :]
        deadline = time.monotonic() + 60
        while not (got := api(first, "GET", snapshot_path).json)["image_href"] and time.monotonic() < deadline:
            time.sleep(0.5)
        png = call(got["image_href"])
        assert png.status == 200 and png.headers["content-type"] == "image/png"
        # What a SIGKILL leaves: the data directory as it is on disk now, nothing written at a clean stop.
        crashed = shutil.copytree(tmp_path / "data", tmp_path / "crashed")
        port = int(first.url.rsplit(":", 1)[1])
    finally:
        first.stop()

    # Restarted on the same port, as `make serve` is: the stored link names the server's address.
    second = runtime(crashed, port=port)
    try:
        link = api(second, "GET", snapshot_path).json["image_href"]
        assert link == got["image_href"]
        again = call(link)
        assert (again.status, again.headers["content-type"], again.body) == (200, "image/png", png.body)
    finally:
        second.stop()


def test_a_deleted_object_stays_deleted(tmp_path) -> None:
    first = runtime(tmp_path)
    try:
        bucket = first.resources.buckets["SnapshotsBucket"]
        s3 = boto3.client("s3", region_name=first.region)
        with first.lock:
            s3.put_object(Bucket=bucket, Key="t/gone.png", Body=b"gone", ContentType="image/png")
            s3.put_object(Bucket=bucket, Key="t/kept.png", Body=b"kept", ContentType="image/png")
            s3.delete_object(Bucket=bucket, Key="t/gone.png")
        assert len(list((tmp_path / "objects" / "SnapshotsBucket").glob("*.json"))) == 1
    finally:
        first.stop()

    second = runtime(tmp_path)
    try:
        assert call(f"{second.url}/_local/s3/{bucket}/t/gone.png").status == 404
        assert call(f"{second.url}/_local/s3/{bucket}/t/kept.png").body == b"kept"
    finally:
        second.stop()
