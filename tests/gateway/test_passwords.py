"""Which new passwords are acceptable (NIST SP 800-63B 5.1.1.2): long enough, not common or
guessable, not the sign-in name or the service's name, not the one it replaces."""

from __future__ import annotations

import pytest

from services.gateway.domain.passwords import MAX_LENGTH, password_problems

EMAIL = "giulia.rossi@example.org"


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "PASSWORD1234",  # compared case-insensitively
        "Password1234",
        "iloveyou1234",
        "qwertyuiop12",
        "123456789012",
        "1qaz2wsx3edc",  # a keyboard walk
        "trustno1trustno1",
        "P@ssw0rd2026",  # l33t and a year
    ],
)
def test_common_and_guessable_passwords_are_refused(password: str) -> None:
    assert password_problems(password, email=EMAIL) == [
        "is too common or too easy to guess: use a longer phrase of your own"
    ]


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "a-long-enough-password", "Tr0ub4dor&3-on-a-bike"],
)
def test_long_phrases_of_ones_own_are_accepted(password: str) -> None:
    assert password_problems(password, email=EMAIL) == []


def test_the_sign_in_name_and_the_service_name_are_refused_in_any_case() -> None:
    name = "must not contain the e-mail address or sign-in name"
    assert name in password_problems("Giulia.Rossi-mine-2026", email=EMAIL)
    assert name in password_problems("my handle p-7kq3mxh9rt!", email="p-7kq3mxh9rt")
    assert "must not contain the name of the service" in password_problems(
        "my-PONTE-account-is-safe", email=EMAIL
    )


def test_a_new_password_differs_from_the_one_it_replaces() -> None:
    phrase = "correct horse battery staple"
    assert password_problems(phrase, email=EMAIL, current=phrase) == [
        "must differ from the current password"
    ]
    assert password_problems(phrase, email=EMAIL, current="another phrase") == []


def test_length_limits_still_hold_and_long_ones_are_estimated() -> None:
    assert "must be at least 12 characters" in password_problems("Xq9#", email=EMAIL)
    assert password_problems("x" * (MAX_LENGTH + 1), email=EMAIL)[0].startswith("must be at most")
    long_phrase = "a sentence only I would write, " * 8
    assert password_problems(long_phrase[:MAX_LENGTH], email=EMAIL) == []
