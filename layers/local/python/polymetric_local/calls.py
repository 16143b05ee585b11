"""One AWS API call into moto at a time, while Lambda invocations run concurrently (moto 5.2.5, pinned).

moto's backends are plain Python objects, not built for concurrent mutation. Every boto3 or botocore call
reaches them through ``BotocoreStubber.process_request``; that is where ``CALLS`` is taken, so each call
(and the journal line its write appends, persistence.py) is atomic, while the invocations around the calls
interleave as they would on Lambda: a long compaction makes many short calls, and a POST's calls run between
them.

The lock is reentrant (a call made while the same thread holds it, e.g. by a test making several calls
atomically) and can be *suspended*: a Step Functions task is a Lambda Invoke call, and the handler it runs
must not hold the lock for its whole run (stepfunctions.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from botocore.signers import RequestSigner
from moto.core.botocore_stubber import BotocoreStubber


class CallLock:
    """A reentrant lock whose holder can step out of it for a while (``suspended``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()

    def acquire(self) -> None:
        depth = self._depth()
        if depth == 0:
            self._lock.acquire()
        self._local.depth = depth + 1

    def release(self) -> None:
        depth = self._depth()
        if depth == 0:
            raise RuntimeError("CallLock released by a thread that does not hold it")
        self._local.depth = depth - 1
        if depth == 1:
            self._lock.release()

    def __enter__(self) -> CallLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def held(self) -> bool:
        """Whether this thread holds the lock."""
        return self._depth() > 0

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """Let other threads call moto meanwhile, then take the lock back as deep as this thread held it."""
        depth = self._depth()
        if depth:
            self._local.depth = 0
            self._lock.release()
        try:
            yield
        finally:
            if depth:
                self._lock.acquire()
                self._local.depth = depth

    def _depth(self) -> int:
        depth: int = getattr(self._local, "depth", 0)
        return depth


CALLS = CallLock()  # process-wide, like moto's backends

_original: dict[str, Callable[..., Any]] = {}
_install_lock = threading.Lock()


def install() -> None:
    """Take ``CALLS`` around every request moto answers, and leave DynamoDB calls unsigned (idempotent;
    process-wide).

    moto's DynamoDB checks no signature: computing SigV4 was ~9 % of each call's CPU here, and DynamoDB
    takes most calls. Other services stay signed (moto's S3 answers an unsigned GetObject of a private
    bucket with 403, as S3 does).
    """
    with _install_lock:
        if _original:
            return
        original = _original["process_request"] = BotocoreStubber.process_request
        sign = _original["sign"] = RequestSigner.sign

        def process_request(self: BotocoreStubber, request: Any) -> Any:
            with CALLS:
                return original(self, request)

        def sign_but_dynamodb(self: RequestSigner, *args: Any, **kwargs: Any) -> None:
            if self.signing_name != "dynamodb":
                sign(self, *args, **kwargs)

        BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
        RequestSigner.sign = sign_but_dynamodb  # type: ignore[method-assign]


def uninstall() -> None:
    with _install_lock:
        if _original:
            BotocoreStubber.process_request = _original.pop("process_request")  # type: ignore[method-assign]
            RequestSigner.sign = _original.pop("sign")  # type: ignore[method-assign]
