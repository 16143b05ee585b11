"""The local runtime end to end on tests/fixtures/local: HTTP, SQS, schedules, persistence, the CLI."""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from moto import mock_aws

from polymetric_local.resources import create_resources
from polymetric_local.server import LocalRuntime, bootstrap_tenants
from polymetric_local.template import Interval, ScheduleEvent, load_template
from polymetric_local.workers import _next_due

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "tests" / "fixtures" / "local"


def make_runtime(data_dir=None, bootstrap=None) -> LocalRuntime:
    return LocalRuntime(
        FIXTURE,
        port=0,
        data_dir=data_dir,
        admin_token="admin-token",
        # A prefix of its own, so a runtime another test left running cannot clash with these tables.
        prefix=f"t-{uuid.uuid4().hex[:8]}",
        bootstrap=bootstrap or (lambda token: None),
        schedules_enabled=False,
    )


def request(runtime, method, target, body=None, headers=None):
    url = urlsplit(runtime.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def records(runtime, pk):
    with runtime.lock:
        table = boto3.resource("dynamodb", region_name="us-east-1").Table(runtime.resources.tables["RecordsTable"])
        return table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": pk})["Items"]


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_create_resources_builds_tables_and_queues_from_the_template():
    template = load_template(FIXTURE / "template.yaml")
    with mock_aws():
        resources = create_resources(template, prefix="p")
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")

        table = dynamodb.describe_table(TableName="p-RecordsTable")["Table"]
        ttl = dynamodb.describe_time_to_live(TableName="p-RecordsTable")["TimeToLiveDescription"]
        queue = sqs.get_queue_attributes(QueueUrl=resources.queue_urls["JobsQueue"], AttributeNames=["All"])

        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["by-kind"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
        assert queue["Attributes"]["VisibilityTimeout"] == "1"
        assert json.loads(queue["Attributes"]["RedrivePolicy"]) == {
            "deadLetterTargetArn": resources.queue_arns["JobsDeadLetterQueue"],
            "maxReceiveCount": 2,
        }
        assert resources.env_for("EchoFunction") == {
            "RECORDS_TABLE": "p-RecordsTable",
            "REGION_NAME": "us-east-1",
            "JOBS_QUEUE_URL": resources.queue_urls["JobsQueue"],
            "JOBS_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:p-JobsQueue",
            "JOBS_QUEUE_NAME": "p-JobsQueue",
            "GREETING": "hello",
            "DESCRIPTION": "hello from p-RecordsTable in us-east-1",
        }


@pytest.fixture(scope="class")
def runtime():
    """One started runtime for TestServing; stopped before the tests that start their own."""
    calls = []

    def bootstrap(token):
        calls.append((token, os.environ.get("RECORDS_TABLE")))

    runtime = make_runtime(bootstrap=bootstrap).start()
    runtime.bootstrap_calls = calls
    yield runtime
    runtime.stop()


class TestServing:
    def test_bootstrap_ran_once_with_the_admin_token_and_the_functions_environment(self, runtime):
        assert runtime.bootstrap_calls == [("admin-token", runtime.resources.tables["RecordsTable"])]

    def test_request_reaches_the_handler_as_an_api_gateway_event(self, runtime):
        status, _, body = request(
            runtime,
            "POST",
            "/echo/a/b%20c?tags[region]=us-*&tags[region]=eu*&q=x+y",
            body=b'{"ok": true}',
            headers={"Content-Type": "application/json", "X-Multi": "1"},
        )

        assert status == 200
        echoed = json.loads(body)
        event = echoed["event"]
        assert event["resource"] == "/echo/{proxy+}"
        assert event["path"] == "/echo/a/b%20c"
        assert event["httpMethod"] == "POST"
        assert event["pathParameters"] == {"proxy": "a/b c"}
        assert event["multiValueQueryStringParameters"] == {"tags[region]": ["us-*", "eu*"], "q": ["x y"]}
        assert event["queryStringParameters"] == {"tags[region]": "eu*", "q": "x y"}
        assert event["body"] == '{"ok": true}'
        assert event["isBase64Encoded"] is False
        assert event["headers"]["Content-Type"] == "application/json"
        assert event["requestContext"]["path"] == "/Prod/echo/a/b%20c"
        assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
        assert echoed["env"]["RECORDS_TABLE"] == runtime.resources.tables["RecordsTable"]
        assert echoed["env"]["JOBS_QUEUE_URL"] == runtime.resources.queue_urls["JobsQueue"]
        assert echoed["env"]["DESCRIPTION"] == f"hello from {runtime.resources.tables['RecordsTable']} in us-east-1"
        assert echoed["context"]["function_name"] == runtime.resources.function_name("EchoFunction")
        assert echoed["context"]["memory_limit_in_mb"] == 256
        assert 0 < echoed["context"]["remaining_ms"] <= 10_000

    def test_binary_request_body_arrives_base64_encoded(self, runtime):
        _, _, body = request(
            runtime, "PUT", "/echo/upload", body=b"\x00\xffbin", headers={"Content-Type": "application/octet-stream"}
        )

        event = json.loads(body)["event"]
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == b"\x00\xffbin"

    def test_response_comes_back_byte_for_byte(self, runtime):
        status, headers, body = request(runtime, "GET", "/binary")

        assert status == 200
        assert body == bytes(range(256))
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Content-Length"] == "256"
        assert headers["X-Single"] == "one"
        assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]

    def test_items_round_trip_through_dynamodb(self, runtime):
        assert request(runtime, "PUT", "/items/abc", body=b"payload")[0] == 200

        status, _, body = request(runtime, "GET", "/items/abc")
        assert (status, body) == (200, b"payload")
        assert request(runtime, "GET", "/items/")[2] == json.dumps(["item#abc"]).encode()

    def test_static_route_wins_and_stage_prefix_is_accepted(self, runtime):
        assert request(runtime, "GET", "/items/latest")[2] == b'{"latest": true}'
        assert request(runtime, "GET", "/Prod/items/latest")[2] == b'{"latest": true}'

    def test_unknown_path_is_404_and_wrong_method_403(self, runtime):
        assert request(runtime, "GET", "/nope")[::2] == (404, b'{"message":"Missing Authentication Token"}')
        assert request(runtime, "DELETE", "/items")[::2] == (403, b'{"message":"Missing Authentication Token"}')

    def test_handler_exception_and_malformed_response_are_502(self, runtime):
        assert request(runtime, "GET", "/boom")[::2] == (502, b'{"message": "Internal server error"}')
        assert request(runtime, "GET", "/malformed")[::2] == (502, b'{"message": "Internal server error"}')

    def test_keep_alive_connection_serves_several_requests(self, runtime):
        url = urlsplit(runtime.url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            for _ in range(3):
                connection.request("GET", "/items/latest")
                response = connection.getresponse()
                assert response.read() == b'{"latest": true}'
            connection.request("HEAD", "/echo/x")
            response = connection.getresponse()
            assert response.status == 200
            assert response.read() == b""
        finally:
            connection.close()

    def test_http_1_0_request_is_answered_and_closed(self, runtime):
        url = urlsplit(runtime.url)
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(b"GET /items/latest HTTP/1.0\r\nHost: x\r\n\r\n")
            received = b""
            while chunk := sock.recv(65536):
                received += chunk

        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nConnection: close" in head
        assert body == b'{"latest": true}'

    def test_chunked_request_body_is_read(self, runtime):
        url = urlsplit(runtime.url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            connection.request("POST", "/echo/chunked", body=iter([b"ab", b"cd"]), encode_chunked=True)
            event = json.loads(connection.getresponse().read())["event"]
        finally:
            connection.close()

        assert event["body"] == "abcd"

    def test_sqs_messages_are_delivered_and_partial_failures_redelivered(self, runtime):
        jobs = [
            {"id": "ok", "mode": "ok"},
            {"id": "flaky", "mode": "fail-once"},
            {"id": "poison", "mode": "always-fail"},
        ]
        assert request(runtime, "POST", "/jobs", body=json.dumps(jobs).encode())[0] == 202

        # The background poller delivers without being asked.
        (delivery,) = wait_for(lambda: records(runtime, "job#ok"))
        runtime.drain_queues(timeout=10)

        record = json.loads(delivery["record"])
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == runtime.resources.queue_arns["JobsQueue"]
        assert record["awsRegion"] == "us-east-1"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert record["messageAttributes"]["mode"]["stringValue"] == "ok"
        assert record["messageAttributes"]["mode"]["dataType"] == "String"
        assert json.loads(record["body"]) == {"id": "ok", "mode": "ok"}
        assert {"messageId", "receiptHandle", "md5OfBody"} <= set(record)
        assert [r["sk"] for r in records(runtime, "job#flaky")] == ["attempt#1", "attempt#2"]
        assert [r["sk"] for r in records(runtime, "job#poison")] == ["attempt#1", "attempt#2"]

        def dead_letters():
            # moto moves the poison message at the poller's next receive after its second failure: on a
            # loaded machine that can come a moment after the drain returned.
            with runtime.lock:
                sqs = boto3.client("sqs", region_name="us-east-1")
                return sqs.receive_message(QueueUrl=runtime.resources.queue_urls["JobsDeadLetterQueue"]).get("Messages")

        dead = wait_for(dead_letters, timeout=30)
        assert [json.loads(m["Body"])["id"] for m in dead] == ["poison"]

    def test_run_schedules_now_fires_the_schedule_with_a_scheduled_event(self, runtime):
        assert runtime.run_schedules_now() == 1

        (tick,) = records(runtime, "tick")
        event = json.loads(tick["event"])
        assert event["detail-type"] == "Scheduled Event"
        assert event["source"] == "aws.events"
        assert event["account"] == "123456789012"
        assert event["region"] == "us-east-1"
        assert event["resources"] == [
            f"arn:aws:events:us-east-1:123456789012:rule/{runtime.resources.prefix}-TickFunctionTick"
        ]
        assert event["detail"] == {}
        assert time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")


def test_tables_persist_across_restarts_and_a_fresh_data_dir_starts_empty(tmp_path):
    data_dir = tmp_path / "data"
    expired = int(time.time()) - 60
    with make_runtime(data_dir) as runtime:
        request(runtime, "PUT", "/items/kept", body=b"\x00\x01 binary")
        request(runtime, "PUT", f"/items/expired?expires={expired}", body=b"old")

    saved = json.loads((data_dir / "RecordsTable.json").read_text())
    assert len(saved["Items"]) == 2
    assert not list(data_dir.glob(".*.tmp"))

    with make_runtime(data_dir) as runtime:
        assert request(runtime, "GET", "/items/kept")[::2] == (200, b"\x00\x01 binary")
        # DynamoDB would have expired it; moto never does, so the restore drops it.
        assert request(runtime, "GET", "/items/expired")[0] == 404

    with make_runtime(tmp_path / "fresh") as runtime:
        assert request(runtime, "GET", "/items/kept")[0] == 404


def test_runtime_restores_the_environment_when_it_stops():
    before = dict(os.environ)
    with make_runtime():
        assert os.environ["POWERTOOLS_DEV"] == "true"

    assert dict(os.environ) == before


def test_default_bootstrap_calls_bootstrap_local(monkeypatch):
    calls = []
    module = type(sys)("polymetric.domain.tenants")
    module.bootstrap_local = calls.append
    monkeypatch.setitem(sys.modules, "polymetric.domain.tenants", module)

    bootstrap_tenants("tok")

    assert calls == ["tok"]


def test_cli_serves_until_sigterm_and_saves_the_tables(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "layers" / "local" / "python"), str(REPO)]),
        "POLYMETRIC_SCHEDULES": "off",
        "POLYMETRIC_ADMIN_TOKEN": "cli-token",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polymetric_local",
            "serve",
            "--port",
            "0",
            "--repo",
            str(FIXTURE),
            "--data-dir",
            str(tmp_path),
            "--reset",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Polymetric listening on http://127.0.0.1:"), first + process.stderr.read()
        assert process.stdout.readline() == "Admin token: cli-token\n"
        url = urlsplit(first.split()[-1])
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("PUT", "/items/cli", body=b"from the cli")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)

    assert process.returncode == 0, stderr
    assert len(json.loads((tmp_path / "RecordsTable.json").read_text())["Items"]) == 1


def test_schedules_follow_env_polymetric_schedules(monkeypatch):
    monkeypatch.setenv("POLYMETRIC_SCHEDULES", "off")
    assert LocalRuntime(FIXTURE).schedules_enabled is False

    monkeypatch.delenv("POLYMETRIC_SCHEDULES")
    assert LocalRuntime(FIXTURE).schedules_enabled is True


def test_timer_fires_rates_from_its_start_and_crons_by_the_clock():
    rate = ScheduleEvent("Tick", "rate(5 minutes)", Interval(300), "FnTick")
    cron = ScheduleEvent("Tick", "cron(7 * * * ? *)", Interval(3600, 420), "FnTick")

    assert _next_due(rate, 1000.0, 1000.0) == 1300.0
    assert _next_due(rate, 1300.0, 1000.0) == 1600.0
    assert _next_due(cron, 36_100.0, 0.0) == 36_420.0
    assert _next_due(cron, 36_420.0, 0.0) == 40_020.0
