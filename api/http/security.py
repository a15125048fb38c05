"""Bearer tokens (JWT, HS256): the API's settings, minting (development mode) and verifying.

A token carries `sub` (the user), `role` (see `roles.Role`), `agencies` (the agencies the user acts for;
`"*"` for a national auditor or office), optionally `office` (the Governor, the Minister of Home Affairs or
the Head of BKN, who decide cross-agency transfers) and `nip` (the user's own NIP, so that conflicts of
interest show). Without `MUTASI_JWT_SECRET` on the SQLite default store the
service runs in development mode: a random secret is generated once and kept beside the SQLite file
(`<sqlite_path>-jwt-secret`, mode 0600), where `mutasi token` and `mutasi serve` both read it.
With OpenID Connect sign-on (`MUTASI_OIDC_ISSUER`, `api/http/oidc.py`) the identity provider's tokens
are accepted instead, mapped to the same `Principal` (`principal_from`), and HS256 ones are refused
unless `MUTASI_OIDC_ALLOW_HS256`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import jwt
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.http.roles import Role
from application.persistence.paths import beside_store
from application.settings import Settings
from domain.vocabulary import Office

ALGORITHM = "HS256"
ISSUER = "mutasi"


class ApiSettings(BaseSettings):
    """The HTTP layer's own settings (prefix `MUTASI_`), built once at start-up."""

    model_config = SettingsConfigDict(env_prefix="MUTASI_", extra="ignore", env_file=".env", env_file_encoding="utf-8")

    jwt_secret: SecretStr | None = Field(None, description="HS256 secret; required unless development mode")
    token_ttl_minutes: int = Field(480, ge=1, le=60 * 24 * 30)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # OpenID Connect sign-on (api/http/oidc.py): set the issuer to accept its RS256/ES256 tokens
    oidc_issuer: str | None = Field(
        None, description="the identity provider's issuer (`iss`), e.g. https://sso.example.go.id/realms/bkpsdm"
    )
    oidc_audience: str | None = Field(None, description="the `aud` our tokens must name (the client id)")
    oidc_jwks_url: str | None = Field(None, description="where the issuer publishes its keys (JWKS)")
    oidc_jwks_file: Path | None = Field(None, description="a JWKS file instead (air-gapped sites)")
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_user_claim: str = "sub"
    oidc_role_claim: str = Field(
        "realm_access.roles",
        description="a claim name or a dotted path; a string or a list holding exactly one of Mutasi's roles",
    )
    oidc_role_prefix: str = Field("", description="only roles with this prefix count, prefix removed")
    oidc_agencies_claim: str = "agencies"
    oidc_nip_claim: str = "nip"
    oidc_office_claim: str = "office"
    oidc_leeway_seconds: int = Field(30, ge=0, le=300, description="clock skew allowed on exp and nbf")
    oidc_jwks_max_age_seconds: int = Field(3600, ge=1, description="keys are refetched after this")
    oidc_jwks_cooldown_seconds: int = Field(
        30, ge=0, description=("least time between two fetches of the keys (an unknown kid triggers one)")
    )
    oidc_jwks_timeout_seconds: float = Field(5, gt=0, le=60)
    oidc_allow_hs256: bool = Field(False, description="with OIDC, still accept development HS256 tokens")
    # conventions: browsers on other origins, the metrics scraper
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description=("origins whose browsers may call the API, comma-separated or a JSON list (none by default)")
    )
    metrics_enabled: bool = Field(False, description="serve Prometheus metrics at /metrics")
    metrics_token: SecretStr | None = Field(None, description="if set, /metrics wants it as a bearer token")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [o.strip() for o in text.split(",") if o.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], no path or trailing /)")
        return origins

    @field_validator("oidc_algorithms", mode="before")
    @classmethod
    def _algorithm_list(cls, value: object) -> object:
        return [a.strip() for a in value.split(",") if a.strip()] if isinstance(value, str) else value

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [a for a in algorithms if a not in _ASYMMETRIC]
        if wrong or not algorithms:
            raise ValueError(f"OIDC tokens are verified with public keys: one or more of {sorted(_ASYMMETRIC)}")
        return algorithms

    @model_validator(mode="after")
    def _sign_on_complete(self) -> ApiSettings:
        if self.oidc_issuer:
            if not self.oidc_audience:
                raise ValueError("MUTASI_OIDC_ISSUER needs MUTASI_OIDC_AUDIENCE")
            if bool(self.oidc_jwks_url) == bool(self.oidc_jwks_file):
                raise ValueError("MUTASI_OIDC_ISSUER needs one of MUTASI_OIDC_JWKS_URL, MUTASI_OIDC_JWKS_FILE")
        return self

    @property
    def sign_on(self) -> bool:
        """True when tokens of an OpenID Connect provider are accepted."""
        return bool(self.oidc_issuer)

    @property
    def accepts_hs256(self) -> bool:
        """True when development (HS256) tokens are accepted: without sign-on, or explicitly beside it."""
        return not self.sign_on or self.oidc_allow_hs256


_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")
_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})


class NoSecret(ValueError):
    """No JWT secret is configured and the store is not the SQLite development default."""


def development_secret_path(settings: Settings) -> Path:
    """Where development mode keeps its generated secret: beside the SQLite file."""
    return beside_store(settings, "-jwt-secret")


MIN_SECRET_BYTES = 32
EXAMPLE_SECRETS = frozenset(
    {
        "change-me-to-a-long-random-secret-of-32-bytes-or-more",  # the compose file's default until 2026-12
    }
)
"""Secrets published in the repository (tests/deploy checks that every example there is listed)."""


class WeakSecret(ValueError):
    """The configured JWT secret is too short or published: anyone could mint tokens with it."""


def strong_secret(secret: str) -> str:
    """`secret`, unless it is shorter than 32 bytes or an example published in the repository."""
    if secret in EXAMPLE_SECRETS:
        raise WeakSecret(
            "MUTASI_JWT_SECRET is an example published in the Mutasi repository: "
            "generate one, e.g. `openssl rand -base64 48`"
        )
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise WeakSecret(
            f"MUTASI_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes: generate one, e.g. `openssl rand -base64 48`"
        )
    return secret


def jwt_secret(settings: Settings, api: ApiSettings, create: bool = True) -> str:
    """The configured secret (refused if weak), or in development mode (SQLite store) the generated
    one; with `create=False` (`mutasi token`) a missing development secret is `NoSecret`, naming where
    it was looked for, instead of a new one that the running service would not know."""
    if api.jwt_secret is not None and api.jwt_secret.get_secret_value():
        return strong_secret(api.jwt_secret.get_secret_value())
    if settings.store != "sqlite":
        raise NoSecret("set MUTASI_JWT_SECRET: development mode (generated secret) is for the SQLite store only")
    path = development_secret_path(settings)
    if not create and not path.exists():
        raise NoSecret(
            f"no store or secret to sign for: MUTASI_JWT_SECRET is not set and {path.resolve()} "
            "does not exist (start `mutasi serve` here first, or set MUTASI_SQLITE_PATH or "
            "MUTASI_JWT_SECRET as the service has them)"
        )
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
    secret: str,
    role: Role,
    user: str,
    nip: str | None = None,
    ttl_minutes: int = 480,
    agencies: tuple[str, ...] = (),
    office: Office | None = None,
) -> str:
    """A signed token for `user` acting as `role` for `agencies` (with `office`, if any)."""
    if Role(role) is Role.PUBLIC:
        raise ValueError("the public role needs no token")
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": user,
        "role": Role(role).value,
        "iat": now,
        "exp": now + timedelta(minutes=ttl_minutes),
        "agencies": list(agencies),
    }
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

    With sign-on (`sign_on`: `oidc.SignOn.check`), tokens signed by the identity provider are checked
    by it; HS256 tokens only when a `secret` is given (development, or `MUTASI_OIDC_ALLOW_HS256`).
    """

    def __init__(
        self, secret: str | None, size: int = 4096, sign_on: Callable[[str], tuple[Principal, float]] | None = None
    ) -> None:
        if secret is None and sign_on is None:
            raise ValueError("a token verifier needs a secret, a sign-on, or both")
        self.secret, self.size, self.sign_on = secret, size, sign_on
        self._accepted: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        """The principal a token names, or `BadToken` saying why not."""
        accepted = self._accepted.get(token)
        if accepted is not None and time.time() < accepted[1]:
            return accepted[0]
        self._accepted.pop(token, None)
        principal, expires = self._check(token)
        if len(self._accepted) >= self.size:
            self._accepted.clear()
        self._accepted[token] = (principal, expires)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        if self.sign_on is None:
            return _verified(self.secret or "", token)
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as error:
            raise BadToken(str(error)) from None
        if algorithm != ALGORITHM:
            return self.sign_on(token)
        if self.secret is None:
            raise BadToken("development (HS256) tokens are not accepted here: sign in with the identity provider")
        return _verified(self.secret, token)


def _verified(secret: str, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iat", "sub", "role"]}
        )
    except jwt.InvalidTokenError as error:
        raise BadToken(str(error)) from None
    principal = principal_from(
        claims.get("sub"), claims.get("role"), claims.get("nip"), claims.get("agencies", []), claims.get("office")
    )
    return principal, float(claims["exp"])


_ROLES = frozenset(r.value for r in Role) - {Role.PUBLIC.value}
_OFFICES = frozenset(o.value for o in Office)


def principal_from(user: object, role: object, nip: object, agencies: object, office: object) -> Principal:
    """The principal that a verified token's claims name, or `BadToken` saying which claim is wrong.
    Claims are untrusted JSON: any of them may be a list, an object or a number."""
    if not isinstance(user, str) or not user.strip():
        raise BadToken("the token names no user")
    if not isinstance(role, str) or role not in _ROLES:
        raise BadToken(f"unknown role {role!r}" if isinstance(role, str) else "the role claim must be one role name")
    if nip is not None and not isinstance(nip, str):
        raise BadToken("the nip claim must be a string")
    if not isinstance(agencies, list) or not all(isinstance(a, str) and a.strip() for a in agencies):
        raise BadToken("the agencies claim must be a list of agency names")
    if office is not None and (not isinstance(office, str) or office not in _OFFICES):
        raise BadToken(f"unknown office {office!r}")
    if role == Role.EMPLOYEE.value and not nip:
        raise BadToken("an employee's token must carry their NIP (claim nip)")
    return Principal(user, Role(role), nip, tuple(agencies), Office(office) if office else None)
