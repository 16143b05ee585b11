"""The local runtime: template.yaml's API, queues and schedules over in-process moto, behind stdlib HTTP.

One LocalRuntime per process: it owns process-global state (os.environ, moto's mock, sys.modules entries
for the handlers).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import secrets
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import boto3
import moto
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from polymetric_local import calls, directreads, fastreads, partitions, powertools
from polymetric_local.apigw import (
    HttpRequest,
    HttpResponse,
    InvalidProxyResponseError,
    Router,
    build_event,
    internal_server_error,
    proxy_response,
)
from polymetric_local.calls import CALLS, CallLock
from polymetric_local.invoke import EnvironmentPatch, InvocationEnviron, Invoker
from polymetric_local.logs import begin_request, redacted, request_notes
from polymetric_local.objects import ObjectStore
from polymetric_local.persistence import Store
from polymetric_local.resources import DEFAULT_PREFIX, DEFAULT_REGION, LOCAL_API_ID, LocalResources, create_resources
from polymetric_local.stepfunctions import MOTO_CONFIG, lambda_tasks
from polymetric_local.template import Template, load_template
from polymetric_local.workers import Workers

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("polymetric_local.access")

Bootstrap = Callable[[str], None]

# The process environment while the runtime runs: fake credentials so nothing can reach real AWS.
RUNTIME_ENV: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_PROFILE": None,
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
    "POWERTOOLS_DEV": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# Stored objects (S3 in moto) are served under this path; handlers learn the URL from OBJECT_URL_BASE,
# because a presigned URL of the in-process moto points at an S3 endpoint nothing listens on.
OBJECTS_PATH = "/_local/s3"
OBJECT_URL_BASE = "OBJECT_URL_BASE"
PERSIST_INTERVAL = 0.5  # seconds between background journal commits and compaction checks
STOP_WAIT = 30.0  # seconds stop() waits for requests in flight


def bootstrap_tenants(admin_token: str) -> None:
    """Create the local organization and its admin token (polymetric.domain.tenants.bootstrap_local)."""
    try:
        # Imported late: the handlers' layer is only on sys.path once the runtime has started.
        module = importlib.import_module("polymetric.domain.tenants")
    except ModuleNotFoundError as exc:
        if exc.name not in ("polymetric", "polymetric.domain", "polymetric.domain.tenants"):
            raise
        logger.warning("no local organization created: %s is not importable yet", exc.name)
        return
    bootstrap_local: Any = getattr(module, "bootstrap_local", None)
    if bootstrap_local is None:
        logger.warning("no local organization created: polymetric.domain.tenants has no bootstrap_local")
        return
    bootstrap_local(admin_token)


class LocalRuntime:
    """Serve template.yaml's Api events over HTTP and run its SQS and Schedule events, on in-process moto.

    `port=0` binds a free port; read the result from `url` after `start()`. `data_dir=None` keeps nothing
    across restarts. Without `admin_token` a random one is made (read it back from `admin_token`).
    `schedules_enabled=None` follows env POLYMETRIC_SCHEDULES (anything but "off" is on).
    """

    def __init__(
        self,
        repo_root: Path | str,
        *,
        port: int = 3000,
        host: str = "127.0.0.1",
        data_dir: Path | str | None = None,
        admin_token: str | None = None,
        template_path: Path | str | None = None,
        prefix: str = DEFAULT_PREFIX,
        region: str = DEFAULT_REGION,
        bootstrap: Bootstrap | None = None,
        schedules_enabled: bool | None = None,
    ) -> None:
        self.repo_root = Path(repo_root).resolve()
        self.template_path = Path(template_path) if template_path else self.repo_root / "template.yaml"
        self.host = host
        self.port = port
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.admin_token = admin_token or secrets.token_hex(32)
        self.prefix = prefix
        self.region = region
        self.bootstrap = bootstrap or bootstrap_tenants
        if schedules_enabled is None:
            schedules_enabled = os.environ.get("POLYMETRIC_SCHEDULES", "on").strip().lower() != "off"
        self.schedules_enabled = schedules_enabled
        self._state: _Running | None = None

    @property
    def url(self) -> str:
        state = self._require_running()
        return f"http://{self.host}:{state.server.server_port}"

    @property
    def template(self) -> Template:
        return self._require_running().invoker.template

    @property
    def resources(self) -> LocalResources:
        return self._require_running().invoker.resources

    @property
    def lock(self) -> CallLock:
        """Held during each AWS call into moto (calls.py); hold it to make several calls, or to touch moto's
        backends directly, with no invocation's call in between."""
        self._require_running()
        return CALLS

    def start(self) -> LocalRuntime:
        if self._state is not None:
            raise RuntimeError("LocalRuntime is already started")
        environment = EnvironmentPatch()
        environment.set(RUNTIME_ENV)
        mock = moto.mock_aws(config=MOTO_CONFIG)  # state machines really run (stepfunctions.py)
        mock.start()
        partitions.install()
        fastreads.install()
        calls.install()
        directreads.install()
        powertools.install()
        InvocationEnviron.install()
        try:
            self._state = self._start(environment, mock)
        except BaseException:
            InvocationEnviron.uninstall()
            powertools.uninstall()
            directreads.uninstall()
            calls.uninstall()
            partitions.uninstall()
            fastreads.uninstall()
            mock.stop()
            environment.restore()
            raise
        # Serving starts only once _state is set, so no request can find the runtime half started.
        self._state.serve()
        logger.info("Polymetric local runtime started on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and working, compact the journal into snapshots, leave moto. Idempotent."""
        state = self._state
        if state is None:
            return
        try:
            state.stop_server()
            state.workers.stop()
            state.lambda_tasks.stop()
            state.stop_persister()  # before taking the lock: a compaction in progress needs it
            # A request still in flight on a closing connection finishes first; any later one gets a 500.
            state.requests.close(timeout=STOP_WAIT)
            with CALLS:
                if state.store is not None:
                    state.store.close()
                    logger.info("saved the tables to %s", self.data_dir)
                if state.objects is not None:
                    state.objects.close()  # every object is already on disk: its put wrote it
        finally:
            self._state = None
            state.invoker.unload()
            InvocationEnviron.uninstall()
            powertools.uninstall()
            directreads.uninstall()
            calls.uninstall()
            partitions.uninstall()
            fastreads.uninstall()
            state.mock.stop()
            state.environment.restore()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def run_schedules_now(self, at: float | None = None) -> int:
        """Fire every enabled Schedule event once, now (its event dated ``at``, default the clock);
        returns how many invocations succeeded."""
        return self._require_running().workers.run_schedules_now(at)

    def drain_queues(self, timeout: float = 10.0, cancel: threading.Event | None = None) -> int:
        """Deliver SQS messages until the event-source queues are empty; see Workers.drain_queues."""
        return self._require_running().workers.drain_queues(timeout, cancel)

    def invoke(self, function_id: str, event: Any) -> Any:
        """Invoke one template function directly with `event` (JSON in, JSON out, as Lambda does)."""
        return self._require_running().invoker.invoke(function_id, event)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """API Gateway plus Lambda for one HTTP request, without the socket."""
        state = self._require_running()
        if request.method in ("GET", "HEAD") and request.target.startswith(OBJECTS_PATH + "/"):
            return self._object(state, request.target)
        match = state.router.resolve(request.method, request.target)
        if isinstance(match, HttpResponse):
            return match
        request_id = str(uuid.uuid4())
        event = build_event(
            request, match, account_id=state.invoker.resources.account_id, api_id=LOCAL_API_ID, request_id=request_id
        )
        response = internal_server_error(request_id)
        with state.requests.entered() as accepted:
            if not accepted:
                return response
            try:
                result = state.invoker.invoke(match.route.function, event)
                response = proxy_response(result, request_id=request_id)
            except InvalidProxyResponseError as exc:
                logger.error("%s: malformed Lambda proxy response: %s", match.route.function, exc)
            except Exception:
                logger.exception("%s raised while handling %s %s", match.route.function, request.method, match.path)
            # Durable before it is answered: a 2xx promises the write survives a crash (persistence.py, 2).
            if state.store is not None:
                state.store.commit()
        return response

    def _require_running(self) -> _Running:
        if self._state is None:
            raise RuntimeError("LocalRuntime is not started")
        return self._state

    def _start(self, environment: EnvironmentPatch, mock: Any) -> _Running:
        template = load_template(self.template_path)
        session = boto3.session.Session(region_name=self.region)
        resources = create_resources(template, prefix=self.prefix, region=self.region, session=session)
        dynamodb: DynamoDBClient = session.client("dynamodb", region_name=self.region)
        invoker = Invoker(template, resources, environment)
        invoker.prepare_sys_path()
        # Bound first: the stored objects' URLs (OBJECT_URL_BASE) name its port, and settings are read once.
        server = _Server((self.host, self.port), self)
        store = None
        objects = None
        try:
            environment.set({OBJECT_URL_BASE: f"http://{self.host}:{server.server_port}{OBJECTS_PATH}"})
            # Handlers read settings once per process: a runtime started after another one in the same
            # process (tests) must not serve the earlier one's object URLs. (Not imported here: a template
            # without Polymetric's layer has no such module.)
            if (config := sys.modules.get("polymetric.config")) is not None:
                config.get_settings.cache_clear()
            if self.data_dir is not None:
                backend = dynamodb_backends[resources.account_id][self.region]
                store = Store(resources, self.data_dir, backend, lock=CALLS)
                store.open()
                objects = ObjectStore(
                    resources, self.data_dir, s3_backends[resources.account_id][get_partition(self.region)]
                )
                objects.open()
            invoker.prepare_environment()
            # The bootstrap writes through the layer's storage code, which reads the tables' names from env.
            first = next(iter(template.functions.values()), None)
            with invoker.environment(first) if first is not None else contextlib.nullcontext():
                self.bootstrap(self.admin_token)
        except BaseException:
            server.server_close()
            raise
        workers = Workers(
            invoker, sqs=session.client("sqs", region_name=self.region), schedules_enabled=self.schedules_enabled
        )
        tasks = lambda_tasks(invoker)
        tasks.start()
        state = _Running(
            mock=mock,
            environment=environment,
            invoker=invoker,
            workers=workers,
            dynamodb=dynamodb,
            router=Router.from_template(template),
            lambda_tasks=tasks,
            server=server,
            s3=session.client("s3", region_name=self.region),
            store=store,
            objects=objects,
        )
        workers.start()
        state.start_persister()
        return state

    def _object(self, state: _Running, target: str) -> HttpResponse:
        """GET /_local/s3/{bucket}/{key}: a stored object (snapshot PNGs), as the presigned S3 URL would serve it."""
        bucket, _, key = unquote(target.split("?", 1)[0][len(OBJECTS_PATH) + 1 :]).partition("/")
        if bucket not in state.invoker.resources.buckets.values() or not key:
            return HttpResponse(status=404, headers=[("Content-Type", "text/plain")], body=b"No such object")
        try:
            found = state.s3.get_object(Bucket=bucket, Key=key)
        except state.s3.exceptions.NoSuchKey:
            return HttpResponse(status=404, headers=[("Content-Type", "text/plain")], body=b"No such object")
        body = found["Body"].read()
        return HttpResponse(
            status=200, headers=[("Content-Type", found.get("ContentType", "binary/octet-stream"))], body=body
        )


class _Running:
    """Everything a started runtime holds; dropped as a whole by stop()."""

    def __init__(
        self,
        *,
        mock: Any,
        environment: EnvironmentPatch,
        invoker: Invoker,
        workers: Workers,
        dynamodb: DynamoDBClient,
        router: Router,
        server: _Server,
        lambda_tasks: Any,
        s3: Any,
        store: Store | None = None,
        objects: ObjectStore | None = None,
    ) -> None:
        self.lambda_tasks = lambda_tasks
        self.mock = mock
        self.environment = environment
        self.invoker = invoker
        self.workers = workers
        self.dynamodb = dynamodb
        self.router = router
        self.server = server
        self.s3 = s3
        self.store = store
        self.objects = objects
        self.requests = InFlight()
        self._thread: threading.Thread | None = None
        self._persister: threading.Thread | None = None
        self._persister_stop = threading.Event()

    def start_persister(self) -> None:
        """Commit what queue workers and schedules wrote (HTTP requests commit before answering) and
        compact the journal once it is large; both off the request path."""
        if self.store is None:
            return
        store = self.store

        def run() -> None:
            while not self._persister_stop.wait(PERSIST_INTERVAL):
                try:
                    store.commit()
                    if store.needs_compaction():
                        store.compact()
                except Exception:
                    logger.exception("journal commit or compaction failed")

        self._persister = threading.Thread(target=run, name="polymetric-local-journal", daemon=True)
        self._persister.start()

    def stop_persister(self) -> None:
        self._persister_stop.set()
        if self._persister is not None:
            self._persister.join()

    def serve(self) -> None:
        # A short poll interval keeps stop() quick; serve_forever only checks for shutdown between polls.
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name="polymetric-local-http", daemon=True
        )
        self._thread.start()

    def stop_server(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.close_connections()
        self.server.server_close()


class InFlight:
    """Counts the HTTP requests being handled, so stop() can let them finish before it closes the store."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._count = 0
        self._open = True

    @contextlib.contextmanager
    def entered(self) -> Iterator[bool]:
        """Yields whether the request may run (False once closing)."""
        with self._condition:
            if not self._open:
                accepted = False
            else:
                accepted = True
                self._count += 1
        try:
            yield accepted
        finally:
            if accepted:
                with self._condition:
                    self._count -= 1
                    self._condition.notify_all()

    def close(self, timeout: float) -> None:
        with self._condition:
            self._open = False
            if not self._condition.wait_for(lambda: self._count == 0, timeout):
                logger.warning("%d requests still running after %.0f s; stopping anyway", self._count, timeout)


class _Server(ThreadingHTTPServer):
    # One thread per connection; invocations run concurrently and moto takes one call at a time (calls.py).
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def handle_error(self, _request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is routine; anything else is a bug worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s went away", client_address)
        else:
            logger.exception("error while serving %s", client_address)

    def close_connections(self) -> None:
        # Idle keep-alive connections would otherwise hold their threads (and the port) after stop().
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "polymetric-local"
    # TCP_NODELAY: headers and body are two writes; with Nagle on, the body waited for the client's
    # delayed ACK of the headers, 40 ms added to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    # http.server dispatches on do_<METHOD>; API Gateway, not this server, decides which methods exist.
    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        if body is None:
            return
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            server_port=self.server.server_port,
        )
        begin_request()
        try:
            response = self.server.runtime.handle(request)
        except RuntimeError:
            # stop() finished between reading this request and answering it.
            response = internal_server_error()
        self._write(response)
        access_logger.info(
            '%s "%s %s %s" %d %d %.1fms%s',
            self.client_address[0],
            self.command,
            redacted(self.path),
            self.request_version,
            response.status,
            len(response.body),
            (time.monotonic() - started) * 1000,
            request_notes(),
        )

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return None
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._write(_too_large())
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.send_error(400, "Bad chunk size")
                return None
            if size == 0:
                # Trailers end with an empty line.
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                self._write(_too_large())
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # One access line per request is written by _serve, with the timing.
        pass

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def _too_large() -> HttpResponse:
    return HttpResponse(
        status=413, headers=[("Content-Type", "application/json")], body=b'{"message":"Request Too Long"}'
    )
