"""Alert evaluation and delivery end to end through the handlers: tick -> SQS -> notifier -> loopback receiver."""

import json
import time

import pytest

from polymetric import clock
from polymetric_local.resources import LocalResources
from tests.integration.alerting_helpers import deliver, queued, receiver, tick
from tests.integration.api import Api


def _post(api: Api, name: str, value: float, at: int, **tags: str) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={"measurements": [{"name": name, "value": value, "time": at, "tags": tags or {"host": "a"}}]},
    )
    assert reply.status == 202, reply.text


def _webhook(api: Api, url: str) -> int:
    return api.post("/v1/services", json_body={"title": "hook", "type": "webhook", "settings": {"url": url}}).json["id"]


def _alert(api: Api, services: list[int], **condition) -> dict:
    body = {
        "name": f"cpu.high.{len(services)}",
        "services": services,
        "rearm_seconds": 600,
        "attributes": {"runbook_url": "http://runbooks.example/cpu"},
        "conditions": [{"type": "above", "metric_name": "cpu", "threshold": 90, **condition}],
    }
    reply = api.post("/v1/alerts", json_body=body)
    assert reply.status == 201, reply.text
    return reply.json


def test_trigger_rearm_clear_through_a_webhook(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        alert = _alert(api, [_webhook(api, hook.url + "/hook")])
        t0 = int(time.time())
        _post(api, "cpu", 95, t0, host="web-1")
        # When the evaluator runs
        report = tick(t0 + 5)
        assert (report["triggered"], report["notifications"]) == (1, 1)
        assert deliver(aws) == {"batchItemFailures": []}
        # Then the receiver holds the AppOptics payload
        assert len(hook.requests) == 1
        sent = hook.requests[0]
        assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
        payload = sent.payload
        assert payload["alert"] == {
            "id": alert["id"],
            "name": alert["name"],
            "runbook_url": "http://runbooks.example/cpu",
            "version": 2,
        }
        assert payload["trigger_time"] == t0 + 5
        assert payload["conditions"] == [
            {"id": alert["conditions"][0]["id"], "type": "above", "threshold": 90.0, "duration": None}
        ]
        assert payload["violations"] == {
            "host=web-1": [
                {
                    "metric": "cpu",
                    "value": 95.0,
                    "recorded_at": t0,
                    "condition_violated": alert["conditions"][0]["id"],
                    "count": 1,
                    "begin": t0 + 5 - 300,
                    "end": t0 + 5,
                }
            ]
        }
        assert payload["account"] == "acme"
        status = api.get(f"/v1/alerts/{alert['id']}/status").json
        assert status["status"] == "triggered"
        assert status["triggered_at"] == t0 + 5
        assert [(d["outcome"], d["kind"], d["attempt"]) for d in status["deliveries"]] == [("delivered", "trigger", 1)]
        assert api.get("/v1/alerts/status").json["firing"] == [{"id": alert["id"], "triggered_at": t0 + 5}]
        # No repeat inside the rearm window, even with more samples beyond
        _post(api, "cpu", 97, t0 + 30, host="web-1")
        assert tick(t0 + 65)["notifications"] == 0
        assert queued(aws) == []
        # A value back under the threshold clears
        _post(api, "cpu", 10, t0 + 70, host="web-1")
        assert tick(t0 + 125)["cleared"] == 1
        deliver(aws)
        clear = hook.requests[-1].payload
        assert clear == {
            "alert": payload["alert"],
            "incident_key": payload["incident_key"],
            "account": "acme",
            "trigger_time": t0 + 5,
            "clear": "normal",
        }
        status = api.get(f"/v1/alerts/{alert['id']}/status").json
        assert (status["status"], status["cleared_at"]) == ("ok", t0 + 125)
        assert api.get("/v1/alerts/status").json == {
            "cleared": [{"cleared_at": t0 + 125, "id": alert["id"]}],
            "firing": [],
        }


def test_repeat_after_rearm_and_manual_clear(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        alert = _alert(api, [_webhook(api, hook.url)])
        api.put(
            f"/v1/alerts/{alert['id']}",
            json_body={**alert, "rearm_seconds": 120, "services": [s["id"] for s in alert["services"]]},
        )
        t0 = int(time.time())
        _post(api, "cpu", 95, t0)
        tick(t0 + 1)
        _post(api, "cpu", 96, t0 + 100)
        assert tick(t0 + 101)["notifications"] == 0
        _post(api, "cpu", 96, t0 + 120)
        assert tick(t0 + 125)["notifications"] == 1  # the rearm timer has elapsed
        deliver(aws)
        assert len(hook.requests) == 2
        assert hook.requests[0].payload["incident_key"] == hook.requests[1].payload["incident_key"]
        assert api.post(f"/v1/alerts/{alert['id']}/clear").status == 204
        deliver(aws)
        assert hook.requests[-1].payload["clear"] == "manual"
        assert api.get(f"/v1/alerts/{alert['id']}/status").json["status"] == "ok"


def test_inactive_alert_never_notifies(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        alert = _alert(api, [_webhook(api, hook.url)])
        assert api.put(f"/v1/alerts/{alert['id']}", json_body={**alert, "active": False, "services": []}).status == 204
        t0 = int(time.time())
        _post(api, "cpu", 99, t0)
        assert tick(t0 + 5)["notifications"] == 0
        assert queued(aws) == []


def test_editing_a_triggered_alert_keeps_its_incident_unless_the_conditions_change(
    api: Api, aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renaming it or attaching a service does not restart duration tracking (no false "normal" clear)."""
    t0 = int(time.time()) // 60 * 60 - 600
    at = [t0]
    monkeypatch.setattr(clock, "now", lambda: at[0])
    with receiver() as hook:
        alert = _alert(api, [_webhook(api, hook.url + "/one")], duration=120)
        for i in range(8):
            _post(api, "cpu", 95, t0 + 60 * i + 1)
        assert tick(t0 + 185)["triggered"] == 1
        at[0] = t0 + 200
        second = _webhook(api, hook.url + "/two")
        assert api.post(f"/v1/alerts/{alert['id']}/services", json_body={"service": second}).status == 201
        kept = {**alert, "name": "cpu.renamed", "services": [s["id"] for s in alert["services"]] + [second]}
        assert api.put(f"/v1/alerts/{alert['id']}", json_body=kept).status == 204
        report = tick(t0 + 245)
        assert (report["cleared"], report["notifications"]) == (0, 0)
        assert api.get(f"/v1/alerts/{alert['id']}/status").json["status"] == "triggered"
        # A new threshold is a new question: tracking restarts, the 120 s are not yet covered
        at[0] = t0 + 250
        conditions = [{**alert["conditions"][0], "threshold": 80}]
        assert api.put(f"/v1/alerts/{alert['id']}", json_body={**kept, "conditions": conditions}).status == 204
        assert tick(t0 + 305)["cleared"] == 1
        for i in range(8, 14):
            _post(api, "cpu", 95, t0 + 60 * i + 1)
        assert tick(t0 + 430)["triggered"] == 0  # held for 120 s since t0+250, but within the rearm time
        assert tick(t0 + 185 + 600)["triggered"] == 1


def test_deactivating_or_deleting_a_triggered_alert_clears_it(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        alert = _alert(api, [_webhook(api, hook.url)])
        t0 = int(time.time())
        _post(api, "cpu", 99, t0)
        assert tick(t0 + 5)["triggered"] == 1
        path, services = f"/v1/alerts/{alert['id']}", [s["id"] for s in alert["services"]]
        # Deactivated and its service detached in one PUT: the service that was told of the incident hears it end
        assert api.put(path, json_body={**alert, "active": False, "services": []}).status == 204
        deliver(aws)
        assert [r.payload.get("clear") for r in hook.requests] == [None, "manual"]
        assert api.get(f"/v1/alerts/{alert['id']}/status").json["status"] == "ok"
        assert api.get("/v1/alerts/status").json["firing"] == []
        # Active again, with its samples still beyond: a new incident once the rearm time allows it
        assert api.put(path, json_body={**alert, "active": True, "services": services}).status == 204
        _post(api, "cpu", 99, t0 + 600)
        assert tick(t0 + 605)["triggered"] == 1
        assert api.delete(f"/v1/alerts/{alert['id']}").status == 204
        deliver(aws)
        assert [r.payload.get("clear") for r in hook.requests] == [None, "manual", None, "manual"]
        assert len({r.payload["incident_key"] for r in hook.requests}) == 2


def test_overlapping_runs_notify_once(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        _alert(api, [_webhook(api, hook.url)])
        t0 = int(time.time())
        _post(api, "cpu", 99, t0)
        assert tick(t0 + 5)["notifications"] == 1
        assert tick(t0 + 5)["notifications"] == 0  # the second run finds the state already moved
        assert len(queued(aws)) == 1


def test_all_conditions_must_hold_and_duration_needs_every_sample(api: Api, aws: LocalResources) -> None:
    body = {
        "name": "two.conditions",
        "conditions": [
            {"type": "above", "metric_name": "cpu", "threshold": 90, "duration": 120},
            {"type": "below", "metric_name": "free", "threshold": 5},
        ],
    }
    assert api.post("/v1/alerts", json_body=body).status == 201
    t0 = int(time.time())
    for i in range(4):
        _post(api, "cpu", 95, t0 + 60 * i)
    _post(api, "free", 50, t0 + 180)
    # Duration tracking starts with the alert: at t0+100 it has not existed for 120 s
    assert tick(t0 + 100)["triggered"] == 0
    # cpu has been above 90 for 120 s, but free is not below 5: not ALL conditions hold
    assert tick(t0 + 185)["triggered"] == 0
    _post(api, "free", 1, t0 + 182)
    assert tick(t0 + 186)["triggered"] == 1
    # One sample under the threshold inside the duration window: the condition stops holding
    _post(api, "cpu", 80, t0 + 240)
    assert tick(t0 + 245)["cleared"] == 1


def test_absent_fires_for_a_stream_seen_once_that_stops(api: Api, aws: LocalResources) -> None:
    t0 = int(time.time())
    body = {"name": "gone.quiet", "conditions": [{"type": "absent", "metric_name": "beat", "duration": 120}]}
    assert api.post("/v1/alerts", json_body=body).status == 201
    _post(api, "beat", 1, t0 + 10, host="a")
    assert tick(t0 + 60)["triggered"] == 0
    assert tick(t0 + 129)["triggered"] == 0  # the beat at t0+10 is inside (t0+9, t0+129]
    assert tick(t0 + 140)["triggered"] == 1
    _post(api, "beat", 1, t0 + 141, host="a")
    assert tick(t0 + 150)["cleared"] == 1


def test_grouped_tags_fold_streams_and_wildcards_select_them(api: Api, aws: LocalResources) -> None:
    t0 = int(time.time()) // 60 * 60
    body = {
        "name": "fleet.average",
        "conditions": [
            {
                "type": "above",
                "metric_name": "load",
                "threshold": 50,
                "tags": [{"name": "host", "grouped": True, "values": ["web-*"]}],
            }
        ],
    }
    created = api.post("/v1/alerts", json_body=body)
    assert created.status == 201, created.text
    _post(api, "load", 80, t0 + 1, host="web-1")
    _post(api, "load", 10, t0 + 2, host="web-2")
    _post(api, "load", 500, t0 + 3, host="db-1")  # not selected by web-*
    assert tick(t0 + 30)["triggered"] == 0  # the mean of web-* is 45
    _post(api, "load", 80, t0 + 61, host="web-1")
    _post(api, "load", 20, t0 + 62, host="web-2")
    _post(api, "load", 60, t0 + 63, host="web-2")
    assert tick(t0 + 90)["triggered"] == 1  # web-2 averages 40 in that minute: (80 + 40) / 2 = 60
    status = api.get(f"/v1/alerts/{created.json['id']}/status").json
    assert [s["stream"] for s in status["streams"]] == ["host=web-*"]  # the tag filter, not a word like "grouped"


def test_a_legacy_source_scoped_condition_judges_only_that_source(api: Api, aws: LocalResources) -> None:
    t0 = int(time.time()) // 60 * 60
    created = _alert(api, [], source="web-*")
    _post(api, "cpu", 99, t0 + 61, source="db-1")  # above, but not a web-* source
    assert tick(t0 + 90)["triggered"] == 0
    _post(api, "cpu", 99, t0 + 121, source="web-1")
    assert tick(t0 + 150)["triggered"] == 1
    assert [s["stream"] for s in api.get(f"/v1/alerts/{created['id']}/status").json["streams"]] == ["source=web-1"]


def test_derivative_with_detect_reset(api: Api, aws: LocalResources) -> None:
    body = {
        "name": "counter.jump",
        "conditions": [
            {
                "type": "above",
                "metric_name": "requests",
                "threshold": 100,
                "summary_function": "derivative",
                "detect_reset": True,
            }
        ],
    }
    assert api.post("/v1/alerts", json_body=body).status == 201
    t0 = int(time.time())
    _post(api, "requests", 1000, t0)
    _post(api, "requests", 5, t0 + 10)  # a counter reset: derivative 0, not -995
    assert tick(t0 + 20)["triggered"] == 0
    _post(api, "requests", 500, t0 + 20)
    assert tick(t0 + 21)["triggered"] == 1


def test_delivery_failures_are_recorded_and_retried(api: Api, aws: LocalResources) -> None:
    with receiver() as hook:
        hook.status = 503
        alert = _alert(api, [_webhook(api, hook.url)])
        t0 = int(time.time())
        _post(api, "cpu", 95, t0)
        tick(t0 + 1)
        result = deliver(aws)
        assert len(result["batchItemFailures"]) == 1
        status = api.get(f"/v1/alerts/{alert['id']}/status").json
        assert [(d["outcome"], d["detail"]) for d in status["deliveries"]] == [("retrying", "HTTP 503")]


@pytest.mark.parametrize("code", [400, 404])
def test_client_errors_are_final(api: Api, aws: LocalResources, code: int) -> None:
    with receiver() as hook:
        hook.status = code
        alert = _alert(api, [_webhook(api, hook.url)])
        t0 = int(time.time())
        _post(api, "cpu", 95, t0)
        tick(t0 + 1)
        assert deliver(aws) == {"batchItemFailures": []}
        status = api.get(f"/v1/alerts/{alert['id']}/status").json
        assert [d["outcome"] for d in status["deliveries"]] == ["failed"]


def _fire(api: Api, aws: LocalResources, service: dict) -> dict:
    """Create ``service`` and an alert on it, post a value beyond, tick and deliver; returns the alert's status."""
    created = api.post("/v1/services", json_body=service)
    assert created.status == 201, created.text
    alert = _alert(api, [created.json["id"]])
    t0 = int(time.time())
    _post(api, "cpu", 95, t0, host="web-1")
    tick(t0 + 1)
    assert deliver(aws) == {"batchItemFailures": []}
    return api.get(f"/v1/alerts/{alert['id']}/status").json


def test_slack_message_names_alert_metric_stream_value_and_runbook(api: Api, aws: LocalResources) -> None:
    with receiver() as slack:
        status = _fire(api, aws, {"title": "chat", "type": "slack", "settings": {"url": slack.url + "/services/T/B/X"}})
        message = slack.requests[0].json
        assert slack.requests[0].path == "/services/T/B/X"
        text = message["attachments"][0]["text"]
        for fact in ("cpu.high.1", "cpu", "host=web-1", "95", "threshold 90", "http://runbooks.example/cpu"):
            assert fact in text, fact
        assert message["text"] == "Alert cpu.high.1 has triggered"
        assert status["deliveries"][0]["outcome"] == "delivered"


def test_pagerduty_trigger_and_resolve_share_the_dedup_key(
    api: Api, aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.config import get_settings

    with receiver() as pagerduty:
        monkeypatch.setenv("PAGERDUTY_EVENTS_URL", pagerduty.url + "/v2/enqueue")
        get_settings.cache_clear()
        pagerduty.status = 202
        status = _fire(api, aws, {"title": "pd", "type": "pagerduty", "settings": {"service_key": "R0UT1NG"}})
        trigger = pagerduty.requests[0].json
        assert (trigger["routing_key"], trigger["event_action"]) == ("R0UT1NG", "trigger")
        assert trigger["payload"]["severity"] == "critical"
        assert trigger["payload"]["source"] == "host=web-1"
        assert api.post(f"/v1/alerts/{status['alert']['id']}/clear").status == 204
        deliver(aws)
        resolve = pagerduty.requests[1].json
        assert resolve == {"routing_key": "R0UT1NG", "event_action": "resolve", "dedup_key": trigger["dedup_key"]}
    get_settings.cache_clear()


def _topic_to_queue(*, raw: bool) -> tuple[str, str]:
    """An SNS topic ``ops`` delivering to a new SQS queue: (topic ARN, queue URL). ``raw``: the message alone,
    else SNS's envelope (which holds the Subject)."""
    import boto3

    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    inbox = sqs.create_queue(QueueName="ops-raw" if raw else "ops-envelopes")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": str(raw).lower()}
    )
    return topic, inbox


def test_sns_publishes_the_webhook_json(api: Api, aws: LocalResources) -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    topic, inbox = _topic_to_queue(raw=True)
    status = _fire(api, aws, {"title": "topic", "type": "sns", "settings": {"topic_arn": topic}})
    (message,) = sqs.receive_message(QueueUrl=inbox)["Messages"]
    assert json.loads(message["Body"])["violations"]["host=web-1"][0]["value"] == 95.0
    assert status["deliveries"][0]["detail"].startswith("SNS message ")


def test_sns_subject_is_the_alert_name_cut_to_99_characters(api: Api, aws: LocalResources) -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    topic, inbox = _topic_to_queue(raw=False)
    service = api.post("/v1/services", json_body={"title": "topic", "type": "sns", "settings": {"topic_arn": topic}})
    name = "fleet." + "x" * 120  # alert names may have 255 characters, SNS subjects "less than 100"
    condition = {"type": "above", "metric_name": "cpu", "threshold": 90}
    alert = api.post(
        "/v1/alerts", json_body={"name": name, "services": [service.json["id"]], "conditions": [condition]}
    )
    assert alert.status == 201, alert.text
    t0 = int(time.time())
    _post(api, "cpu", 95, t0)
    assert tick(t0 + 1)["notifications"] == 1
    assert deliver(aws) == {"batchItemFailures": []}
    assert api.post(f"/v1/alerts/{alert.json['id']}/clear").status == 204
    assert deliver(aws) == {"batchItemFailures": []}
    envelopes: list[dict] = []
    while page := sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", []):
        envelopes += [json.loads(m["Body"]) for m in page]
    assert [e["Subject"] for e in envelopes] == [name[:99], name[:99]]  # the trigger and the clear
    assert sorted("clear" in json.loads(e["Message"]) for e in envelopes) == [False, True]


def test_sns_to_a_missing_topic_is_recorded_as_failed(api: Api, aws: LocalResources) -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:nowhere"
    status = _fire(api, aws, {"title": "topic", "type": "sns", "settings": {"topic_arn": arn}})
    assert status["deliveries"][0]["outcome"] == "failed"
    assert "NotFound" in status["deliveries"][0]["detail"]


def test_mail_goes_through_ses_from_the_template_identity(api: Api, aws: LocalResources) -> None:
    import boto3

    status = _fire(api, aws, {"title": "ops", "type": "mail", "settings": {"addresses": "ops@example.com"}})
    assert status["deliveries"][0]["outcome"] == "delivered", status
    assert status["deliveries"][0]["detail"].startswith("SES message ")
    sent = boto3.client("ses", region_name="us-east-1").get_send_quota()["SentLast24Hours"]
    assert sent == 1


def test_anomalous_condition_fires_on_a_value_off_its_seasonal_baseline(api: Api, aws: LocalResources) -> None:
    # Given eight days of hourly history with a daily wave
    hour = int(time.time()) // 3600 * 3600
    start = hour - 8 * 86400
    history = [
        {
            "name": "latency",
            "value": 100 + 10 * ((t // 3600) % 24 >= 12) + (t // 3600) % 3,
            "time": t,
            "tags": {"host": "a"},
        }
        for t in range(start, hour, 3600)
    ]
    assert api.post("/v1/measurements", json_body={"measurements": history}).status == 202
    body = {"name": "latency.odd", "conditions": [{"type": "anomalous", "metric_name": "latency", "sensitivity": 4}]}
    created = api.post("/v1/alerts", json_body=body)
    assert created.status == 201, created.text
    assert created.json["conditions"][0]["sensitivity"] == 4.0
    now = int(time.time())
    # A value in its usual band does not fire; one far off does
    usual = 100 + 10 * ((now // 3600) % 24 >= 12) + (now // 3600) % 3  # what this hour of the week was
    _post(api, "latency", usual, now, host="a")
    assert tick(now + 1)["triggered"] == 0
    _post(api, "latency", 400, now + 2, host="a")
    assert tick(now + 3)["triggered"] == 1


def test_anomalous_condition_needs_a_week_of_history(api: Api, aws: LocalResources) -> None:
    now = int(time.time())
    short = [{"name": "fresh", "value": 5, "time": now - 3600 * h, "tags": {"host": "a"}} for h in range(1, 48)]
    assert api.post("/v1/measurements", json_body={"measurements": short}).status == 202
    body = {"name": "fresh.odd", "conditions": [{"type": "anomalous", "metric_name": "fresh"}]}
    assert api.post("/v1/alerts", json_body=body).status == 201
    _post(api, "fresh", 5000, now + 1, host="a")
    assert tick(now + 2)["triggered"] == 0


def test_a_persisted_composite_metric_works_as_a_condition_metric(api: Api, aws: LocalResources) -> None:
    created = api.put(
        "/v1/metrics/errors.total", json_body={"type": "composite", "composite": 'sum(s("errors", {"host": "*"}))'}
    )
    assert created.status == 201, created.text
    body = {"name": "errors.many", "conditions": [{"type": "above", "metric_name": "errors.total", "threshold": 10}]}
    assert api.post("/v1/alerts", json_body=body).status == 201
    t0 = int(time.time()) // 60 * 60 + 60
    _post(api, "errors", 4, t0, host="a")
    _post(api, "errors", 5, t0, host="b")
    assert tick(t0 + 30)["triggered"] == 0  # 9
    _post(api, "errors", 8, t0 + 60, host="a")
    _post(api, "errors", 7, t0 + 60, host="b")
    assert tick(t0 + 90)["triggered"] == 1  # 15


def test_a_redelivered_message_never_reaches_the_receiver_twice(api: Api, aws: LocalResources) -> None:
    import boto3

    with receiver() as hook:
        _alert(api, [_webhook(api, hook.url)])
        t0 = int(time.time())
        _post(api, "cpu", 95, t0)
        tick(t0 + 1)
        (message,) = queued(aws)
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = aws.queue_urls["NotificationsQueue"]
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        deliver(aws)
        # The same message again, as SQS may deliver it (at-least-once)
        sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
        assert deliver(aws) == {"batchItemFailures": []}
        assert len(hook.requests) == 1
        assert hook.requests[0].headers["X-Polymetric-Delivery"] == json.loads(message["Body"])["delivery_id"]


def test_conditions_on_tag_values_read_their_postings_not_the_whole_index(
    api: Api, aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polymetric.storage import registry

    _alert(api, [], tags=[{"name": "host", "values": ["h007", "h01*"]}])  # samples before it are not judged
    t0 = int(time.time()) + 1
    reply = api.post(
        "/v1/measurements",
        json_body={
            "measurements": [
                {"name": "cpu", "value": 95 if i == 7 else 10, "time": t0, "tags": {"host": f"h{i:03d}"}}
                for i in range(50)
            ]
        },
    )
    assert reply.status == 202, reply.text

    def whole_index(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tick read every series of the metric")

    monkeypatch.setattr(registry, "load", whole_index)
    assert tick(t0 + 5)["triggered"] == 1
