"""Bearer tokens (JWT, HS256): the API's settings, minting (development mode) and verifying.

A token carries `sub` (the user), `role` (see `roles.Role`), `agencies` (the agencies the user acts for;
`"*"` for a national auditor or office), optionally `office` (the Governor, the Minister of Home Affairs or
the Head of BKN, who decide cross-agency transfers) and `nip` (the user's own NIP, so that conflicts of
interest show). Without `MUTASI_JWT_SECRET` on the SQLite default store the
service runs in development mode: a random secret is generated once and kept beside the SQLite file
(`<sqlite_path>-jwt-secret`, mode 0600), where `mutasi token` and `mutasi serve` both read it.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.http.roles import Role
from application.settings import Settings
from domain.vocabulary import Office

ALGORITHM = "HS256"
ISSUER = "mutasi"


class ApiSettings(BaseSettings):
    """The HTTP layer's own settings (prefix `MUTASI_`), built once at start-up."""

    model_config = SettingsConfigDict(env_prefix="MUTASI_", extra="ignore")

    jwt_secret: SecretStr | None = Field(None, description="HS256 secret; required unless development mode")
    token_ttl_minutes: int = Field(480, ge=1, le=60 * 24 * 30)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)


class NoSecret(ValueError):
    """No JWT secret is configured and the store is not the SQLite development default."""


def development_secret_path(settings: Settings) -> Path:
    """Where development mode keeps its generated secret: beside the SQLite file."""
    return settings.sqlite_path.with_name(settings.sqlite_path.name + "-jwt-secret")


def jwt_secret(settings: Settings, api: ApiSettings) -> str:
    """The configured secret, or in development mode (SQLite store) the generated one."""
    if api.jwt_secret is not None and api.jwt_secret.get_secret_value():
        return api.jwt_secret.get_secret_value()
    if settings.store != "sqlite":
        raise NoSecret("set MUTASI_JWT_SECRET: development mode (generated secret) is for the SQLite store only")
    path = development_secret_path(settings)
    if not path.exists():  # first start: write it aside, readable by us only, then link it in place
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: of two processes starting at once, one secret wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their role, their NIP if they are a civil servant, the agencies they
    act for and their deciding office, if any."""

    user: str
    role: Role
    nip: str | None = None
    agencies: tuple[str, ...] = ()
    office: Office | None = None


ANONYMOUS = Principal("anonymous", Role.PUBLIC)


def mint_token(
    secret: str, role: Role, user: str, nip: str | None = None, ttl_minutes: int = 480,
    agencies: tuple[str, ...] = (), office: Office | None = None,
) -> str:
    """A signed token for `user` acting as `role` for `agencies` (with `office`, if any)."""
    if Role(role) is Role.PUBLIC:
        raise ValueError("the public role needs no token")
    now = datetime.now(timezone.utc)
    claims: dict[str, object] = {"iss": ISSUER, "sub": user, "role": Role(role).value, "iat": now,
                                 "exp": now + timedelta(minutes=ttl_minutes), "agencies": list(agencies)}
    if nip:
        claims["nip"] = nip
    if office is not None:
        claims["office"] = Office(office).value
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class BadToken(Exception):
    """The bearer token is malformed, expired, badly signed or names no known role."""


def verify_token(secret: str, token: str) -> Principal:
    """The principal a token names, or `BadToken` saying why not."""
    return _verified(secret, token)[0]


class TokenVerifier:
    """`verify_token` with a memory of the tokens it accepted, until each one's `exp`.

    A client sends the same token with every request, and checking its HS256 signature and claims
    was a seventh of the server's time per command. A remembered token is the same string (signature
    included) that passed the full check under the same secret; its expiry is checked on every use.
    """

    def __init__(self, secret: str, size: int = 4096) -> None:
        self.secret, self.size = secret, size
        self._accepted: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        """The principal a token names, or `BadToken` saying why not."""
        accepted = self._accepted.get(token)
        if accepted is not None and time.time() < accepted[1]:
            return accepted[0]
        self._accepted.pop(token, None)
        principal, expires = _verified(self.secret, token)
        if len(self._accepted) >= self.size:
            self._accepted.clear()
        self._accepted[token] = (principal, expires)
        return principal


def _verified(secret: str, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "role"]})
    except jwt.InvalidTokenError as error:
        raise BadToken(str(error)) from None
    user, role, nip = claims.get("sub"), claims.get("role"), claims.get("nip")
    agencies, office = claims.get("agencies", []), claims.get("office")
    if not isinstance(user, str) or not user.strip():
        raise BadToken("the token names no user")
    if role not in {r.value for r in Role} or role == Role.PUBLIC.value:
        raise BadToken(f"unknown role {role!r}")
    if nip is not None and not isinstance(nip, str):
        raise BadToken("the nip claim must be a string")
    if not isinstance(agencies, list) or not all(isinstance(a, str) and a.strip() for a in agencies):
        raise BadToken("the agencies claim must be a list of agency names")
    if office is not None and office not in {o.value for o in Office}:
        raise BadToken(f"unknown office {office!r}")
    return Principal(user, Role(role), nip, tuple(agencies), Office(office) if office else None), float(claims["exp"])
