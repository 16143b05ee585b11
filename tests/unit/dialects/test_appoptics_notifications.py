"""What alert services receive (alerting.md): the SNS subject."""

import pytest

from polymetric.dialects.appoptics.notifications import sns_subject
from polymetric.models.alert import Notification


def _notification(name: str, kind: str = "trigger") -> Notification:
    return Notification("d-1", "t", "acme", 7, name, "", 1, kind, "k", 0)


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("cpu.high", "cpu.high"),
        ("a" * 255, "a" * 99),  # alert names may have 255 characters; SNS subjects "less than 100"
        ("x" * 98 + " yz", "x" * 98),  # no trailing blank where the cut falls on one
        ("line\nbreak\r\tand\x00control\u2028sep", "line break and control sep"),  # no line breaks, controls
        ("café ✓", "café ✓"),  # UTF-8 text is fine
        ("\n", "Alert 7"),  # never empty
    ],
)
def test_sns_subject_is_the_alert_name_as_sns_takes_it(name: str, subject: str) -> None:
    assert sns_subject(_notification(name)) == subject
    assert sns_subject(_notification(name, kind="clear")) == subject
