"""Powertools' REST resolver per thread (powertools.py): concurrent invocations each see their own event."""

import threading

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from polymetric_local import powertools


def _event(path: str) -> dict:
    return {"httpMethod": "GET", "path": path, "resource": path, "headers": {}, "requestContext": {"stage": "x"}}


def _two_resolvers_at_once() -> list[tuple[str, str]]:
    """Two resolvers (two containers of two functions) answer at once: what path each one's route sees."""
    both_inside = threading.Barrier(2, timeout=5)
    seen: list[tuple[str, str]] = []

    def resolver(path: str) -> APIGatewayRestResolver:
        app = APIGatewayRestResolver()

        @app.get(path)
        def route() -> dict:
            both_inside.wait()  # the other invocation has started too: its event was set meanwhile
            seen.append((path, app.current_event.path))
            return {}

        return app

    threads = [threading.Thread(target=resolver(p).resolve, args=(_event(p), None)) for p in ("/first", "/second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return sorted(seen)


def test_without_the_patch_powertools_shares_the_current_event_between_threads() -> None:
    # What powertools.py relies on: resolve() sets class attributes of BaseRouter. If this fails after an
    # upgrade, Powertools changed how it keeps the current event: review powertools.py.
    assert _two_resolvers_at_once() in (
        [("/first", "/second"), ("/second", "/second")],
        [("/first", "/first"), ("/second", "/first")],
    )
    assert "current_event" in BaseRouter.__dict__


def test_with_the_patch_each_thread_sees_its_own_event() -> None:
    powertools.install()
    try:
        assert _two_resolvers_at_once() == [("/first", "/first"), ("/second", "/second")]
    finally:
        powertools.uninstall()
    app = APIGatewayRestResolver()
    app.resolve(_event("/after"), None)
    assert app.current_event.path == "/after"  # uninstalled: Powertools as it was
