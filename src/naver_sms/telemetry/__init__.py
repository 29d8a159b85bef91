"""Telemetry for the naver-sms Lambda: OpenTelemetry spans and metrics, structlog logs.

Importing this package is cheap: the public names below load their modules on first use
(PEP 562); the OpenTelemetry SDK, its providers and the chosen exporters load only in
`configure()`, and only with telemetry on.

Rooms: :mod:`~naver_sms.telemetry.catalog` (every span, metric and log field),
:mod:`~naver_sms.telemetry.instruments` (the facade the flow calls, on the OpenTelemetry API),
:mod:`~naver_sms.telemetry.setup` (the SDK providers, processors, readers, exporter choice),
:mod:`~naver_sms.telemetry.exporters` (the EMF and X-Ray UDP plug-ins),
:mod:`~naver_sms.telemetry.logging` (the structlog chain) and
:mod:`~naver_sms.telemetry.handler` (the Lambda handler wrapper); masking rules live in
:mod:`naver_sms.privacy`.

    from naver_sms.telemetry import instrument_handler

    @instrument_handler(switch=telemetry_switch_is_on)
    def lambda_handler(event, context): ...

- :func:`configure` — install the pipeline once per execution environment (idempotent; the
  decorator calls it at init).
- :func:`instrument_handler` — invocation span, cold start, bounded flush, kill switch.
- :func:`configure_logging` — the structlog JSON chain alone (CLI tools without telemetry).
- :func:`register_secrets` — values to redact from every log line, span and metric.
- :func:`flush` — export now, for code that runs outside the handler wrapper (CLI, replay).
- :func:`in_memory` — what the `memory` exporters received (tests, demo).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from naver_sms.privacy import register_secrets
    from naver_sms.telemetry.handler import instrument_handler
    from naver_sms.telemetry.logging import configure_logging
    from naver_sms.telemetry.setup import configure, flush, in_memory

__all__ = [
    "configure",
    "configure_logging",
    "flush",
    "in_memory",
    "instrument_handler",
    "register_secrets",
]

_WHERE = {
    "configure": "naver_sms.telemetry.setup",
    "flush": "naver_sms.telemetry.setup",
    "in_memory": "naver_sms.telemetry.setup",
    "instrument_handler": "naver_sms.telemetry.handler",
    "configure_logging": "naver_sms.telemetry.logging",
    "register_secrets": "naver_sms.privacy",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'naver_sms.telemetry' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
