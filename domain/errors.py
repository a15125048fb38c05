"""The domain's named errors: each says what was refused and why, in words a user can act on."""


class DomainError(Exception):
    """Base of every refusal by the domain. `code` is stable and names the error."""

    code = "domain-error"


class InvalidValue(DomainError):
    """A value does not have the shape the domain needs (a NIP, a score, a rank range...).
    `field` names the input it concerns, when one does (e.g. `evaluated_on`)."""

    code = "invalid-value"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class IllegalTransition(DomainError):
    """A command came in an order the process does not allow (e.g. executing before the decree)."""

    code = "illegal-transition"


class RuleViolation(DomainError):
    """An eligibility or business rule failed and no valid override was given."""

    code = "rule-violation"

    def __init__(self, message: str, rules: tuple[str, ...] = ()):
        super().__init__(message)
        self.rules = rules


class ConflictOfInterest(RuleViolation):
    """Somebody tried to propose, review or decide their own transfer, or decide their own proposal."""

    code = "conflict-of-interest"
