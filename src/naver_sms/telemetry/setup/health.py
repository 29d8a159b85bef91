"""Export failures: logged once per failing signal, counted until a metric export delivers them.

A collector that is down fails every invocation's export; one log line per invocation would
bury the function's own lines, so a failing signal is logged once
(`telemetry_export_failed`, with why) and once again when it recovers
(`telemetry_export_recovered`). Every failure is counted and the counts travel as
`telemetry_export_failures` points with the next metric export that succeeds.

The upstream OTLP exporters log each failure (and each retry) themselves on the
`opentelemetry.exporter` loggers; those records are kept here as the failure's detail instead
of reaching stdout at every invocation.
"""

from __future__ import annotations

import logging

import structlog

from naver_sms.privacy import scrub_text

_log = structlog.get_logger("naver_sms.telemetry")
EXPORTER_LOGGER = "opentelemetry.exporter"


class _LastExporterMessage(logging.Handler):
    """Keeps the last warning an upstream exporter logged (the reason of its FAILURE)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.message: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.message = scrub_text(record.getMessage())
        except Exception:
            self.message = record.msg if isinstance(record.msg, str) else None


_exporter_messages = _LastExporterMessage()


def capture_exporter_logs() -> None:
    """Route the upstream exporters' own failure logs here (idempotent)."""
    logger = logging.getLogger(EXPORTER_LOGGER)
    if _exporter_messages not in logger.handlers:
        logger.addHandler(_exporter_messages)
    logger.propagate = False


class ExportHealth:
    """Which signals are failing, how many failures in total, and how many not yet delivered."""

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.failing: set[str] = set()
        self.pending: dict[str, int] = {}

    def reset(self) -> None:
        """Forget everything (tests)."""
        self.failures.clear()
        self.failing.clear()
        self.pending.clear()

    def failed(self, signal: str, detail: str) -> None:
        self.failures[signal] = self.failures.get(signal, 0) + 1
        self.pending[signal] = self.pending.get(signal, 0) + 1
        if signal not in self.failing:
            self.failing.add(signal)
            _log.warning("telemetry_export_failed", signal=signal, detail=detail)

    def succeeded(self, signal: str) -> None:
        if signal in self.failing:
            self.failing.discard(signal)
            _log.info("telemetry_export_recovered", signal=signal)

    def take_pending(self) -> dict[str, int]:
        """The counts to deliver with the metric export about to happen."""
        pending, self.pending = self.pending, {}
        return pending

    def restore(self, counts: dict[str, int]) -> None:
        """Counts that an export did not deliver: they go with the next one."""
        for signal, count in counts.items():
            self.pending[signal] = self.pending.get(signal, 0) + count

    @staticmethod
    def reason(exporter: object) -> str:
        """Why an export returned FAILURE: the exporter's own `last_error`, else what the
        upstream exporter logged, else a generic text."""
        own = getattr(exporter, "last_error", None)
        if own:
            return str(own)
        message, _exporter_messages.message = _exporter_messages.message, None
        return message or "export returned FAILURE"
