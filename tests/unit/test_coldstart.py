"""Cold starts: every handler module loads with the cycle collector paused (polymetric.coldstart)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from polymetric_local.template import Function, load_template

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(load_template(REPO / "template.yaml").functions.values(), key=lambda f: f.logical_id)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.logical_id)
def test_handler_module_pauses_the_collector_from_its_first_import_to_its_last_statement(function: Function) -> None:
    body = ast.parse(function.module_file.read_text()).body
    imports = [node for node in body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert ast.unparse(imports[0]) == "import polymetric.coldstart"
    assert ast.unparse(body[-1]) == "polymetric.coldstart.ready()"


def _collector_passes_while_loading(handler: str, *, stub_coldstart: bool) -> list[str]:
    script = (
        "import gc, sys, types\n"
        + (
            "sys.modules['polymetric.coldstart'] = types.SimpleNamespace(ready=lambda: None)\n"
            "import polymetric; polymetric.coldstart = sys.modules['polymetric.coldstart']\n"
            if stub_coldstart
            else ""
        )
        + "passes = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and passes.append(info['generation']))\n"
        f"import {handler}\n"
        "print(len(passes), gc.isenabled(), gc.get_freeze_count() > 10000)\n"
        "import functions.oddeye.app\n"  # a second handler in the same process: the collector stays on
        "print(gc.isenabled())\n"
    )
    env = {
        "PYTHONPATH": "layers/polymetric/python:.",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",  # a Lambda execution environment
    }
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_handler_loads_without_collector_passes_then_the_collector_runs() -> None:
    passes, enabled, frozen, enabled_after_another = _collector_passes_while_loading(
        "functions.measurements.app", stub_coldstart=False
    )
    # At most the one a package __init__ above the handler (functions, functions.measurements) may start.
    assert int(passes) <= 1
    assert (enabled, frozen, enabled_after_another) == ("True", "True", "True")
    # The same import without the pause: the passes this saves.
    assert int(_collector_passes_while_loading("functions.measurements.app", stub_coldstart=True)[0]) >= 20


def _collector_after(script: str, *, on_lambda: bool) -> list[str]:
    env = {"PYTHONPATH": "layers/polymetric/python"}
    if on_lambda:
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_ready_resumes_the_collector_once() -> None:
    script = (
        "import gc\n"
        "import polymetric.coldstart as c\n"
        "paused = gc.isenabled()\n"
        "c.ready(); gc.disable(); c.ready()\n"  # a later call leaves the collector as the process set it
        "print(paused, gc.isenabled())\n"
    )
    assert _collector_after(script, on_lambda=True) == ["False", "False"]


def test_outside_lambda_nothing_is_paused_or_frozen() -> None:
    """Tests and ``make serve`` load many handlers in one process and outlive one that fails to import."""
    script = (
        "import gc\nimport polymetric.coldstart as c\nprint(gc.isenabled())\nc.ready(); print(gc.get_freeze_count())\n"
    )
    assert _collector_after(script, on_lambda=False) == ["True", "0"]
