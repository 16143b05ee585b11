import base64

import pytest

from polymetric.api.auth import token_from_basic

TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _basic(credentials: str, scheme: str = "Basic") -> str:
    return f"{scheme} " + base64.b64encode(credentials.encode()).decode()


def test_token_is_the_user_part_in_appoptics_style() -> None:
    assert token_from_basic(_basic(f"{TOKEN}:")) == TOKEN


def test_token_is_the_password_in_librato_style() -> None:
    assert token_from_basic(_basic(f"someone@example.com:{TOKEN}")) == TOKEN


def test_token_is_the_password_when_the_user_is_empty() -> None:
    assert token_from_basic(_basic(f":{TOKEN}")) == TOKEN


def test_token_is_the_user_when_there_is_no_colon() -> None:
    assert token_from_basic(_basic(TOKEN)) == TOKEN


def test_token_keeps_colons_inside_the_password() -> None:
    assert token_from_basic(_basic("user:pa:ss")) == "pa:ss"


@pytest.mark.parametrize("scheme", ["basic", "BASIC", "bAsIc"])
def test_token_accepts_the_scheme_in_any_case(scheme: str) -> None:
    assert token_from_basic(_basic(f"{TOKEN}:", scheme)) == TOKEN


def test_token_ignores_whitespace_around_the_credentials() -> None:
    assert token_from_basic("Basic  " + base64.b64encode(f"{TOKEN}:".encode()).decode() + " ") == TOKEN


@pytest.mark.parametrize("header", [None, "", "Basic", "Basic ", "Basic    "])
def test_token_is_none_without_credentials(header: str | None) -> None:
    assert token_from_basic(header) is None


@pytest.mark.parametrize("credentials", [":", ""])
def test_token_is_none_when_user_and_password_are_empty(credentials: str) -> None:
    assert token_from_basic(_basic(credentials)) is None


@pytest.mark.parametrize(
    "header",
    [
        f"Bearer {TOKEN}",
        f"Token {TOKEN}",
        TOKEN,
        "Basic" + base64.b64encode(f"{TOKEN}:".encode()).decode(),
        "Digest username=x",
    ],
)
def test_token_is_none_for_another_scheme(header: str) -> None:
    assert token_from_basic(header) is None


@pytest.mark.parametrize("encoded", ["!!!", "abc", "dG9r=Og==", "dG9rOg", "dG9y Og=="])
def test_token_is_none_for_invalid_base64(encoded: str) -> None:
    assert token_from_basic(f"Basic {encoded}") is None


@pytest.mark.parametrize("encoded", ["ä", "dG9rOg==é", "\u2603"])
def test_token_is_none_for_non_ascii_credentials(encoded: str) -> None:
    assert token_from_basic(f"Basic {encoded}") is None


def test_token_is_none_for_credentials_that_are_not_utf8() -> None:
    assert token_from_basic("Basic " + base64.b64encode(b"\xff\xfe:").decode()) is None
