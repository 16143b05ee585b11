import logging
from pathlib import Path

import pytest

from polymetric_local.template import (
    FALLBACK_INTERVAL_SECONDS,
    IMPLICIT_API_ID,
    ApiEvent,
    Interval,
    TemplateError,
    load_template,
    parse_schedule,
    parse_template,
    resolve_intrinsic,
)

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "tests" / "fixtures" / "local"


@pytest.fixture(scope="module")
def template():
    return load_template(FIXTURE / "template.yaml")


def test_functions_merge_globals_with_their_own_properties(template):
    echo = template.functions["EchoFunction"]

    assert echo.code_uri == FIXTURE / "functions" / "echo"
    assert echo.module_file == FIXTURE / "functions" / "echo" / "app.py"
    assert echo.handler_attribute == "lambda_handler"
    assert echo.timeout == 10
    assert echo.memory_size == 256
    assert echo.layer_paths == (FIXTURE / "layer" / "python", FIXTURE / "layer")
    assert echo.environment["RECORDS_TABLE"] == {"Ref": "RecordsTable"}
    assert echo.environment["JOBS_QUEUE_ARN"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert echo.environment["GREETING"] == {"Ref": "Greeting"}
    assert template.functions["TickFunction"].environment == {
        "RECORDS_TABLE": {"Ref": "RecordsTable"},
        "REGION_NAME": {"Fn::Sub": "${AWS::Region}"},
    }


def test_api_events_have_path_and_lower_case_method(template):
    events = template.functions["EchoFunction"].api_events

    assert ApiEvent("Echo", "/echo/{proxy+}", "any", "FixtureApi") in events
    assert ApiEvent("PutItem", "/items/{id}", "put", "FixtureApi") in events


def test_sqs_event_names_its_queue_batch_size_and_response_types(template):
    (event,) = template.functions["WorkerFunction"].sqs_events

    assert event.queue == "JobsQueue"
    assert event.batch_size == 5
    assert event.report_batch_item_failures


def test_schedule_event_has_an_interval_and_the_rule_logical_id(template):
    (event,) = template.functions["TickFunction"].schedule_events

    assert event.expression == "rate(5 minutes)"
    assert event.interval == Interval(seconds=300)
    assert event.rule_id == "TickFunctionTick"
    assert event.enabled


def test_tables_and_queues_keep_their_properties(template):
    assert set(template.tables) == {"RecordsTable"}
    records = template.tables["RecordsTable"].properties
    assert records["GlobalSecondaryIndexes"][0]["IndexName"] == "by-kind"
    assert records["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert template.queues["JobsQueue"].dead_letter_target == "JobsDeadLetterQueue"
    assert template.queues["JobsQueue"].properties["VisibilityTimeout"] == 1
    assert template.queues["JobsDeadLetterQueue"].dead_letter_target is None
    assert not template.queues["JobsQueue"].fifo


def test_apis_know_their_stage_and_binary_media_types(template):
    assert template.api("FixtureApi").binary_media_types == ("application/octet-stream",)
    assert template.api("FixtureApi").stage == "Prod"
    assert template.api(IMPLICIT_API_ID).binary_media_types == ()


def test_parameters_defaults_are_kept(template):
    assert template.parameters == {"Greeting": "hello"}


def test_project_template_loads():
    project = load_template(REPO / "template.yaml")

    assert project.functions
    assert all(fn.code_uri.is_relative_to(REPO) for fn in project.functions.values())
    assert all(event.path.startswith("/") for fn in project.functions.values() for event in fn.api_events)


def test_project_queues_hide_a_message_longer_than_its_worker_may_run():
    """AWS: an event source queue's visibility timeout should be at least six times the function's
    timeout, or a message a slow run still holds is handed to a second run (a webhook called twice)."""
    project = load_template(REPO / "template.yaml")
    for fn in project.functions.values():
        for event in fn.sqs_events:
            visibility = int(project.queues[event.queue].properties.get("VisibilityTimeout", 30))
            assert visibility >= 6 * fn.timeout, (fn.logical_id, event.queue)


def test_the_notifier_outlasts_a_batch_of_hanging_receivers():
    """Each delivery may wait DELIVERY_TIMEOUT_SECONDS; a batch of them must fit in one run."""
    from polymetric.config import Settings

    notifier = load_template(REPO / "template.yaml").functions["NotifierFunction"]
    (event,) = notifier.sqs_events
    assert notifier.timeout >= event.batch_size * Settings.DELIVERY_TIMEOUT_SECONDS + 10


def test_implicit_api_takes_binary_media_types_from_globals(tmp_path):
    text = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    BinaryMediaTypes: ["image~1png"]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: pkg.module.handle
      Runtime: python3.11
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: GET}}
"""
    template = parse_template(text, path=tmp_path / "template.yaml")

    (event,) = template.functions["Fn"].api_events
    assert event.api_id == IMPLICIT_API_ID
    assert event.method == "get"
    assert template.api(event.api_id).binary_media_types == ("image/png",)
    assert template.functions["Fn"].module_file == tmp_path / "fn" / "pkg" / "module.py"


def test_invalid_template_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError):
        parse_template("Resources: [unbalanced", path=tmp_path / "template.yaml")


@pytest.mark.parametrize(
    ("expression", "interval"),
    [
        ("rate(1 minute)", Interval(60)),
        ("rate(5 minutes)", Interval(300)),
        ("rate(2 hours)", Interval(7200)),
        ("rate(1 day)", Interval(86400)),
        ("cron(* * * * ? *)", Interval(60, 0)),
        ("cron(*/5 * * * ? *)", Interval(300, 0)),
        ("cron(0/15 * * * ? *)", Interval(900, 0)),
        ("cron(7 * * * ? *)", Interval(3600, 420)),
        ("cron(30 */6 * * ? *)", Interval(21600, 1800)),
        ("cron(15 3 * * ? *)", Interval(86400, 3 * 3600 + 15 * 60)),
    ],
)
def test_schedules_become_intervals(expression, interval):
    assert parse_schedule(expression) == interval


@pytest.mark.parametrize("expression", ["cron(0,30 * * * ? *)", "cron(0 12 ? * MON-FRI *)", "at(2030-01-01T00:00:00)"])
def test_schedules_that_cannot_be_emulated_fire_hourly_with_a_warning(expression, caplog):
    with caplog.at_level(logging.WARNING):
        assert parse_schedule(expression) == Interval(FALLBACK_INTERVAL_SECONDS)

    assert expression in caplog.text


def lookup(name, attribute):
    values = {
        ("Table", None): "local-Table",
        ("Queue", None): "https://sqs/Queue",
        ("Queue", "Arn"): "arn:aws:sqs:us-east-1:1:Queue",
        ("AWS::Region", None): "us-east-1",
    }
    try:
        return values[(name, attribute)]
    except KeyError:
        raise KeyError(f"{name}.{attribute}") from None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Table"}, "local-Table"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:us-east-1:1:Queue"),
        ({"Fn::GetAtt": "Queue.Arn"}, "arn:aws:sqs:us-east-1:1:Queue"),
        ({"Fn::Sub": "${Table}@${AWS::Region}/${Queue.Arn}"}, "local-Table@us-east-1/arn:aws:sqs:us-east-1:1:Queue"),
        ({"Fn::Sub": ["${x}-${Table}", {"x": {"Ref": "Queue"}}]}, "https://sqs/Queue-local-Table"),
        ({"Fn::Sub": "${!Literal}"}, "${Literal}"),
        ({"Fn::Join": [":", ["a", {"Ref": "Table"}]]}, "a:local-Table"),
        (
            {"deadLetterTargetArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "n": 2},
            {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:Queue", "n": 2},
        ),
        ("plain", "plain"),
    ],
)
def test_intrinsics_resolve_through_the_lookup(value, expected):
    assert resolve_intrinsic(value, lookup, where="X") == expected


def test_unknown_reference_names_the_culprit():
    with pytest.raises(TemplateError, match=r"Fn\.Environment\.Variables\.A: cannot resolve .*Nope"):
        resolve_intrinsic({"Ref": "Nope"}, lookup, where="Fn.Environment.Variables.A")


def test_unsupported_intrinsic_is_a_template_error():
    with pytest.raises(TemplateError, match="Fn::If"):
        resolve_intrinsic({"Fn::If": ["c", "a", "b"]}, lookup, where="X")
