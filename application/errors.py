"""The application's own errors, beside the domain's: not found, already exists, conflicts."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of the application's errors; `code` is stable."""

    code = "application-error"


class NotFoundError(ApplicationError):
    """No such aggregate."""

    code = "not-found"


class EmployeeNotFound(NotFoundError):
    """No employee with that id or NIP."""

    code = "employee-not-found"


class PositionNotFound(NotFoundError):
    """No position with that id."""

    code = "position-not-found"


class RoundNotFound(NotFoundError):
    """No mutation round with that id."""

    code = "round-not-found"


class AlreadyExists(ApplicationError):
    """Registering something that is already registered (same NIP, same position)."""

    code = "already-exists"


class ConcurrentChange(ApplicationError):
    """Somebody else changed the same aggregate between our read and our write; nothing was saved."""

    code = "concurrent-change"


class VersionMismatch(ConcurrentChange):
    """The caller expected another version of the aggregate than the one stored (If-Match)."""

    code = "version-mismatch"

    def __init__(self, message: str, expected: int, actual: int):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class StoreNotReady(ApplicationError):
    """The event store cannot be reached or has no tables (run `mutasi db init`)."""

    code = "store-not-ready"


class StoreUnavailable(StoreNotReady):
    """The database failed or could not be reached in time (a lost connection, a restart, no free
    connection within the pool's timeout); nothing more was recorded than the answer says. Retry."""

    code = "store-unavailable"


class DeadlinePassed(StoreUnavailable):
    """The command waited longer than its deadline before it could be saved; it was not recorded."""

    code = "deadline-passed"
