"""`python -m polymetric_local org create NAME`: a new organization and its first admin token in the local data.

The local server keeps its tables in memory and writes them back when it stops, so a change made to the
saved tables while it runs would be lost: `serve` marks the data directory as in use, and this refuses
to touch it then.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polymetric_local.server import LocalRuntime

PID_FILE = "serve.pid"


class DataInUseError(RuntimeError):
    """A running `serve` holds the data directory."""


@dataclass(frozen=True)
class CreatedOrganization:
    tenant: str
    name: str
    admin_token: str


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serving_pid(data_dir: Path) -> int | None:
    """The pid of the `serve` that holds ``data_dir``, if one is running."""
    try:
        pid = int((data_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() and _alive(pid) else None


@contextlib.contextmanager
def holding(data_dir: Path) -> Any:
    """Mark ``data_dir`` as held by this process (what `serve` does while it runs)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / PID_FILE
    marker.write_text(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            marker.unlink()


def create_organization(repo: Path, data_dir: Path, name: str) -> CreatedOrganization:
    """Load the saved tables, make the organization with an admin token, save the tables back."""
    pid = serving_pid(data_dir)
    if pid is not None:
        raise DataInUseError(
            f"`make serve` (pid {pid}) is using {data_dir}: stop it first, it would overwrite this change on exit"
        )
    created: dict[str, str] = {}

    def bootstrap(_admin_token: str) -> None:
        tenants: Any = importlib.import_module("polymetric.domain.tenants")  # the layer is on sys.path now
        created["tenant"], created["token"] = tenants.create_org_with_admin(name)

    runtime = LocalRuntime(repo, port=0, data_dir=data_dir, bootstrap=bootstrap, schedules_enabled=False)
    runtime.start()
    runtime.stop()  # saves the tables
    return CreatedOrganization(tenant=created["tenant"], name=name, admin_token=created["token"])
