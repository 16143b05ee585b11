"""The masking of secrets: API tokens in listings, service credentials shown to non-admins."""

from polymetric.models.alert import MAIL, PAGERDUTY, SNS, WEBHOOK, Service
from polymetric.models.secrets import masked


def test_a_long_secret_shows_its_first_and_last_four_characters() -> None:
    token = "0123456789abcdef" * 4
    assert masked(token) == "0123" + "*" * 56 + "cdef"
    assert masked("x" * 24) == "xxxx" + "*" * 16 + "xxxx"


def test_a_short_secret_shows_none_of_itself() -> None:
    """First and last four of ``s3cr3t`` would be the whole of it, twice."""
    for secret in ("", "k", "s3cr3t", "x" * 23):
        assert masked(secret) == "*" * len(secret)


def test_service_settings_keep_their_keys_and_mask_what_can_carry_a_credential() -> None:
    hook = Service(1, WEBHOOK, "t", {"url": "https://example.com/h?token=0123456789abcdef", "secret": "short"})
    assert hook.masked_settings() == {"url": "http" + "*" * 36 + "cdef", "secret": "*****"}
    pd = Service(2, PAGERDUTY, "t", {"service_key": "k" * 32, "room_token": "r" * 30})
    assert pd.masked_settings() == {"service_key": "kkkk" + "*" * 24 + "kkkk", "room_token": "rrrr" + "*" * 22 + "rrrr"}
    mail = Service(3, MAIL, "t", {"addresses": "a@example.com", "token": "t" * 30})
    assert mail.masked_settings() == {"addresses": "a@example.com", "token": "tttt" + "*" * 22 + "tttt"}
    topic = "arn:aws:sns:us-east-1:123456789012:ops"
    assert Service(4, SNS, "t", {"topic_arn": topic}).masked_settings() == {"topic_arn": topic}
