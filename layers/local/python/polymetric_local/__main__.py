"""`python -m polymetric_local serve`: the whole API on 127.0.0.1 over in-process moto (what `make serve` runs)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from polymetric_local.logs import JSON_LOGS_ENV, use_local_format
from polymetric_local.organizations import DataInUseError, create_organization, holding, serving_pid
from polymetric_local.server import LocalRuntime

# layers/local/python/polymetric_local/__main__.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_PORT = 3000
logger = logging.getLogger("polymetric_local.cli")
# The server holds every stored item as moto's Python objects, millions with a large data set, and CPython's
# default thresholds make the cyclic collector walk all of them again and again: under `make load` a POST
# waited up to ~0.6 s for a full collection (p99 626 ms; ~250 ms tuned). The data restored at start is frozen
# out of the collector's view, and collections are made rarer; reference counting still frees everything
# that is not in a cycle, as before.
GC_THRESHOLDS = (50_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging()
    if args.command == "org":
        return _org_create(args)
    if args.command == "openapi":
        return _openapi(args)
    try:
        port = args.port if args.port is not None else int(os.environ.get("PORT", DEFAULT_PORT))
    except ValueError:
        print(f"PORT must be a number, got {os.environ['PORT']!r}", file=sys.stderr)  # noqa: T201
        return 2
    repo: Path = args.repo.resolve()
    data_dir: Path = (args.data_dir or repo / ".polymetric-data").resolve()
    held = serving_pid(data_dir)
    if held is not None:
        print(f"another `serve` (pid {held}) is using {data_dir}", file=sys.stderr)  # noqa: T201
        return 1
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
    token = os.environ.get("POLYMETRIC_ADMIN_TOKEN") or secrets.token_hex(32)
    schedules = None if args.schedules is None else args.schedules == "on"
    runtime = LocalRuntime(
        repo, port=port, host=args.host, data_dir=data_dir, admin_token=token, schedules_enabled=schedules
    )
    with holding(data_dir):
        return _serve(args, runtime, data_dir)


def tune_collector() -> None:
    """Rarer collections (restoring millions of items made many full ones too); then freeze what exists."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


def _serve(args: argparse.Namespace, runtime: LocalRuntime, data_dir: Path) -> int:
    gc.set_threshold(*GC_THRESHOLDS)  # during the restore too
    try:
        runtime.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{runtime.port}: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    tune_collector()  # after start: the restored tables are frozen
    stop, kick = threading.Event(), threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    def request_schedules(_signum: int, _frame: FrameType | None) -> None:
        kick.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGUSR1, request_schedules)
    use_local_format(json_logs=args.json_logs or os.environ.get(JSON_LOGS_ENV, "").lower() in ("1", "true", "yes"))
    _announce(runtime, data_dir)
    try:
        if args.run_schedules:
            kick.set()
        while not stop.wait(0.5):
            if kick.is_set():
                kick.clear()
                _run_schedules(runtime, stop)
    finally:
        runtime.stop()
    return 0


def _org_create(args: argparse.Namespace) -> int:
    repo: Path = args.repo.resolve()
    data_dir: Path = (args.data_dir or repo / ".polymetric-data").resolve()
    try:
        created = create_organization(repo, data_dir, args.name)
    except DataInUseError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 1
    lines = (
        f"Organization {created.name!r} created (id {created.tenant}) in {data_dir}",
        f"Admin token: {created.admin_token}",
        "It is shown this once: keep it. Make more tokens with POST /v1/api_tokens.",
    )
    print("\n".join(lines), flush=True)  # noqa: T201
    return 0


def _configure_logging() -> None:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    logging.root.handlers[0].setFormatter(formatter)
    for noisy in ("botocore", "boto3", "urllib3", "moto", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Said once per handler module, and expected locally.
    warnings.filterwarnings("ignore", message="POWERTOOLS_DEV environment variable is enabled", category=UserWarning)
    warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
    # A handler of our own: Powertools' Logger(service="polymetric") filters the root handlers for every
    # logger whose name contains "polymetric", which would silence the access log.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    local = logging.getLogger("polymetric_local")
    local.addHandler(handler)
    local.setLevel(logging.INFO)
    local.propagate = False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m polymetric_local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API until SIGINT/SIGTERM; tables are journaled to disk")
    serve.add_argument("--port", type=int, help=f"port to listen on (default: env PORT, else {DEFAULT_PORT})")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--data-dir", type=Path, help="where tables are saved (default: <repo>/.polymetric-data)")
    serve.add_argument("--reset", action="store_true", help="delete the data directory first")
    serve.add_argument("--repo", type=Path, default=REPO_ROOT, help="repository holding template.yaml")
    serve.add_argument(
        "--schedules",
        choices=("on", "off"),
        help="fire Schedule events on their timers (default: env POLYMETRIC_SCHEDULES, else on)",
    )
    serve.add_argument(
        "--json-logs",
        action="store_true",
        help=f"print the handlers' logs as Lambda does, one JSON object per line (also env {JSON_LOGS_ENV}=1)",
    )
    serve.add_argument(
        "--run-schedules",
        action="store_true",
        help="fire every schedule once at start and drain the queues (also on SIGUSR1 at any time)",
    )
    org = commands.add_parser("org", help="manage the organizations of the local data")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    create = org_commands.add_parser("create", help="make an organization and print its first admin token")
    create.add_argument("name", help="the organization's name")
    create.add_argument("--data-dir", type=Path, help="where tables are saved (default: <repo>/.polymetric-data)")
    create.add_argument("--repo", type=Path, default=REPO_ROOT, help="repository holding template.yaml")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document of template.yaml's routes")
    openapi.add_argument("--out", type=Path, help="file to write (default: stdout)")
    openapi.add_argument("--repo", type=Path, default=REPO_ROOT, help="repository holding template.yaml")
    return parser


def _openapi(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(args.repo.resolve() / "layers" / "polymetric" / "python"))
    from polymetric_local.openapi import build

    text = json.dumps(build(args.repo.resolve() / "template.yaml"), indent=1, sort_keys=True) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


def _announce(runtime: LocalRuntime, data_dir: Path) -> None:
    lines = (
        f"Polymetric listening on {runtime.url}",
        f"Admin token: {runtime.admin_token}",
        f"Try: curl -u {runtime.admin_token}: {runtime.url}/v1/metrics",
        f"Data: {data_dir} (every acknowledged write is journaled; `kill -USR1 {os.getpid()}` fires the schedules now)",
    )
    print("\n".join(lines), flush=True)  # noqa: T201


def _run_schedules(runtime: LocalRuntime, stop: threading.Event) -> None:
    """Fire every schedule and wait for what they queued, unless the server is told to stop meanwhile (a
    failing webhook keeps the notifier's queue busy for a minute of retries)."""
    fired = runtime.run_schedules_now()
    try:
        delivered = runtime.drain_queues(timeout=60.0, cancel=stop)
    except TimeoutError as exc:
        logger.warning("ran %d schedules; %s", fired, exc)
        return
    logger.info("ran %d schedules; delivered %d queued records", fired, delivered)


if __name__ == "__main__":
    sys.exit(main())
