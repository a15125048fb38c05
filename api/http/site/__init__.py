"""The public transparency site: server-rendered Indonesian pages under `/publik` (Jinja2, no JavaScript).

Every page reads the transparency view only (`projections.public`), in one snapshot, and says as of
which store position and time it is. The pages are outside the OpenAPI document (they are HTML for
people, not an API); their rows in the role matrix are `api.http.roles.PAGES` (anyone).
"""

from api.http.site.pages import router

__all__ = ["router"]
