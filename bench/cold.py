"""Cold import of every function in template.yaml against a bare ``import boto3``, each in a fresh interpreter.

A Lambda cold start imports the handler module once; what it imports beyond boto3 (which every function
needs) is what we control. Each import runs in its own subprocess with the environment Lambda gives the
function (template Globals and the function's own variables, ``LAMBDA_TASK_ROOT`` set, so Powertools' tracer
is enabled and patches as it does on AWS). Rounds interleave boto3 and the functions, best of ROUNDS each.
"""

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from polymetric_local.template import Function, load_template

REPO = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_COLD_ROUNDS", "5"))
# Stands in for every intrinsic (!Ref, !GetAtt): only the names' presence matters at import.
PLACEHOLDER = "bench-placeholder"
_TIMER = "import time; t = time.process_time(); import {module}; print(time.process_time() - t)"


def handler_module(function: Function) -> str:
    """``functions/measurements/`` + ``app.lambda_handler`` -> ``functions.measurements.app``."""
    package = function.code_uri.relative_to(REPO).as_posix().strip("/").replace("/", ".")
    return f"{package}.{function.handler.rpartition('.')[0]}"


def lambda_environment(function: Function | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    # Compiled once in the first round, then read: every round after compares cached bytecode to cached bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPATH="layers/polymetric/python:.",
        LAMBDA_TASK_ROOT=str(REPO),
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME=function.logical_id if function else "boto3",
        AWS_LAMBDA_RUNTIME_API="127.0.0.1:9001",  # the runtime's endpoint: polymetric.coldstart acts on it
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1024",
    )
    if function is not None:
        env.update({k: v if isinstance(v, str) else PLACEHOLDER for k, v in function.environment.items()})
    return env


def import_seconds(module: str, env: Mapping[str, str]) -> float | None:
    """CPU seconds of ``import module`` in a fresh interpreter; None (and its error printed) if it fails."""
    out = subprocess.run(
        [sys.executable, "-c", _TIMER.format(module=module)], cwd=REPO, env=dict(env), capture_output=True, text=True
    )
    if out.returncode != 0:
        print(f"import {module} failed:\n{out.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return float(out.stdout.strip().splitlines()[-1])


Rows = list[tuple[str, str, str]]


def run(_median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], Rows]:
    functions = sorted(load_template(REPO / "template.yaml").functions.values(), key=lambda f: f.logical_id)
    targets = [("boto3", "boto3", lambda_environment(None))]
    targets += [(f.logical_id, handler_module(f), lambda_environment(f)) for f in functions]
    best: dict[str, float] = {}
    failed: set[str] = set()
    for _ in range(ROUNDS):
        for name, module, env in targets:
            if name in failed:
                continue
            seconds = import_seconds(module, env)
            if seconds is None:
                failed.add(name)
                continue
            best[name] = min(best.get(name, seconds), seconds)
    boto3_ms = best.pop("boto3") * 1000
    results: dict[str, Any] = {"cold_import_ms_boto3": round(boto3_ms, 1)}
    rows: Rows = []
    for name, seconds in best.items():
        ms = seconds * 1000
        results[f"cold_import_ms_{name}"] = round(ms, 1)
        rows.append((f"cold import ms, {name}", f"{ms:.0f}", f"{boto3_ms:.0f} import boto3 ({ms / boto3_ms:.2f}×)"))
    for name in sorted(failed):
        results[f"cold_import_ms_{name}"] = None
        rows.append((f"cold import ms, {name}", "FAILED", "the handler does not import"))
    worst = max(best, key=best.__getitem__)
    results["cold_import_ratio_worst"] = round(best[worst] * 1000 / boto3_ms, 2)
    rows.append(("cold import ÷ import boto3, worst", f"{results['cold_import_ratio_worst']:.2f}", f"{worst}"))
    return results, rows
