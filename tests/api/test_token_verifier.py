"""The server's token check remembers accepted tokens, but never past their expiry or across secrets."""

from __future__ import annotations

import time

import pytest

from api.http import security
from api.http.roles import Role
from api.http.security import BadToken, Principal, TokenVerifier, mint_token

SECRET = "a-test-secret-of-sufficient-length-0123456789"


def test_an_accepted_token_names_the_same_principal_again():
    verifier = TokenVerifier(SECRET)
    token = mint_token(SECRET, Role.OPERATOR, "siti", nip="198503302010031001")
    expected = Principal("siti", Role.OPERATOR, "198503302010031001")
    assert verifier.verify(token) == expected
    assert verifier.verify(token) == expected


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch):
    verifier = TokenVerifier(SECRET)
    token = mint_token(SECRET, Role.OPERATOR, "siti", ttl_minutes=1)
    verifier.verify(token)
    later = time.time() + 120
    monkeypatch.setattr(security.time, "time", lambda: later)
    monkeypatch.setattr(security.jwt.api_jwt, "datetime", _Frozen(later), raising=False)
    with pytest.raises(BadToken, match="expired"):
        verifier.verify(token)


def test_a_token_accepted_under_one_secret_is_refused_under_another():
    token = mint_token(SECRET, Role.PPK, "budi")
    TokenVerifier(SECRET).verify(token)
    with pytest.raises(BadToken, match="Signature"):
        TokenVerifier("another-secret-of-sufficient-length-0123456789").verify(token)


@pytest.mark.parametrize("token", ["not-a-jwt", mint_token(SECRET, Role.OPERATOR, "old", ttl_minutes=-5)])
def test_a_refused_token_stays_refused(token):
    verifier = TokenVerifier(SECRET)
    for _ in range(2):
        with pytest.raises(BadToken):
            verifier.verify(token)


def test_the_memory_is_bounded():
    verifier = TokenVerifier(SECRET, size=2)
    tokens = [mint_token(SECRET, Role.OPERATOR, f"user{i}") for i in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert len(verifier._accepted) <= 2
    assert [verifier.verify(token).user for token in tokens] == [f"user{i}" for i in range(5)]


class _Frozen:
    """Stands in for `datetime` in PyJWT's expiry check: `now()` is a fixed later moment."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def now(self, tz=None):
        from datetime import datetime

        return datetime.fromtimestamp(self.moment, tz)
