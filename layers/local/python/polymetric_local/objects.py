"""Keep the objects of the template's buckets (snapshot PNGs) across restarts and crashes.

Files in the data directory, one per object:

    objects/<BucketLogicalId>/<sha256 of the key>.json    {"Key": "<key>", "ContentType": "...", "Body": "<base64>"}

Every put moto's S3 backend makes into a template bucket writes the object's file (temporary name, fsync,
rename, directory fsync) before the put returns, so the object is on disk before anything (a DynamoDB record
naming it, an HTTP answer) can point at it; a delete removes the file the same way. At start the files are
loaded back into moto before the hooks are installed. Only the body and its content type are kept (the
renderer sets nothing else); the type is guessed from the key, as the hook runs before moto applies the
request's headers. Bucket versions are not kept: the latest object is.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.s3.models import S3Backend

from polymetric_local.persistence import PersistenceError, _fsync_dir, _write_atomically
from polymetric_local.resources import LocalResources

logger = logging.getLogger(__name__)

DEFAULT_TYPE = "binary/octet-stream"  # what S3 answers for an object stored without a type
_WRITES = ("put_object", "delete_object")  # delete_objects calls delete_object


class ObjectStore:
    """The bucket objects of one running runtime: restore at open, write through on every put and delete."""

    def __init__(self, resources: LocalResources, data_dir: Path, backend: S3Backend) -> None:
        self.resources = resources
        self.root = data_dir / "objects"
        self.backend = backend
        self._logical = {physical: logical for logical, physical in resources.buckets.items()}
        self._originals: dict[str, Callable[..., Any]] = {}

    def open(self) -> int:
        """Load every saved object into its bucket, then write through; returns how many were loaded."""
        loaded = 0
        for logical, bucket in self.resources.buckets.items():
            folder = self.root / logical
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                try:
                    document = json.loads(path.read_text(encoding="utf-8"))
                    key, body = str(document["Key"]), base64.b64decode(document["Body"])
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    raise PersistenceError(f"{path}: unreadable saved object ({exc}); delete it") from exc
                stored = self.backend.put_object(bucket, key, body, disable_notification=True)
                stored.set_metadata({"Content-Type": document.get("ContentType") or DEFAULT_TYPE})
                loaded += 1
        self._install()
        if loaded:
            logger.info("restored %d stored objects", loaded)
        return loaded

    def close(self) -> None:
        for name in self._originals:
            with contextlib.suppress(AttributeError):
                delattr(self.backend, name)  # the instance attribute; the class method shows through again
        self._originals.clear()

    def path(self, logical: str, key: str) -> Path:
        return self.root / logical / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _install(self) -> None:
        for name, hook in (("put_object", self._put), ("delete_object", self._delete)):
            original = getattr(self.backend, name)
            self._originals[name] = original
            setattr(self.backend, name, hook(original))

    def _put(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def put_object(bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
            stored = original(bucket_name, key_name, value, *args, **kwargs)
            logical = self._logical.get(bucket_name)
            if logical is not None:
                path = self.path(logical, key_name)
                path.parent.mkdir(parents=True, exist_ok=True)
                content_type = mimetypes.guess_type(key_name)[0] or DEFAULT_TYPE
                document = {"Key": key_name, "ContentType": content_type, "Body": base64.b64encode(value).decode()}
                _write_atomically(path, document)
                _fsync_dir(path.parent)
            return stored

        return put_object

    def _delete(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def delete_object(bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            result = original(bucket_name, key_name, *args, **kwargs)
            logical = self._logical.get(bucket_name)
            if logical is not None:
                path = self.path(logical, key_name)
                if path.exists():
                    path.unlink()
                    _fsync_dir(path.parent)
            return result

        return delete_object
