"""OpenID Connect sign-on: the access tokens of the agencies' identity provider (e.g. Keycloak).

A token is accepted when PyJWT verifies it against the issuer's published keys (JWKS, by `kid`):
its signature (RS256/ES256 by default, never HS256 here), `exp`, `nbf`, `iss` and `aud`. Its claims
are then mapped to the same `Principal` a development token names; which claims carry the user, the
role, the agencies, the NIP and the office is configured (`ApiSettings.oidc_*`), each a claim name or
a dotted path into nested claims (`realm_access.roles`).

The keys are cached. They are fetched again when they are older than `oidc_jwks_max_age_seconds`, or
when a token names a `kid` the cache does not hold (the provider rotated its keys), but never twice
within `oidc_jwks_cooldown_seconds`: a stream of tokens with made-up `kid`s cannot make us hammer the
provider. A failed fetch keeps the keys we had.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from api.http.problems import RequestRefused
from api.http.roles import Role
from api.http.security import ApiSettings, BadToken, Principal, principal_from

log = logging.getLogger("mutasi.http.oidc")


class SignOnUnavailable(RequestRefused):
    """The identity provider's keys could not be loaded, so no token of it can be checked."""

    status, code, title = 503, "sign-on-unavailable", "Sign-on unavailable"


class JwksKeys:
    """The identity provider's signing keys by `kid`, loaded by `load` and kept (see the module)."""

    def __init__(
        self, load: Callable[[], PyJWKSet], max_age: float, cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.load, self.max_age, self.cooldown, self.clock = load, max_age, cooldown, clock
        self.fetches = 0
        self._keys: dict[str | None, PyJWK] = {}
        self._loaded_at: float | None = None
        self._tried_at: float | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Load the keys now (at start-up, or when `key` decides to); a failure keeps the old ones."""
        self._tried_at = self.clock()
        self.fetches += 1
        try:
            keys = self.load().keys
        except (jwt.PyJWTError, OSError, ValueError) as error:
            log.warning(json.dumps({"event": "jwks_unavailable", "error": str(error)}))
            return
        signing = [key for key in keys if key.public_key_use in ("sig", None)]
        self._keys = {key.key_id: key for key in signing}
        if len(signing) == 1:
            self._keys[None] = signing[0]  # a token without `kid` may use the only key there is
        self._loaded_at = self._tried_at

    def key(self, kid: str | None) -> PyJWK:
        """The key named `kid`, fetching the set again if it is unknown or old (and we may)."""
        with self._lock:
            now = self.clock()
            old = self._loaded_at is None or now - self._loaded_at >= self.max_age
            may_fetch = self._tried_at is None or now - self._tried_at >= self.cooldown
            if (old or kid not in self._keys) and may_fetch:
                self.refresh()
            if self._loaded_at is None:
                raise SignOnUnavailable("the identity provider's keys could not be loaded; try again shortly")
            key = self._keys.get(kid)
        if key is None:
            raise BadToken(
                f"the token's key {kid!r} is not among the identity provider's keys"
                if kid
                else "the token names no key (kid)"
            )
        return key


def jwks_loader(api: ApiSettings) -> Callable[[], PyJWKSet]:
    """How to load the configured JWKS: from its URL, or from its file."""
    if api.oidc_jwks_file is not None:
        path = Path(api.oidc_jwks_file)
        return lambda: PyJWKSet.from_json(path.read_text(encoding="utf-8"))
    client = PyJWKClient(str(api.oidc_jwks_url), cache_jwk_set=False, timeout=api.oidc_jwks_timeout_seconds)
    return client.get_jwk_set


class SignOn:
    """Verifies the identity provider's tokens and maps their claims to a `Principal`."""

    def __init__(self, api: ApiSettings, keys: JwksKeys | None = None) -> None:
        self.api = api
        self.keys = keys or JwksKeys(jwks_loader(api), api.oidc_jwks_max_age_seconds, api.oidc_jwks_cooldown_seconds)

    def check(self, token: str) -> tuple[Principal, float]:
        """The principal the token names and its expiry, or `BadToken` saying why not."""
        api = self.api
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            claims = jwt.decode(
                token,
                self.keys.key(kid if isinstance(kid, str) else None),
                algorithms=list(api.oidc_algorithms),
                issuer=api.oidc_issuer,
                audience=api.oidc_audience,
                leeway=api.oidc_leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError as error:
            raise BadToken(str(error)) from None
        role = self._role(claim(claims, api.oidc_role_claim))
        agencies = claim(claims, api.oidc_agencies_claim)
        principal = principal_from(
            claim(claims, api.oidc_user_claim),
            role,
            claim(claims, api.oidc_nip_claim),
            [agencies] if isinstance(agencies, str) else [] if agencies is None else agencies,
            claim(claims, api.oidc_office_claim),
        )
        return principal, float(claims["exp"])

    def _role(self, value: object) -> str:
        """The one Mutasi role among the claim's values (after the prefix, if one is configured)."""
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else None
        if values is None:
            raise BadToken(f"the {self.api.oidc_role_claim} claim holds no role")
        prefix = self.api.oidc_role_prefix
        names = {v.removeprefix(prefix) for v in values if isinstance(v, str) and v.startswith(prefix)}
        roles = sorted(names & {r.value for r in Role if r is not Role.PUBLIC})
        if len(roles) != 1:
            raise BadToken(
                f"the {self.api.oidc_role_claim} claim must hold exactly one Mutasi role, found {roles or 'none'}"
            )
        return roles[0]


def claim(claims: dict[str, Any], name: str) -> object:
    """A claim by name, or by dotted path into nested objects (`realm_access.roles`). A name that is
    itself a claim wins (namespaced claims such as `https://example.go.id/roles` hold dots)."""
    if name in claims:
        return claims[name]
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
