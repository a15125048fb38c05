"""OpenID Connect sign-on: tokens of an identity provider whose keys (JWKS) the test makes and serves itself."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import ValidationError

from api.http.app import create_app
from api.http.oidc import JwksKeys, SignOn
from api.http.roles import Role
from api.http.security import ApiSettings, BadToken, Principal, TokenVerifier, mint_token
from application.bootstrap import open_application
from application.settings import Settings
from domain.vocabulary import Office
from tests.api.support import AGENCY, OTHER_AGENCY, SECRET
from tests.scenario import STANDARD

_TITLES = itertools.count()
ISSUER = "https://sso.example.go.id/realms/bkpsdm"
AUDIENCE = "mutasi-api"


class Provider:
    """An identity provider's keys: private keys by kid, and the JWKS of the public ones it publishes."""

    def __init__(self) -> None:
        self.private: dict[str, Any] = {}
        self.published: list[str] = []
        self.fetches = 0

    def add(self, kid: str, kind: str = "RS256", publish: bool = True) -> None:
        self.private[kid] = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "RS256"
            else ec.generate_private_key(ec.SECP256R1())
        )
        if publish:
            self.published.append(kid)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            key = self.private[kid]
            algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
            jwk = algorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256" if algorithm is RSAAlgorithm else "ES256"})
        return {"keys": keys}

    def token(self, kid: str, **claims: Any) -> str:
        """A token signed with key `kid`: an operator of AGENCY, valid for 5 minutes (claims override;
        a claim given as None is left out)."""
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "f3b1c2d4-user",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "preferred_username": "siti",
            "realm_access": {"roles": ["offline_access", "uma_authorization", "operator"]},
            "agencies": [AGENCY],
            "nip": "198503302010031001",
        }
        body = {k: v for k, v in {**body, **claims}.items() if v is not None}
        key = self.private[kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    """The provider and the URL of its JWKS, served on 127.0.0.1 while the test runs."""
    idp = Provider()
    idp.add("rsa-1")
    idp.add("ec-1", "ES256")

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the standard library's name
            idp.fetches += 1
            body = json.dumps(idp.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp, f"http://127.0.0.1:{server.server_address[1]}/realms/bkpsdm/protocol/openid-connect/certs"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sign_on_settings(**overrides: Any) -> ApiSettings:
    """Sign-on settings (HS256 refused), as the environment would give them."""
    given: dict[str, Any] = {"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, "oidc_jwks_cooldown_seconds": 0}
    return ApiSettings(_env_file=None, **(given | overrides))


@contextmanager
def service(api: ApiSettings) -> Iterator[TestClient]:
    """The REST API on an in-memory store, signing on with `api`."""
    settings = Settings(_env_file=None, store="memory")
    application = open_application(settings)
    try:
        with TestClient(create_app(settings, application, api)) as client:
            yield client
    finally:
        application.close()


def establish(client: TestClient, token: str, agency: str = AGENCY) -> Any:
    """Establish a new position (operators only, within their agencies) with the bearer `token`."""
    return client.post(
        "/positions",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "agency": agency,
            "unit": "BPKAD",
            "title": f"Analis Keuangan {next(_TITLES)}",
            "position_type": "fungsional_ahli_pertama",
            "rank_min": "III/a",
            "rank_max": "III/d",
            "formasi": 2,
            "standard": STANDARD,
        },
    )


def refused(response: Any, because: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert because in response.json()["detail"], response.json()["detail"]


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"], ids=["RS256", "ES256"])
def test_a_token_of_the_identity_provider_is_accepted(provider, kid) -> None:
    idp, url = provider
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        assert establish(client, idp.token(kid)).status_code == 201


def test_a_key_the_provider_publishes_after_start_is_fetched_and_accepted(provider) -> None:
    idp, url = provider
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        assert establish(client, idp.token("rsa-1")).status_code == 201
        fetched = idp.fetches
        idp.add("rsa-2")  # rotation: the provider publishes a new key and signs with it
        assert establish(client, idp.token("rsa-2")).status_code == 201
        assert idp.fetches == fetched + 1
        assert establish(client, idp.token("rsa-2", sub="another")).status_code == 201
        assert idp.fetches == fetched + 1  # known now: no fetch


def test_an_unknown_kid_is_refused_after_one_fetch_and_fetches_are_rate_limited(provider) -> None:
    idp, url = provider
    idp.add("never-published", publish=False)
    with service(sign_on_settings(oidc_jwks_url=url, oidc_jwks_cooldown_seconds=60)) as client:
        fetched = idp.fetches  # the keys are loaded at start-up
        refused(establish(client, idp.token("never-published")), "not among the identity provider's keys")
        refused(establish(client, idp.token("never-published", sub="x")), "not among")
        assert idp.fetches == fetched  # within the cooldown of the start-up fetch: none
    with service(sign_on_settings(oidc_jwks_url=url, oidc_jwks_cooldown_seconds=0)) as client:
        fetched = idp.fetches
        refused(establish(client, idp.token("never-published")), "not among the identity provider's keys")
        assert idp.fetches == fetched + 1  # fetched once more, still not there


def test_fetches_of_the_keys_are_rate_limited() -> None:
    loads: list[float] = []
    now = [1000.0]

    def load() -> jwt.PyJWKSet:
        loads.append(now[0])
        idp = Provider()
        idp.add("a")
        return jwt.PyJWKSet.from_dict(idp.jwks())

    keys = JwksKeys(load, max_age=3600, cooldown=30, clock=lambda: now[0])
    keys.key("a")
    for _ in range(100):
        with pytest.raises(BadToken):
            keys.key("made-up")
    now[0] += 31
    with pytest.raises(BadToken):
        keys.key("made-up")
    now[0] += 3600
    keys.key("a")  # old: fetched again
    assert loads == [1000.0, 1031.0, 4631.0]


@pytest.mark.parametrize(
    ("claims", "because"),
    [
        ({"exp": int(time.time()) - 600}, "expired"),
        ({"nbf": int(time.time()) + 600}, "not yet valid"),
        ({"aud": "another-client"}, "Audience"),
        ({"iss": "https://evil.example.org/realms/bkpsdm"}, "issuer"),
        ({"exp": None}, "exp"),
        ({"realm_access": {"roles": ["offline_access"]}}, "exactly one Mutasi role"),
        ({"realm_access": {"roles": ["operator", "ppk"]}}, "exactly one Mutasi role"),
        ({"realm_access": {"roles": ["public"]}}, "exactly one Mutasi role"),
        ({"agencies": [{"name": AGENCY}]}, "agencies"),
        ({"office": ["governor"]}, "office"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "wrong-issuer",
        "no-exp",
        "no-role",
        "two-roles",
        "public-role",
        "agencies-objects",
        "office-list",
    ],
)
def test_a_token_that_fails_a_check_is_a_401_problem(provider, claims, because) -> None:
    idp, url = provider
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        refused(establish(client, idp.token("rsa-1", **claims)), because)


def test_a_token_signed_by_another_key_under_a_published_kid_is_refused(provider) -> None:
    _, url = provider
    impostor = Provider()
    impostor.add("rsa-1")
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        refused(establish(client, impostor.token("rsa-1")), "Signature verification failed")


def test_development_tokens_are_refused_under_sign_on_unless_allowed(provider, tmp_path) -> None:
    idp, url = provider
    development = mint_token(SECRET, Role.OPERATOR, "dev", agencies=(AGENCY,))
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        refused(establish(client, development), "development (HS256) tokens are not accepted")
    allowed = sign_on_settings(oidc_jwks_url=url, oidc_allow_hs256=True, jwt_secret=SECRET)
    with service(allowed) as client:
        assert establish(client, development).status_code == 201
        assert establish(client, idp.token("ec-1")).status_code == 201


def test_claims_map_to_the_principal_by_name_or_dotted_path(provider) -> None:
    idp, url = provider
    nested = SignOn(sign_on_settings(oidc_jwks_url=url, oidc_user_claim="preferred_username"))
    principal, _ = nested.check(idp.token("ec-1", agencies=["*"], office="governor"))
    assert principal == Principal("siti", Role.OPERATOR, "198503302010031001", ("*",), Office.GOVERNOR)
    flat = SignOn(
        sign_on_settings(
            oidc_jwks_url=url,
            oidc_role_claim="https://mutasi.example.go.id/roles",
            oidc_role_prefix="mutasi-",
            oidc_agencies_claim="org.agencies",
            oidc_nip_claim="employee_nip",
            oidc_office_claim="none",
        )
    )
    principal, _ = flat.check(
        idp.token(
            "rsa-1",
            **{
                "https://mutasi.example.go.id/roles": "mutasi-ppk",
                "realm_access": None,
                "nip": None,
                "agencies": None,
                "org": {"agencies": AGENCY},
                "employee_nip": "197001011995031001",
            },
        )
    )
    assert principal == Principal("f3b1c2d4-user", Role.PPK, "197001011995031001", (AGENCY,))
    with pytest.raises(BadToken, match="exactly one Mutasi role"):  # unprefixed roles do not count
        flat.check(idp.token("rsa-1", **{"https://mutasi.example.go.id/roles": ["ppk"]}))


def test_the_agencies_claim_bounds_what_the_caller_may_do(provider) -> None:
    idp, url = provider
    with service(sign_on_settings(oidc_jwks_url=url)) as client:
        assert establish(client, idp.token("rsa-1"), AGENCY).status_code == 201
        outside = establish(client, idp.token("rsa-1"), OTHER_AGENCY)
        assert outside.status_code == 403 and outside.json()["code"] == "outside-authority", outside.text
        assert establish(client, idp.token("rsa-1", agencies=OTHER_AGENCY), OTHER_AGENCY).status_code == 201


def test_a_jwks_file_serves_air_gapped_sites_and_is_read_again_on_rotation(tmp_path: Path) -> None:
    idp = Provider()
    idp.add("file-1")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(idp.jwks()))
    with service(sign_on_settings(oidc_jwks_file=jwks)) as client:
        assert establish(client, idp.token("file-1")).status_code == 201
        idp.add("file-2", "ES256")
        jwks.write_text(json.dumps(idp.jwks()))
        assert establish(client, idp.token("file-2")).status_code == 201


def test_without_the_providers_keys_a_token_gets_503_not_401() -> None:
    idp = Provider()
    idp.add("rsa-1")
    unreachable = sign_on_settings(oidc_jwks_url="http://127.0.0.1:9/certs", oidc_jwks_timeout_seconds=1)
    with service(unreachable) as client:
        response = establish(client, idp.token("rsa-1"))
        assert response.status_code == 503 and response.json()["code"] == "sign-on-unavailable", response.text
        assert client.get("/health/live").status_code == 200


def test_sign_on_settings_are_complete_or_refused(tmp_path) -> None:
    with pytest.raises(ValidationError, match="AUDIENCE"):
        ApiSettings(_env_file=None, oidc_issuer=ISSUER, oidc_jwks_url="https://x/certs")
    with pytest.raises(ValidationError, match="JWKS"):
        ApiSettings(_env_file=None, oidc_issuer=ISSUER, oidc_audience=AUDIENCE)
    with pytest.raises(ValidationError, match="public keys"):
        sign_on_settings(oidc_jwks_url="https://x/certs", oidc_algorithms="RS256,HS256")
    assert sign_on_settings(oidc_jwks_url="https://x/certs", oidc_algorithms="ES256").oidc_algorithms == ("ES256",)


@pytest.mark.parametrize(
    "claims",
    [
        {"role": ["operator"]},
        {"role": {"name": "operator"}},
        {"role": 3},
        {"office": ["governor"]},
        {"agencies": "*"},
        {"sub": ["siti"]},
    ],
)
def test_a_development_token_with_a_claim_of_the_wrong_shape_is_a_401_not_a_500(claims) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "mutasi",
            "sub": "siti",
            "role": "operator",
            "iat": now,
            "exp": now + 60,
            "agencies": [AGENCY],
            **claims,
        },
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(BadToken):
        TokenVerifier(SECRET).verify(token)
    settings = Settings(_env_file=None, store="memory")
    application = open_application(settings)
    try:
        with TestClient(create_app(settings, application, ApiSettings(_env_file=None, jwt_secret=SECRET))) as client:
            refused(establish(client, token), "")
    finally:
        application.close()
