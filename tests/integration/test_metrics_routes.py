"""Metrics routes: list, get, create/update, delete (by name, list, pattern), form and JSON bodies."""

import time

import pytest

from tests.integration.api import Api


def post(api: Api, *names: str) -> None:
    reply = api.post(
        "/v1/measurements",
        json_body={
            "tags": {"host": "a"},
            "measurements": [{"name": n, "value": 1, "time": int(time.time()) - 60} for n in names],
        },
    )
    assert reply.status == 202, reply.text


def test_put_creates_metric_with_201_location_and_body(api: Api) -> None:
    reply = api.put(
        "/v1/metrics/queue_len", form="type=gauge&description=Length+of+app+queue&display_name=num.+elements"
    )
    assert reply.status == 201
    assert reply.headers["location"] == "/v1/metrics/queue_len"
    assert reply.json == {
        "name": "queue_len",
        "display_name": "num. elements",
        "type": "gauge",
        "description": "Length of app queue",
        "period": None,
        "source_lag": None,
        "attributes": {"created_by_ua": "integration-test/1.0"},
    }


def test_put_updates_existing_metric_with_204(api: Api) -> None:
    api.put("/v1/metrics/temp", json_body={"type": "gauge", "period": 60, "attributes": {"display_max": 100}})
    reply = api.put("/v1/metrics/temp", form="display_name=Temperature+in+Celsius&attributes[display_min]=0")
    assert (reply.status, reply.text) == (204, "")
    metric = api.get("/v1/metrics/temp").json
    assert metric["display_name"] == "Temperature in Celsius"
    assert metric["period"] == 60
    assert metric["attributes"] == {"display_max": 100, "display_min": 0, "created_by_ua": "integration-test/1.0"}


def test_put_takes_attributes_at_the_top_level_as_the_bulk_put_does(api: Api) -> None:
    """``display_min=0`` beside the properties (the seed's form examples) is applied, not silently dropped."""
    reply = api.put("/v1/metrics/lat", form="display_min=0&display_units_short=ms&attributes[color]=%23112233")
    assert reply.status == 201
    assert api.put("/v1/metrics/lat", form="display_min=5&display_name=Latency").status == 204
    metric = api.get("/v1/metrics/lat").json
    assert metric["display_name"] == "Latency"
    assert {k: metric["attributes"][k] for k in ("display_min", "display_units_short", "color")} == {
        "display_min": 5,
        "display_units_short": "ms",
        "color": "#112233",
    }
    assert "attributes.display_min" in api.put("/v1/metrics/lat", form="display_min=low").json["errors"]["params"]


def test_the_seeds_python_examples_set_properties_inside_attributes(api: Api) -> None:
    """``attrs = metric.attributes; attrs['display_name'] = ...; update_metric(name, attributes=attrs)``."""
    post(api, "temp")
    attrs = api.get("/v1/metrics/temp").json["attributes"]
    attrs.update(display_name="Temperature in Celsius", period="60", display_min="0")
    assert api.put("/v1/metrics/temp", json_body={"attributes": attrs}).status == 204
    metric = api.get("/v1/metrics/temp").json
    assert (metric["display_name"], metric["period"], metric["attributes"]["display_min"]) == (
        "Temperature in Celsius",
        60,
        0,
    )
    assert "display_name" not in metric["attributes"] and "period" not in metric["attributes"]
    bulk = {"names": ["temp"], "attributes": {"period": "300", "display_min": "1"}}
    assert api.put("/v1/metrics", json_body=bulk).status == 204
    assert api.get("/v1/metrics/temp").json["period"] == 300


def test_put_accepts_client_style_kwargs_only_update(api: Api) -> None:
    post(api, "cpu")
    assert api.put("/v1/metrics/cpu", json_body={"attributes": {"aggregate": "true", "color": "#52D74C"}}).status == 204
    assert api.get("/v1/metrics/cpu").json["attributes"] == {
        "aggregate": True,
        "color": "#52D74C",
        "created_by_ua": "integration-test/1.0",
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"type": "counter"}, "type"),
        ({"period": "soon"}, "period"),
        ({"period": 0}, "period"),
        ({"attributes": {"color": "#12345"}}, "attributes.color"),
        ({"attributes": {"display_min": "low"}}, "attributes.display_min"),
        ({"attributes": {"display_stacked": "maybe"}}, "attributes.display_stacked"),
        ({"attributes": {"summarize_function": "median"}}, "attributes.summarize_function"),
        ({"attributes": {"shiny": True}}, "attributes"),
        ({"attributes": "nope"}, "attributes"),
        ({"type": "composite"}, "composite"),
        ({"composite": "s('a','*')"}, "composite"),
    ],
)
def test_put_rejects_invalid_properties(api: Api, body: dict, param: str) -> None:
    reply = api.put("/v1/metrics/m", json_body=body)
    assert reply.status == 400, reply.text
    assert param in reply.json["errors"]["params"]
    assert api.get("/v1/metrics/m").status == 404


def test_put_rejects_bad_names_and_type_changes(api: Api) -> None:
    assert api.put("/v1/metrics/" + "x" * 256, json_body={}).status == 400
    api.put("/v1/metrics/g", json_body={"type": "gauge"})
    reply = api.put("/v1/metrics/g", json_body={"type": "composite", "composite": "s('a','*')"})
    assert reply.status == 400
    assert "type" in reply.json["errors"]["params"]


def test_put_with_invalid_json_is_400(api: Api) -> None:
    reply = api.put("/v1/metrics/m", body="{nope", content_type="application/json")
    assert reply.status == 400
    assert reply.json == {"errors": {"request": ["The request body is not valid JSON."]}}


def test_composite_metric_is_stored_and_listed_with_its_definition(api: Api) -> None:
    expr = 's("cpu.percent.user", {"environment" : "prod", "service": "api"})'
    reply = api.put("/v1/metrics/cpu.percent.used", json_body={"type": "composite", "composite": expr})
    assert reply.status == 201
    assert reply.json["composite"] == expr
    listed = api.get("/v1/metrics").json["metrics"][0]
    assert {k: listed[k] for k in ("name", "type", "period", "attributes", "composite")} == {
        "name": "cpu.percent.used",
        "type": "composite",
        "period": None,
        "attributes": {"created_by_ua": "integration-test/1.0"},
        "composite": expr,
    }


def test_get_metric_is_case_insensitive_and_404_when_missing(api: Api) -> None:
    post(api, "App.Requests")
    assert api.get("/v1/metrics/app.requests").json["name"] == "App.Requests"
    reply = api.get("/v1/metrics/missing")
    assert reply.status == 404
    assert reply.json == {"errors": {"request": ["Metric missing not found"]}}


def test_list_filters_by_substring_and_pattern_and_pages(api: Api) -> None:
    post(api, "app_requests", "cpu_temp", "db.time", "web.time", "web.requests")
    everything = api.get("/v1/metrics").json
    assert everything["query"] == {"found": 5, "length": 5, "offset": 0, "total": 5}
    assert [m["name"] for m in everything["metrics"]] == [
        "app_requests",
        "cpu_temp",
        "db.time",
        "web.requests",
        "web.time",
    ]
    found = api.get("/v1/metrics", query={"name": "request"}).json
    assert found["query"] == {"found": 2, "length": 2, "offset": 0, "total": 5}
    assert [m["name"] for m in api.get("/v1/metrics", query={"name": "*.time"}).json["metrics"]] == [
        "db.time",
        "web.time",
    ]
    page = api.get("/v1/metrics", query={"offset": 1, "length": 2, "sort": "desc"}).json
    assert page["query"] == {"found": 5, "length": 2, "offset": 1, "total": 5}
    assert [m["name"] for m in page["metrics"]] == ["web.requests", "db.time"]
    assert api.get("/v1/metrics", query={"offset": 10}).json["query"]["length"] == 0


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"length": 101}, "length"),
        ({"length": 0}, "length"),
        ({"offset": -1}, "offset"),
        ({"orderby": "period"}, "orderby"),
        ({"sort": "up"}, "sort"),
    ],
)
def test_list_rejects_bad_paging(api: Api, query: dict, param: str) -> None:
    reply = api.get("/v1/metrics", query=query)
    assert reply.status == 400
    assert param in reply.json["errors"]["params"]


def test_every_metric_object_has_name_type_period_attributes(api: Api) -> None:
    post(api, "a")
    metric = api.get("/v1/metrics/a").json
    assert {"name", "type", "period", "attributes"} <= metric.keys()
    assert metric["type"] == "gauge"


def test_delete_by_name_removes_metric_and_all_its_data(api: Api) -> None:
    post(api, "gone", "kept")
    assert api.delete("/v1/metrics/gone").status == 204
    assert api.get("/v1/metrics/gone").status == 404
    assert api.get("/v1/metrics/kept").status == 200
    assert api.delete("/v1/metrics/gone").status == 404
    # recreated from scratch: the old samples do not come back
    api.post("/v1/measurements", json_body={"tags": {"host": "b"}, "measurements": [{"name": "gone", "value": 9}]})
    series = api.get("/v1/measurements/gone", query={"duration": 3600, "resolution": 1}).json["series"]
    assert [(s["tags"], [m["value"] for m in s["measurements"]]) for s in series] == [({"host": "b"}, [9.0])]


@pytest.mark.parametrize(
    "request_kw",
    [
        {"json_body": {"names": ["cpu", "servers", "reqs"]}},
        {"form": "names%5B%5D=cpu&names%5B%5D=servers&names%5B%5D=reqs"},
    ],
)
def test_bulk_delete_by_names(api: Api, request_kw: dict) -> None:
    post(api, "cpu", "servers", "reqs", "other")
    assert api.delete("/v1/metrics", **request_kw).status == 204
    assert [m["name"] for m in api.get("/v1/metrics").json["metrics"]] == ["other"]


def test_bulk_delete_by_pattern(api: Api) -> None:
    post(api, "cpu1.90", "cpu2.90", "cpu2.50")
    assert api.delete("/v1/metrics", form="names=cpu*.90").status == 204
    assert [m["name"] for m in api.get("/v1/metrics").json["metrics"]] == ["cpu2.50"]


@pytest.mark.parametrize("body", [{}, {"names": []}, {"names": [1]}, {"names": ""}])
def test_bulk_delete_needs_names(api: Api, body: dict) -> None:
    reply = api.delete("/v1/metrics", json_body=body)
    assert reply.status == 400
    assert "names" in reply.json["errors"]["params"]


def test_a_percent_encoded_name_in_the_path_names_the_same_metric(api: Api) -> None:
    """API Gateway passes the path as the client encoded it: ``app%3Areq`` (encodeURIComponent) is ``app:req``."""
    post(api, "app:req")
    assert api.get("/v1/metrics/app%3Areq").json["name"] == "app:req"
    reply = api.get("/v1/measurements/app%3Areq", query={"duration": 600, "resolution": 60})
    assert reply.status == 200, reply.text
    assert reply.json["name"] == "app:req"
    assert api.put("/v1/metrics/app%3Areq", form="description=requests").status == 204
    assert api.get("/v1/metrics/app:req").json["description"] == "requests"
    assert api.get("/v1/metrics/no%20such").status == 404
