"""The evaluator's state machine (pure): trigger, rearm (per alert and per stream), clear."""

from polymetric.domain.evaluation import advance
from polymetric.models.alert import Alert, AlertState, Violation


def v(stream: str) -> Violation:
    return Violation(1, "m", stream, 9.0, 0, 1, 0, 0)


ALERT = Alert(1, "a", rearm_seconds=600)


def test_trigger_then_hold_within_rearm_then_repeat() -> None:
    fired = advance(ALERT, AlertState(1), True, [v("h=a")], 1000)
    assert (fired.kind, fired.state.triggered, fired.state.incident) == ("trigger", True, 1)
    held = advance(ALERT, fired.state, True, [v("h=a")], 1300)
    assert (held.kind, held.state) == (None, None)
    again = advance(ALERT, fired.state, True, [v("h=a")], 1600)
    assert again.kind == "trigger"
    assert again.state.incident == 1


def test_clear_when_conditions_stop_holding() -> None:
    fired = advance(ALERT, AlertState(1), True, [v("h=a")], 1000).state
    cleared = advance(ALERT, fired, False, [], 1060)
    assert (cleared.kind, cleared.state.triggered, cleared.state.cleared_at) == ("clear", False, 1060)
    assert advance(ALERT, cleared.state, False, [], 1120).state is None


def test_rearm_per_signal_notifies_new_streams_only() -> None:
    alert = Alert(1, "a", rearm_seconds=600, rearm_per_signal=True)
    fired = advance(alert, AlertState(1), True, [v("h=a")], 1000).state
    step = advance(alert, fired, True, [v("h=a"), v("h=b")], 1060)
    assert step.kind == "trigger"
    assert [x.stream for x in step.violations] == ["h=b"]


def test_a_new_trigger_after_a_clear_waits_for_the_rearm_time() -> None:
    """Seed: a notification "will not be sent again until the rearm timer has elapsed" - a flapping
    stream (beyond, back, beyond) does not page every other minute."""
    fired = advance(ALERT, AlertState(1), True, [v("h=a")], 1000).state
    cleared = advance(ALERT, fired, False, [], 1060).state
    assert advance(ALERT, cleared, True, [v("h=a")], 1120) == advance(ALERT, cleared, True, [v("h=a")], 1599)
    assert advance(ALERT, cleared, True, [v("h=a")], 1599).state is None
    again = advance(ALERT, cleared, True, [v("h=a")], 1600)
    assert (again.kind, again.state.triggered, again.state.incident) == ("trigger", True, 2)
