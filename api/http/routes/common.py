"""What the resource routers share: reading parameters (`as_of`, `version`) and the ETag on reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response
from pydantic import AwareDatetime

from api.http.deps import authorize, etag, known_query_only
from api.http.problems import documented

GUARDED = [Depends(authorize), Depends(known_query_only)]
"""Every route of a resource router goes through the role matrix, and refuses unknown query parameters."""
READ_ERRORS = documented(401, 403, 404, 422, 503)
COMMAND_ERRORS = documented(401, 403, 404, 409, 412, 422, 503)


class ReadAt:
    """`as_of` (a past moment, with its time zone) or `version`: which state of the aggregate to read."""

    def __init__(
        self,
        as_of: Annotated[AwareDatetime | None, Query(
            description="read the aggregate as recorded at this moment (ISO 8601 with time zone)",
        )] = None,
        version: Annotated[int | None, Query(ge=1, le=10**9, description="read this version")] = None,
    ) -> None:
        self.as_of = as_of
        self.version = version


ReadParams = Annotated[ReadAt, Depends()]


def tag_version(response: Response, version: int) -> None:
    """Put the aggregate version read into the ETag header."""
    response.headers["ETag"] = etag(version)
