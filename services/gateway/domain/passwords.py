"""Password hashing with argon2id, and which new passwords are acceptable.

The parameters are OWASP's Password Storage Cheat Sheet's first choice for argon2id: 19 MiB of
memory, 2 iterations, 1 lane (about 50 ms of one core). argon2-cffi's RFC 9106 defaults (64 MiB,
3 iterations, 4 lanes) cost more than three times the memory for each check, which a burst of
sign-ins multiplies. A hash made with other parameters still verifies (they are written in the
hash) and ``needs_rehash`` says so, so that a successful sign-in stores a new one.

Hashing is deliberately slow and takes ``MEMORY_KIB`` for each check, so callers run these in a
bounded number of worker threads (``services.gateway.service.password_hashing``), never on the
event loop.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)
# Verified against when the account does not exist, so that the answer takes as long either way
# and response times do not reveal which e-mail addresses have accounts.
_DUMMY_HASH = _hasher.hash("ponte-timing-equaliser")

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: at least 10^8 guesses expected
ESTIMATE_LENGTH = 72
SERVICE_WORDS = ("ponte",)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters (or is not an argon2 hash we can read)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def _sign_in_name(email: str) -> str:
    """The e-mail address's local part (a person's account: its whole generated handle)."""
    return email.strip().casefold().partition("@")[0]


def password_problems(password: str, *, email: str, current: str | None = None) -> list[str]:
    """Why a new password is refused (empty when acceptable): NIST SP 800-63B 5.1.1.2, length
    and no composition rules, but never a common or guessable one. ``current``: the password it
    replaces, which it must not repeat (a password someone else chose is changed at first use).

    Guessability is zxcvbn's estimate: its dictionaries of common passwords (the 30,000 most
    frequent of a 10-million-password breach corpus), words and names, compared case-insensitively
    and with l33t, keyboard, date and repeat patterns. A password it expects to fall within
    10^8 guesses (score below 3) is refused; so is one containing the sign-in name or the service's
    name, the first things an attacker tries."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    folded = password.casefold()
    name = _sign_in_name(email)
    if len(name) >= 3 and name in folded:
        problems.append("must not contain the e-mail address or sign-in name")
    if any(word in folded for word in SERVICE_WORDS):
        problems.append("must not contain the name of the service")
    if current is not None and password == current:
        problems.append("must differ from the current password")
    if len(set(password)) < 4:
        problems.append("must use more than three distinct characters")
    if not problems and _score(password, name) < MIN_SCORE:
        problems.append("is too common or too easy to guess: use a longer phrase of your own")
    return problems


def _score(password: str, name: str) -> int:
    # zxcvbn refuses inputs past 72 characters; a prefix's estimate is a lower bound.
    hints = [name, *name.replace("_", ".").replace("-", ".").split("."), *SERVICE_WORDS]
    score: int = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=[hint for hint in hints if hint])[
        "score"
    ]
    return score
