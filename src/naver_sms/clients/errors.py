"""The shape every outbound delivery failure shares (SENS, Telegram): HTTP status, attempts
made, and whether a later run may try again, so the processor can treat them alike."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message was not delivered. `retryable`: a later run may try again.

    Subclasses set `retryable` as a class default; an explicit ``retryable=`` overrides it for
    one instance. ``str()`` is ``"<summary> (HTTP <status>, attempts=<n>)"``.
    """

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts
        self.retry_after = retry_after  # seconds the service asked to wait (429), if any
        if retryable is not None:
            self.retryable = retryable

    def _summary(self) -> str:
        """What went wrong, without the status and attempt count."""
        return str(self.args[0])

    def __str__(self) -> str:
        http_status = "" if self.status is None else f"HTTP {self.status}, "
        return f"{self._summary()} ({http_status}attempts={self.attempts})"
