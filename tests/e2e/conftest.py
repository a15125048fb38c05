"""The end-to-end tests use the REST API fixtures of tests/api."""

from tests.api.conftest import api, reporting_api, sqlite_api, sqlite_settings  # noqa: F401
