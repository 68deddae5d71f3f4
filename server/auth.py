"""Join codes, resume codes and tokens: short where a child types them, unguessable everywhere.

Why these numbers: a join code is read off a projector and typed on a headset keyboard, so it is 7
characters of Crockford's base32 (no I, L, O, U; a typed O/I/L is read as 0/1): 32^7 = 2^35 codes, and with
the hello rate limit (3 tries, then 1/s per connection) guessing one is hopeless. Resume codes (a
learner's own seat) get 10 characters (50 bits); teacher and parent tokens are ``token_urlsafe``
(128 bits) because they grant more. Nothing here carries personal data: codes are random, not derived
from names. Comparisons are constant-time.
"""

from __future__ import annotations

import math
import secrets

__all__ = ["CODE_ALPHABET", "JOIN_CODE_CHARS", "RESUME_CODE_CHARS", "new_code", "join_code", "resume_code",
           "new_token", "code_bits", "normalise_code", "same_secret"]

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I L O U
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
JOIN_CODE_CHARS = 7
RESUME_CODE_CHARS = 10


def code_bits(n_chars: int, alphabet: str = CODE_ALPHABET) -> float:
    """Entropy in bits of a uniformly random code."""
    return n_chars * math.log2(len(alphabet))


def new_code(n_chars: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n_chars))


def join_code() -> str:
    """A room's join code (7 characters)."""
    return new_code(JOIN_CODE_CHARS)


def resume_code() -> str:
    """A learner's personal resume code (10 characters)."""
    return new_code(RESUME_CODE_CHARS)


def new_token() -> str:
    """A teacher or parent token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def normalise_code(text: str) -> str:
    """What the learner typed, forgiving case, spaces and dashes."""
    return "".join(text.split()).replace("-", "").upper().translate(_LOOK_ALIKES)


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; None never matches."""
    if given is None or expected is None:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())
