"""`mutasi token ROLE --user NAME --agency AGENCY [--nip NIP] [--office OFFICE]`: mint a bearer token.

With no `MUTASI_JWT_SECRET` on the SQLite default store the token is signed with the development secret
that `mutasi serve` generated beside the SQLite file; with a configured secret it is signed with that.
It never makes a secret: with neither, it refuses and says where it looked (a new secret would sign
tokens that the running service refuses).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from api.http.roles import Role
from application.settings import Settings
from domain.nip import Nip
from domain.vocabulary import Office

if TYPE_CHECKING:  # imported where it runs: the HTTP stack is not loaded for other commands
    from api.http.security import ApiSettings

ROLES = tuple(role.value for role in Role if role is not Role.PUBLIC)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `token`."""
    token = commands.add_parser("token", help="mint a bearer token for a role (development mode)")
    token.add_argument("role", choices=ROLES, help="the role the token grants")
    token.add_argument("--user", required=True, help="the user id recorded in every event")
    token.add_argument("--nip", help="the user's own NIP, if a civil servant (conflicts of interest)")
    token.add_argument(
        "--agency",
        action="append",
        default=[],
        metavar="AGENCY",
        dest="agencies",
        help="an agency the user acts for (repeat for several; '*' = every agency, for national auditors and offices)",
    )
    token.add_argument(
        "--office",
        choices=tuple(o.value for o in Office),
        help="the deciding office of cross-agency transfers the user holds",
    )
    token.add_argument("--ttl-minutes", type=int, help="validity (default MUTASI_TOKEN_TTL_MINUTES or 480)")
    token.set_defaults(handler=run, http_settings=True)


def run(args: argparse.Namespace, settings: Settings, api: ApiSettings) -> int:
    """Print the token on stdout."""
    from api.http.security import jwt_secret, mint_token

    nip = Nip.parse(args.nip).value if args.nip else None
    ttl = args.ttl_minutes or api.token_ttl_minutes
    if Role(args.role) is Role.EMPLOYEE:
        if not nip:
            raise ValueError("an employee's token needs their own NIP: --nip")
    elif not args.agencies:
        raise ValueError("name the agency the user acts for with --agency (or '*' for every agency)")
    print(
        mint_token(
            jwt_secret(settings, api, create=False),
            Role(args.role),
            args.user,
            nip,
            ttl,
            agencies=tuple(args.agencies),
            office=Office(args.office) if args.office else None,
        )
    )
    return 0
