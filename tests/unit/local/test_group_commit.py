"""The journal's group commit (persistence.py, 2): concurrent commits share fsyncs, and none returns before an
fsync covered every write made before it was called."""

import os
import threading
import time
from types import SimpleNamespace

from polymetric_local import persistence
from polymetric_local.calls import CallLock
from polymetric_local.persistence import Store

WRITERS = 8


def test_concurrent_commits_share_fsyncs_and_each_returns_durable(tmp_path, monkeypatch) -> None:
    synced_sizes: list[int] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        size = os.fstat(fd).st_size  # what this fsync makes durable
        time.sleep(0.05)  # a disk's flush: commits arriving meanwhile wait for the next one
        real_fsync(fd)
        synced_sizes.append(size)

    monkeypatch.setattr(persistence.os, "fsync", slow_fsync)
    store = Store(SimpleNamespace(tables={}), tmp_path, backend=None, lock=CallLock())  # type: ignore[arg-type]
    store._open_journal()
    late: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        start.wait()
        store._append([f'{{"t":"T","n":{n}}}\n'.encode()])
        written = store.journal_bytes  # at least this writer's line is in the first `written` bytes
        store.commit()
        if max(synced_sizes, default=0) < written:
            late.append(f"writer {n} returned before its line was synced")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert late == []
    assert 1 <= len(synced_sizes) < WRITERS  # shared: one fsync covered several commits
    fsyncs = len(synced_sizes)
    store.commit()
    assert len(synced_sizes) == fsyncs  # nothing new to sync: no fsync
    store._file.close()
    lines = (tmp_path / "journal-00000000.jsonl").read_bytes().splitlines()
    assert sorted(lines) == sorted(f'{{"t":"T","n":{n}}}'.encode() for n in range(WRITERS))
