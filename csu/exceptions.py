"""Rule violations raised by services; interfaces map them to one error shape."""

from typing import Any


class ApplicationError(Exception):
    """A request that is well-formed but breaks a rule of the unit."""

    code = "application_error"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
