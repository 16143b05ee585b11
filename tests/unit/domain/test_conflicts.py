"""The one retry of optimistic writes: a lost version race runs the operation again, a bounded number of times."""

import pytest

from polymetric.domain import conflicts
from polymetric.errors import AlreadyExistsError, VersionConflictError


@pytest.fixture(autouse=True)
def _pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(conflicts.time, "sleep", slept.append)
    return slept


def _losing(times: int, error: Exception | None = None) -> tuple[list[int], object]:
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error or VersionConflictError("changed while it was being updated")
        return "done"

    return calls, operation


def test_a_lost_race_is_run_again_after_a_short_random_pause(_pauses: list[float]) -> None:
    calls, operation = _losing(2)
    assert conflicts.retried(operation) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3
    assert len(_pauses) == 2 and all(0 <= p <= conflicts.PAUSE * 2 for p in _pauses)


def test_a_conflict_that_outlasts_the_attempts_is_raised(_pauses: list[float]) -> None:
    calls, operation = _losing(100)
    with pytest.raises(VersionConflictError):
        conflicts.retried(operation)  # type: ignore[arg-type]
    assert len(calls) == conflicts.ATTEMPTS == 10
    assert max(_pauses) <= conflicts.MAX_PAUSE


def test_other_errors_are_not_retried() -> None:
    calls, operation = _losing(1, AlreadyExistsError("taken"))
    with pytest.raises(AlreadyExistsError):
        conflicts.retried(operation)  # type: ignore[arg-type]
    assert len(calls) == 1


def test_the_decorator_runs_the_whole_function_again() -> None:
    calls: list[int] = []

    @conflicts.retrying
    def put(name: str, *, value: int) -> tuple[str, int]:
        calls.append(value)
        if len(calls) == 1:
            raise VersionConflictError(f"{name} changed")
        return name, value

    assert put("cpu", value=3) == ("cpu", 3)
    assert calls == [3, 3]
