"""Run the real Node.js agents (installed into .npm-agents/ by `make agents`) against the local server.

Nothing here is skipped: a machine without node or without the installed agents fails the tests, saying why.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call

AGENTS = REPO / ".npm-agents"
MODULES = AGENTS / "node_modules"
SCRIPTS = REPO / "tests" / "e2e" / "agents"
FLUSH_MS = 500  # statsd's flushInterval: short, so that a test waits well under a second for its stats
EMAIL = "agent@example.com"  # the agents send Basic email:token; the server reads the token

T = TypeVar("T")


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node (Node.js >= 18) is required for the agent e2e tests; install it, then `make agents`")
    if not (AGENTS / ".installed").is_file():
        pytest.fail(f"the agents are not installed in {AGENTS}: run `make agents` (make test does)")
    return found


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 15.0) -> T:
    """The first truthy answer of ``probe``, polled until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def series(server: LocalRuntime, name: str, since: int, **query: str) -> list[dict[str, Any]]:
    """Every series of ``name`` since ``since``, one point per second (``summary_function=all`` by default)."""
    params = {"start_time": str(since), "resolution": "1", "summary_function": "all", **query}
    got = call(
        f"{server.url}/v1/measurements/{name}?" + "&".join(f"{k}={v}" for k, v in params.items()),
        token=server.admin_token,
    )
    if got.status == 404:
        return []
    assert got.status == 200, got.body
    found: list[dict[str, Any]] = got.json["series"]
    return found


@dataclass
class Statsd:
    """A running statsd daemon with the Librato backend; ``send`` writes one UDP datagram (one flush)."""

    port: int
    log: Path

    def send(self, *lines: str) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto("\n".join(lines).encode(), ("127.0.0.1", self.port))

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def statsd(server: LocalRuntime, work: Path, **librato: Any) -> Iterator[Statsd]:
    """statsd 0.9.0 + statsd-librato-backend 2.0.16, configured as the README says, flushing every FLUSH_MS."""
    port, mgmt = _free_port(socket.SOCK_DGRAM), _free_port(socket.SOCK_STREAM)
    config = {
        "port": port,
        "address": "127.0.0.1",
        "mgmt_port": mgmt,
        "mgmt_address": "127.0.0.1",
        "flushInterval": FLUSH_MS,
        "deleteIdleStats": True,
        "keyNameSanitize": False,
        "percentThreshold": [50, 90],
        "backends": ["statsd-librato-backend"],
        "debug": True,  # the backend then logs each payload and each answer; the tests read them
        "librato": {"api": server.url, "email": EMAIL, "token": server.admin_token, **librato},
    }
    path = work / "statsd-config.js"
    path.write_text(json.dumps(config, indent=2))
    log = work / "statsd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node(), str(MODULES / "statsd" / "stats.js"), str(path)], stdout=out, stderr=subprocess.STDOUT
        )
    daemon = Statsd(port, log)
    try:
        eventually(lambda: _healthy(mgmt) or _exited(process, daemon), "statsd to start")
        yield daemon
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(mgmt: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", mgmt), timeout=1) as s:
            s.sendall(b"health\n")
            return b"health: up" in s.recv(100)
    except OSError:
        return False


def _exited(process: "subprocess.Popen[bytes]", daemon: Statsd) -> bool:
    if process.poll() is not None:
        pytest.fail(f"statsd exited with {process.returncode}:\n{daemon.output()}")
    return False


def run_script(script: str, *args: str) -> str:
    """Run a driver script of tests/e2e/agents with the installed modules on NODE_PATH; its stdout."""
    env = {**os.environ, "NODE_PATH": str(MODULES)}
    done = subprocess.run(
        [node(), str(SCRIPTS / script), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout
