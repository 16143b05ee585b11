"""Keep the local tables across restarts and crashes: snapshots plus an append-only journal of table writes.

Files in the data directory:

    <LogicalId>.json          {"Table": "<LogicalId>", "Journal": <seq>, "Items": [<item>, ...]}
    journal-<seq>.jsonl       one line per table write: {"t": "<LogicalId>", "p": <item>} or {"t": ..., "d": <key>}

Items are DynamoDB JSON as on the wire (``{"pk": {"S": "..."}}``; binary values as base64 strings).

1. Every write moto's DynamoDB backend makes (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
   TransactWriteItems, whoever calls them) appends the item's state *after* the write to the journal: the
   whole item, or its key when it is gone. A transaction that fails appends nothing (moto rolls it back).
2. ``commit()`` flushes and fsyncs the journal; the runtime commits before it answers a request, so an
   acknowledged write survives a SIGKILL or a power cut. One fsync covers every write before it, so
   concurrent requests share one (group commit). Each write and its journal line happen under the lock on
   moto (calls.py): the journal's order is the order the writes took effect.
3. Start: each table's snapshot is loaded straight into moto's backend, then the journals from the
   snapshot's ``Journal`` sequence on are replayed in order. Items whose TTL has passed are dropped
   (DynamoDB would have deleted them by now; moto never expires anything).
4. Compaction (``compact()``: when a journal passes ``compact_bytes``, and at a clean stop): under the
   runtime's lock the tables are captured and the journal rotates to a new sequence; the snapshots are then
   written (temporary name, fsync, rename) naming that sequence, and older journals are deleted. A crash at
   any point leaves either the old snapshot with its journals or the new one; a table's snapshot only ever
   skips journals older than the capture.
A torn last journal line (the crash hit mid-append, before any commit covered it) is ignored.
Only tables are kept; queue messages are not.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from polymetric_local.calls import CallLock
from polymetric_local.resources import LocalResources

logger = logging.getLogger(__name__)

COMPACT_BYTES = 256 * 1024 * 1024  # a journal this large is folded into new snapshots
_JOURNAL = re.compile(r"^journal-(\d{8})\.jsonl$")
# The backend methods that write; transactions call the others, which then journal nothing themselves.
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


class PersistenceError(RuntimeError):
    """A saved table cannot be loaded back (for example after its key schema changed); use --reset."""


class Store:
    """The data directory of one running runtime: restore, journal every write, commit, compact."""

    def __init__(
        self,
        resources: LocalResources,
        data_dir: Path,
        backend: DynamoDBBackend,
        *,
        lock: CallLock,
        compact_bytes: int = COMPACT_BYTES,
    ) -> None:
        self.resources = resources
        self.data_dir = data_dir
        self.backend = backend
        self.lock = lock  # the lock on moto's calls: held while the tables are captured, no write happens meanwhile
        self.compact_bytes = compact_bytes
        self._logical = {physical: logical for logical, physical in resources.tables.items()}
        self._file_lock = threading.Lock()
        self._compact_lock = threading.Lock()
        self._local = threading.local()
        self._sync_lock = threading.Lock()  # one fsync at a time; taken before _file_lock
        self._file: Any = None
        self._seq = 0
        self._size = 0
        self._written = 0  # appends so far
        self._synced = 0  # appends known to be on disk
        self._originals: dict[str, Callable[..., Any]] = {}

    # --- start and stop -----------------------------------------------------------------------------------

    def open(self) -> dict[str, int]:
        """Load snapshots and replay journals into the backend, then journal every write; item counts by table."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        snapshots = self._load_snapshots()
        journals = self._journals()
        replayed = 0
        for seq, path in journals:
            replayed += self._replay(seq, path, snapshots)
        self._drop_expired()
        counts = {logical: len(self._table(logical)) for logical in self.resources.tables}
        self._seq = max([seq for seq, _ in journals] + list(snapshots.values()) + [0]) + 1
        self._open_journal()
        self._install()
        logger.info(
            "restored %s (%d journal lines replayed) in %.2f s",
            ", ".join(f"{k}: {v} items" for k, v in counts.items()) or "no tables",
            replayed,
            time.monotonic() - started,
        )
        return counts

    def close(self) -> None:
        """Compact (every acknowledged write is then in the snapshots) and stop journaling."""
        try:
            self.compact()
        finally:
            self._uninstall()
            with self._file_lock:
                if self._file is not None:
                    self._file.close()
                    self._file = None

    # --- journal --------------------------------------------------------------------------------------------

    def commit(self) -> None:
        """Make every write so far durable (flush + fsync); cheap when nothing was written.

        Group commit: concurrent callers share one fsync. A caller whose writes an fsync already in progress
        does not cover waits for it, then syncs everything written by then (its own writes and the others')."""
        with self._file_lock:
            target = self._written
            if self._synced >= target or self._file is None:
                return
        with self._sync_lock:
            if self._synced >= target:
                return  # the fsync this caller waited for covered its writes
            with self._file_lock:
                handle = self._file
                if handle is None:
                    return
                upto = self._written
                handle.flush()
            os.fsync(handle.fileno())  # outside the file lock: other writes go on appending meanwhile
            self._synced = upto

    @property
    def journal_bytes(self) -> int:
        return self._size

    def needs_compaction(self) -> bool:
        return self._size >= self.compact_bytes

    def _append(self, lines: list[bytes]) -> None:
        data = b"".join(lines)
        with self._file_lock:
            if self._file is None:
                return
            self._file.write(data)
            self._size += len(data)
            self._written += 1

    def _open_journal(self) -> None:
        path = self.data_dir / f"journal-{self._seq:08d}.jsonl"
        self._file = open(path, "ab")  # noqa: SIM115 - kept open for the runtime's life
        self._size = path.stat().st_size
        _fsync_dir(self.data_dir)

    def _journals(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.data_dir.iterdir():
            match = _JOURNAL.match(path.name)
            if match:
                found.append((int(match.group(1)), path))
        return sorted(found)

    # --- compaction -----------------------------------------------------------------------------------------

    def compact(self) -> None:
        """Fold the journals into new snapshots (see the module docstring, 4)."""
        with self._compact_lock:
            with self.lock:
                captured = {logical: self._capture(logical) for logical in self.resources.tables}
                with self._sync_lock, self._file_lock:
                    old = self._file
                    if old is not None:
                        old.flush()
                        os.fsync(old.fileno())
                        old.close()
                    self._seq += 1
                    self._open_journal()
                    self._synced = self._written
                seq = self._seq
            for logical, items in captured.items():
                _write_atomically(self.data_dir / f"{logical}.json", {"Table": logical, "Journal": seq, "Items": items})
            _fsync_dir(self.data_dir)
            for old_seq, path in self._journals():
                if old_seq < seq:
                    path.unlink(missing_ok=True)

    def _capture(self, logical: str) -> list[dict[str, Any]]:
        return [_attributes(item) for item in _items(self._table(logical))]

    # --- restore --------------------------------------------------------------------------------------------

    def _load_snapshots(self) -> dict[str, int]:
        """Each table's snapshot into the backend; returns the journal sequence each one starts from."""
        starts: dict[str, int] = {}
        for logical in self.resources.tables:
            path = self.data_dir / f"{logical}.json"
            if not path.is_file():
                continue
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
                items = document["Items"]
                starts[logical] = int(document.get("Journal", 0))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                message = f"{path}: unreadable saved table ({exc}); delete it or start with --reset"
                raise PersistenceError(message) from exc
            table = self._table(logical)
            try:
                for item in items:
                    table.put_item(item)
            except Exception as exc:
                raise PersistenceError(
                    f"{path}: cannot load items into {logical} ({exc}); did its key schema change? Use --reset"
                ) from exc
        unknown = sorted(p.stem for p in self.data_dir.glob("*.json") if p.stem not in self.resources.tables)
        if unknown:
            logger.warning("saved tables no longer in the template were not loaded: %s", ", ".join(unknown))
        return starts

    def _replay(self, seq: int, path: Path, starts: Mapping[str, int]) -> int:
        applied = 0
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    entry = json.loads(raw)
                except ValueError:
                    # Only a last line can be torn, and no commit covered it: nobody was told it was kept.
                    logger.warning("%s:%d: torn journal line ignored", path.name, number)
                    continue
                logical = entry.get("t")
                if logical not in self.resources.tables or seq < starts.get(logical, 0):
                    continue
                table = self._table(logical)
                if "p" in entry:
                    table.put_item(entry["p"])
                else:
                    hash_key, range_key = _key_of(table, entry["d"])
                    table.delete_item(hash_key, range_key)
                applied += 1
        return applied

    def _drop_expired(self) -> None:
        now = time.time()
        for logical in self.resources.tables:
            attribute = _ttl_attribute(self.resources, logical)
            if not attribute:
                continue
            table = self._table(logical)
            for item in [i for i in _items(table) if _expired(i.attrs.get(attribute), now)]:
                table.delete_item(item.hash_key, item.range_key)

    # --- the backend hooks ----------------------------------------------------------------------------------

    def _install(self) -> None:
        for name in _WRITES:
            original = getattr(self.backend, name)
            self._originals[name] = original
            setattr(self.backend, name, self._journaled(name, original))

    def _uninstall(self) -> None:
        for name in self._originals:
            with contextlib.suppress(AttributeError):
                delattr(self.backend, name)  # the instance attribute; the class method shows through again
        self._originals.clear()

    def _journaled(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        local = self._local

        def write(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(local, "depth", 0)
            local.depth = depth + 1
            try:
                result = original(*args, **kwargs)
            finally:
                local.depth = depth
            if depth == 0:
                self._append(self._lines(name, args, kwargs))
            return result

        return write

    def _lines(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[bytes]:
        """The post-write state of every item the call touched, as journal lines."""
        if name == "transact_write_items":
            touched = []
            for entry in args[0] if args else kwargs["transact_items"]:
                kind, op = next(iter(entry.items()))
                if kind == "ConditionCheck":
                    continue
                table = self.backend.get_table(op["TableName"])
                touched.append((table, _key_from(table, op["Item"]) if kind == "Put" else op["Key"]))
        else:
            table = self.backend.get_table(args[0] if args else kwargs["table_name"])
            if name == "put_item":
                key = _key_from(table, args[1] if len(args) > 1 else kwargs["item_attrs"])
            else:
                key = args[1] if len(args) > 1 else kwargs["key"]
            touched = [(table, key)]
        lines = []
        for table, key in touched:
            logical = self._logical.get(table.name)
            if logical is None:
                continue
            item = table.get_item(*_key_of(table, key))
            entry = {"t": logical, "p": _attributes(item)} if item is not None else {"t": logical, "d": key}
            lines.append(json.dumps(entry, separators=(",", ":"), default=_bytes_default).encode() + b"\n")
        return lines

    def _table(self, logical: str) -> Table:
        return self.backend.get_table(self.resources.tables[logical])


def _items(table: Table) -> Iterator[Any]:
    for partition in list(table.items.values()):
        if table.range_key_attr:
            yield from list(partition.values())
        else:
            yield partition


def _attributes(item: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = item.to_json()["Attributes"]
    return attributes


def _key_from(table: Table, item: Mapping[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: item[table.hash_key_attr]}
    if table.range_key_attr:
        key[table.range_key_attr] = item[table.range_key_attr]
    return key


def _key_of(table: Table, key: Mapping[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _bytes_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, DynamoType):
        return value.to_regular_json()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _write_atomically(path: Path, document: Mapping[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"), default=_bytes_default)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fsync_dir(path: Path) -> None:
    """A new or renamed file's directory entry is durable only once the directory itself is synced."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ttl_attribute(resources: LocalResources, logical_id: str) -> str | None:
    spec = resources.template.tables[logical_id].properties.get("TimeToLiveSpecification")
    if isinstance(spec, Mapping) and str(spec.get("Enabled")).lower() == "true":
        return str(spec.get("AttributeName"))
    return None


def _expired(value: DynamoType | None, now: float) -> bool:
    if value is None or value.type != "N":
        return False
    try:
        return float(value.value) < now
    except ValueError:
        return False
