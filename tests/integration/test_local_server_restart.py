"""`make serve` keeps its data across a clean restart (real template, real handlers, HTTP)."""

import json

from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call


def test_data_survives_a_restart(tmp_path) -> None:
    first = LocalRuntime(REPO, port=0, data_dir=tmp_path, admin_token="restart-token", schedules_enabled=False).start()
    try:
        call(
            f"{first.url}/v1/measurements",
            "POST",
            token="restart-token",
            content_type="application/json",
            body=json.dumps({"measurements": [{"name": "kept", "value": 3, "tags": {"h": "a"}}]}).encode(),
        )
    finally:
        first.stop()
    second = LocalRuntime(REPO, port=0, data_dir=tmp_path, admin_token="restart-token", schedules_enabled=False)
    second.start()
    try:
        got = call(f"{second.url}/v1/measurements/kept?duration=600&resolution=1", token="restart-token")
        assert got.json["series"][0]["measurements"][0]["value"] == 3.0
    finally:
        second.stop()
