"""`python -m polymetric_local org create NAME`: a new organization in the local data, usable by `make serve`."""

import os
from pathlib import Path

import pytest

from polymetric_local.__main__ import _parser
from polymetric_local.organizations import PID_FILE, DataInUseError, create_organization, holding, serving_pid
from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call


def test_org_create_makes_an_organization_the_server_then_serves(tmp_path: Path) -> None:
    created = create_organization(REPO, tmp_path, "Acme Inc")
    assert len(created.admin_token) == 64
    runtime = LocalRuntime(REPO, port=0, data_dir=tmp_path, admin_token="local-admin", schedules_enabled=False)
    runtime.start()
    try:
        org = call(f"{runtime.url}/v1/organization", token=created.admin_token)
        assert org.status == 200 and org.json["name"] == "Acme Inc"
        tokens = call(f"{runtime.url}/v1/api_tokens", token=created.admin_token).json["api_tokens"]
        assert [(t["name"], t["role"]) for t in tokens] == [("first admin", "admin")]
        assert call(f"{runtime.url}/v1/organization", token="local-admin").json["name"] == "Local organization"
    finally:
        runtime.stop()


def test_org_create_refuses_data_a_running_server_holds(tmp_path: Path) -> None:
    (tmp_path / PID_FILE).write_text(str(os.getppid()))  # a live process that is not this one
    assert serving_pid(tmp_path) == os.getppid()
    with pytest.raises(DataInUseError, match="stop it first"):
        create_organization(REPO, tmp_path, "x")


def test_a_stale_pid_file_does_not_block(tmp_path: Path) -> None:
    (tmp_path / PID_FILE).write_text("999999999")
    assert serving_pid(tmp_path) is None
    with holding(tmp_path):
        assert (tmp_path / PID_FILE).read_text() == str(os.getpid())
    assert not (tmp_path / PID_FILE).exists()


def test_the_command_line() -> None:
    args = _parser().parse_args(["org", "create", "Acme Inc", "--data-dir", "/tmp/x"])
    assert (args.command, args.org_command, args.name, args.data_dir) == ("org", "create", "Acme Inc", Path("/tmp/x"))


def test_the_server_keeps_its_restored_data_out_of_the_cyclic_collector() -> None:
    """Full collections walking every stored item made POSTs wait ~0.6 s under `make load`."""
    import gc

    from polymetric_local.__main__ import GC_THRESHOLDS, tune_collector

    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] >= 10 * before[0]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
