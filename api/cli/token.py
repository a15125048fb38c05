"""`mutasi token ROLE --user NAME [--nip NIP]`: mint a bearer token (development mode).

With no `MUTASI_JWT_SECRET` on the SQLite default store the token is signed with the development secret
that `mutasi serve` generated beside the SQLite file; with a configured secret it is signed with that.
"""

from __future__ import annotations

import argparse

from api.http.roles import Role
from application.settings import Settings
from domain.nip import Nip

ROLES = tuple(role.value for role in Role if role is not Role.PUBLIC)


def register(commands: argparse._SubParsersAction) -> None:
    """Add `token`."""
    token = commands.add_parser("token", help="mint a bearer token for a role (development mode)")
    token.add_argument("role", choices=ROLES, help="the role the token grants")
    token.add_argument("--user", required=True, help="the user id recorded in every event")
    token.add_argument("--nip", help="the user's own NIP, if a civil servant (conflicts of interest)")
    token.add_argument("--ttl-minutes", type=int, help="validity (default MUTASI_TOKEN_TTL_MINUTES or 480)")
    token.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the token on stdout."""
    from api.http.security import ApiSettings, jwt_secret, mint_token

    api = ApiSettings()
    nip = Nip.parse(args.nip).value if args.nip else None
    ttl = args.ttl_minutes or api.token_ttl_minutes
    print(mint_token(jwt_secret(settings, api), Role(args.role), args.user, nip, ttl))
    return 0
