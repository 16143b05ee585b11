"""`make serve` prints one line per request: the access line carries what the handler logged below WARNING."""

import io
import json
import logging
import re

from aws_lambda_powertools import Logger

from polymetric_local.logs import begin_request, redacted, request_notes, use_local_format


def _logger(service: str, json_logs: bool) -> tuple[Logger, io.StringIO]:
    out = io.StringIO()
    logger = Logger(service=service, level="INFO", logger_handler=logging.StreamHandler(out))
    use_local_format(json_logs=json_logs, logger=logger)
    return logger, out


def test_a_request_s_info_records_join_its_access_line() -> None:
    logger, out = _logger("logs-one-line", json_logs=False)
    begin_request()
    logger.info("measurements stored", extra={"accepted": 2, "tags": {"a": "b"}})
    logger.warning("slow")
    assert request_notes() == ' | measurements stored accepted=2 tags={"a":"b"}'
    assert request_notes() == ""
    (line,) = out.getvalue().splitlines()
    assert line.endswith(" WARNING : slow")


def test_outside_a_request_each_record_is_one_line() -> None:
    logger, out = _logger("logs-worker", json_logs=False)
    logger.info("compacted", extra={"hours": 3})
    assert out.getvalue().splitlines()[0].endswith(" INFO : compacted hours=3")


def test_json_logs_are_one_object_per_line_as_on_lambda() -> None:
    logger, out = _logger("logs-json", json_logs=True)
    begin_request()
    logger.info("measurements stored", extra={"accepted": 2})
    assert request_notes() == ""
    (line,) = out.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "measurements stored" and record["accepted"] == 2 and record["service"] == "logs-json"


def test_the_access_line_masks_api_tokens_in_paths_and_query_strings() -> None:
    assert redacted("/ingest/tok123") == "/ingest/****"
    assert redacted("/ingest/events/ruby/tok123?x=1") == "/ingest/events/ruby/****?x=1"
    assert redacted("/check/tok123/disk/web-1/60") == "/check/****/disk/web-1/60"
    assert (
        redacted("/flux/metric_data?metric=a.b&value=1&key=tok123") == "/flux/metric_data?metric=a.b&value=1&key=****"
    )
    assert (
        redacted("/oddeye-barlus/put/tsdb?UUID=tok123&data=%5B%5D") == "/oddeye-barlus/put/tsdb?UUID=****&data=%5B%5D"
    )
    assert (
        redacted("/v1/measurements/cpu?tags[host]=web-1&duration=60")
        == "/v1/measurements/cpu?tags[host]=web-1&duration=60"
    )
    assert redacted("/v1/metrics?name=monkey") == "/v1/metrics?name=monkey"


def test_tokens_are_masked_after_a_stage_in_an_api_tokens_path_and_under_encoded_names() -> None:
    assert redacted("/Prod/ingest/tok123") == "/Prod/ingest/****"
    assert redacted("/Prod/check/tok123/disk/web-1/60") == "/Prod/check/****/disk/web-1/60"
    assert redacted("/v1/api_tokens/0f3a9c") == "/v1/api_tokens/****"
    assert redacted("/v1/api_tokens/42") == "/v1/api_tokens/42"  # an id
    assert redacted("/v1/api_tokens?name=collector") == "/v1/api_tokens?name=collector"
    assert redacted("/flux/metric_data?%6Bey=tok123&metric=a") == "/flux/metric_data?%6Bey=****&metric=a"
    assert redacted("/oddeye-barlus/put/tsdb?%55UID=tok123") == "/oddeye-barlus/put/tsdb?%55UID=****"


def test_every_template_route_with_a_token_in_its_path_is_masked() -> None:
    """The patterns above name CloudWisdom's routes; a route added to template.yaml must be masked too."""
    from pathlib import Path

    from polymetric_local.template import load_template

    template = load_template(Path(__file__).resolve().parents[3] / "template.yaml")
    paths = {e.path for f in template.functions.values() for e in f.api_events if "{apiId}" in e.path}
    assert len(paths) >= 7
    for path in paths:
        concrete = re.sub(r"{\w+}", "x", path.replace("{apiId}", "tok123"))
        for target in (concrete, "/Prod" + concrete):
            assert "tok123" not in redacted(target), target
