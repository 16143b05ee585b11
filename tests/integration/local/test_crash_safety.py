"""The local store keeps every acknowledged write across a crash: journal, replay, compaction, SIGKILL."""

import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest

from tests.integration.local.test_runtime import REPO, make_runtime, request

ADMIN = "crash-token"


def table(runtime):
    return boto3.client("dynamodb", region_name="us-east-1"), runtime.resources.tables["RecordsTable"]


def crash_image(data_dir: Path, to: Path) -> Path:
    """The data directory as a crash would leave it now: whatever is on disk, nothing else."""
    shutil.copytree(data_dir, to)
    return to


def test_every_kind_of_write_is_replayed_after_a_crash(tmp_path):
    with make_runtime(tmp_path / "data") as runtime:
        client, name = table(runtime)
        with runtime.lock:
            client.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1"}})
            client.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "b": {"B": b"\x00\xff"}})
            client.update_item(
                TableName=name,
                Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                UpdateExpression="SET n = n + :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            client.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "2"}})
            client.batch_write_item(
                RequestItems={
                    name: [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": str(i)}}}} for i in range(30)]
                }
            )
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}}}},
                    {"Delete": {"TableName": name, "Key": {"pk": {"S": "b"}, "sk": {"S": "0"}}}},
                ]
            )
            with pytest.raises(client.exceptions.TransactionCanceledException):
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}, "sk": {"S": "2"}}}},
                        {
                            "Put": {
                                "TableName": name,
                                "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
        status, _, _ = request(runtime, "PUT", "/items/http", body=b"acknowledged")
        assert status == 200
        image = crash_image(tmp_path / "data", tmp_path / "crashed")
        assert not (image / "RecordsTable.json").exists()  # nothing but the journal holds these writes

    with make_runtime(image) as runtime:
        client, name = table(runtime)
        with runtime.lock:
            items = client.scan(TableName=name)["Items"]
        keys = {(i["pk"]["S"], i["sk"]["S"]) for i in items}
        assert ("a", "2") not in keys and ("b", "0") not in keys and ("t", "2") not in keys
        assert {("a", "1"), ("t", "1")} <= keys and len([k for k in keys if k[0] == "b"]) == 29
        assert next(i for i in items if i["sk"]["S"] == "1" and i["pk"]["S"] == "a")["n"] == {"N": "2"}
        assert request(runtime, "GET", "/items/http")[::2] == (200, b"acknowledged")


def test_compaction_folds_the_journal_into_snapshots(tmp_path):
    data = tmp_path / "data"
    with make_runtime(data) as runtime:
        store = runtime._require_running().store
        assert store is not None
        request(runtime, "PUT", "/items/one", body=b"1")
        assert store.journal_bytes > 0
        store.compact()
        assert store.journal_bytes == 0
        assert [p.name for p in data.glob("journal-*.jsonl")] == ["journal-00000002.jsonl"]
        assert json.loads((data / "RecordsTable.json").read_text())["Journal"] == 2
        request(runtime, "PUT", "/items/two", body=b"2")
        image = crash_image(data, tmp_path / "crashed")
    # A torn last line (the crash hit mid-append, before any commit) is skipped.
    with open(image / "journal-00000002.jsonl", "ab") as journal:
        journal.write(b'{"t":"RecordsTable","p":{"pk"')

    with make_runtime(image) as runtime:
        assert request(runtime, "GET", "/items/one")[::2] == (200, b"1")
        assert request(runtime, "GET", "/items/two")[::2] == (200, b"2")


def test_a_sigkill_of_make_serve_loses_no_acknowledged_measurement(tmp_path):
    """As a user: 20 measurements acknowledged with 202, the server SIGKILLed, started again: 20 come back."""
    now = int(time.time()) // 60 * 60
    server = _serve(tmp_path)
    try:
        url = _url(server)
        for i in range(20):
            body = {"measurements": [{"name": "crash.test", "value": i, "time": now - 60 * i, "tags": {"host": "a"}}]}
            assert _call(url, "POST", "/v1/measurements", body)[0] == 202
    finally:
        server.send_signal(signal.SIGKILL)
        server.communicate(timeout=30)
    assert server.returncode == -signal.SIGKILL

    server = _serve(tmp_path)
    try:
        status, body = _call(
            _url(server),
            "GET",
            f"/v1/measurements/crash.test?start_time={now - 3600}&end_time={now + 60}&resolution=60",
        )
        assert status == 200, body
        values = sorted(p["value"] for s in body["series"] for p in s["measurements"])
        assert values == [float(i) for i in range(20)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def _serve(data_dir: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(REPO / "layers" / "polymetric" / "python"), str(REPO / "layers" / "local" / "python"), str(REPO)]
        ),
        "POLYMETRIC_SCHEDULES": "off",
        "POLYMETRIC_ADMIN_TOKEN": ADMIN,
    }
    command = [sys.executable, "-m", "polymetric_local", "serve", "--port", "0", "--data-dir", str(data_dir)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)


def _url(server: subprocess.Popen[str]) -> str:
    assert server.stdout is not None
    first = server.stdout.readline()
    assert first.startswith("Polymetric listening on http://127.0.0.1:"), first
    return first.split()[-1]


def _call(url: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        auth = base64.b64encode(f"{ADMIN}:".encode()).decode()
        headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        text = response.read()
        return response.status, json.loads(text) if text else None
    finally:
        connection.close()
