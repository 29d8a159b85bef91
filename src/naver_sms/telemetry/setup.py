"""`configure()`: telemetry for one Lambda execution environment, installed once.

- Traces: the package's tracer (:mod:`naver_sms.telemetry.spans`, X-Ray-compatible ids)
  records on the resource built here; ended spans go to the
  :class:`~naver_sms.telemetry.pipeline.InvocationSpanBuffer`. The trace an invocation
  continues is parsed from Lambda's X-Ray header (:mod:`naver_sms.telemetry.propagation`).
- Metrics: the delta :class:`~naver_sms.telemetry.aggregation.MetricStore`, drained at the end
  of each invocation.
- Logs: the structlog JSON chain (:mod:`naver_sms.telemetry.logging`).

Neither the OpenTelemetry API nor its SDK is imported: the data model and the wire format
(OTLP) are OpenTelemetry's, the ~37 ms of imports and the per-span machinery are not
(`docs/benchmarks.md`). `configure(force=True)` re-selects exporters and the flush budget
(what tests and the demo need); the resource is fixed by the first call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

import structlog

from naver_sms.privacy import register_secrets
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry import instruments
from naver_sms.telemetry.exporters import ExporterConfigError, exporter_name, memory
from naver_sms.telemetry.exporters import metric_exporter as select_metric_exporter
from naver_sms.telemetry.exporters import span_exporter as select_span_exporter
from naver_sms.telemetry.logging import configure_logging

if TYPE_CHECKING:
    from naver_sms.telemetry.exporters import MemoryExporters
    from naver_sms.telemetry.pipeline import FlushResult, TelemetryPipeline

_log = structlog.get_logger("naver_sms.telemetry")
_OFF_VALUES = frozenset({"off", "false", "0", "no", "disabled"})


class ExportHealth:
    """Logs a failing signal once, not at every invocation, and its recovery once.

    The failures themselves are counted by the pipeline and delivered as
    `telemetry_export_failures` points with the next metric export that succeeds.
    """

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.failing: set[str] = set()

    def failed(self, signal: str, detail: str) -> None:
        self.failures[signal] = self.failures.get(signal, 0) + 1
        if signal not in self.failing:
            self.failing.add(signal)
            _log.warning("telemetry_export_failed", signal=signal, detail=detail)

    def succeeded(self, signal: str) -> None:
        if signal in self.failing:
            self.failing.discard(signal)
            _log.info("telemetry_export_recovered", signal=signal)


class Telemetry:
    """What `configure()` installed; the handler wrapper flushes through it."""

    def __init__(self, enabled: bool, flush_ms: int) -> None:
        self.enabled = enabled
        self.flush_ms = flush_ms
        self.traces_exporter = "none"
        self.metrics_exporter = "none"
        self.pipeline: TelemetryPipeline | None = None
        self.health = ExportHealth()

    def flush(self, budget_ms: float) -> FlushResult | None:
        """Export everything this invocation produced within `budget_ms`; never raises."""
        if self.pipeline is None:
            return None
        result = self.pipeline.flush(budget_ms / 1000.0)
        if result.spans_exported:
            self.health.succeeded("traces")
        if result.metrics_exported:
            self.health.succeeded("metrics")
        return result


_state: Telemetry | None = None


def current() -> Telemetry | None:
    """The installed telemetry, or None before `configure()`."""
    return _state


def flush_budget_ms(environ: Mapping[str, str], override: int | None = None) -> int:
    if override is not None:
        return max(override, 0)
    raw = environ.get(env_names.NAVER_SMS_TELEMETRY_FLUSH_MS, "")
    try:
        return max(int(raw), 0) if raw.strip() else env_names.DEFAULT_FLUSH_MS
    except ValueError:
        _log.warning(
            "telemetry_config_invalid",
            variable=env_names.NAVER_SMS_TELEMETRY_FLUSH_MS,
            value=raw,
            using=env_names.DEFAULT_FLUSH_MS,
        )
        return env_names.DEFAULT_FLUSH_MS


def telemetry_enabled(environ: Mapping[str, str], override: bool | None = None) -> bool:
    if override is not None:
        return override
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":  # the standard switch
        return False
    return environ.get(env_names.NAVER_SMS_TELEMETRY, "on").strip().lower() not in _OFF_VALUES


def _exporter_or_none(variable: str, environ: Mapping[str, str], override: str | None) -> str:
    """A bad exporter setting must not crash the function at init: log it, export nothing."""
    try:
        return exporter_name(variable, environ, override)
    except ExporterConfigError as exc:
        _log.error("telemetry_config_invalid", variable=variable, error=str(exc), using="none")
        return "none"


E = TypeVar("E")


def _build_or_none(
    build: Callable[[str, Mapping[str, str]], E | None],
    variable: str,
    name: str,
    environ: Mapping[str, str],
) -> E | None:
    """The exporter, or None when its settings cannot make one (a bad endpoint or header):
    logged, and the function runs without that signal rather than failing to start."""
    try:
        return build(name, environ)
    except Exception as exc:
        _log.error(
            "telemetry_config_invalid",
            variable=variable,
            error=f"{type(exc).__name__}: {exc}",
            using="none",
        )
        return None


def _install_pipeline(
    environ: Mapping[str, str],
    service_name: str | None,
    service_version: str | None,
    environment: str | None,
) -> TelemetryPipeline:
    """Point the tracer and the metric store at this environment's resource and buffer."""
    from naver_sms.telemetry.aggregation import STORE  # noqa: PLC0415
    from naver_sms.telemetry.pipeline import default_pipeline  # noqa: PLC0415
    from naver_sms.telemetry.resource import build_resource  # noqa: PLC0415
    from naver_sms.telemetry.spans import TRACER  # noqa: PLC0415

    resource = build_resource(
        environ,
        service_name=service_name,
        service_version=service_version,
        environment=environment,
    )
    pipeline = default_pipeline()
    TRACER.resource = resource
    TRACER.sink = pipeline.span_buffer
    STORE.resource = resource
    return pipeline


def configure(
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
    traces_exporter: str | None = None,
    metrics_exporter: str | None = None,
    flush_ms: int | None = None,
    enabled: bool | None = None,
    secrets: Iterable[str | None] = (),
    environ: Mapping[str, str] | None = None,
    logs: bool = True,
    force: bool = False,
) -> Telemetry:
    """Install telemetry for this execution environment; later calls return the same object.

    Every argument overrides its environment variable (see
    :mod:`naver_sms.telemetry.constants`). `secrets` are values to redact from every log
    line and span (the SENS keys and Telegram token in the environment are added
    automatically). `force=True` re-reads the exporter choice and flush budget.
    """
    global _state  # noqa: PLW0603 - one telemetry per execution environment, by design
    env = os.environ if environ is None else environ
    register_secrets(secrets)
    register_secrets(env.get(name) for name in env_names.SECRET_ENV_VARS)
    if _state is not None and not force:
        return _state
    if logs:
        configure_logging(env, service_name=service_name or env.get(env_names.OTEL_SERVICE_NAME))
    state = _state or Telemetry(enabled=False, flush_ms=env_names.DEFAULT_FLUSH_MS)
    state.enabled = telemetry_enabled(env, enabled)
    state.flush_ms = flush_budget_ms(env, flush_ms)
    if state.enabled:
        if state.pipeline is None:
            state.pipeline = _install_pipeline(env, service_name, service_version, environment)
            state.pipeline.on_failure = state.health.failed
        state.traces_exporter = _exporter_or_none(
            env_names.OTEL_TRACES_EXPORTER, env, traces_exporter
        )
        state.metrics_exporter = _exporter_or_none(
            env_names.OTEL_METRICS_EXPORTER, env, metrics_exporter
        )
        state.pipeline.span_exporter = _build_or_none(
            select_span_exporter, env_names.OTEL_TRACES_EXPORTER, state.traces_exporter, env
        )
        state.pipeline.metric_exporter = _build_or_none(
            select_metric_exporter, env_names.OTEL_METRICS_EXPORTER, state.metrics_exporter, env
        )
        if state.pipeline.span_exporter is None:
            state.traces_exporter = "none"
        if state.pipeline.metric_exporter is None:
            state.metrics_exporter = "none"
    instruments.set_enabled(state.enabled)
    _state = state
    return state


def flush(budget_ms: float | None = None) -> FlushResult | None:
    """Export what is buffered now, outside a Lambda invocation (CLI tools, replays, the demo).

    The handler wrapper flushes by itself; this is for code that emits telemetry without it.
    Returns None when telemetry is not configured or is off. Never raises.
    """
    state = _state
    if state is None or not state.enabled:
        return None
    return state.flush(state.flush_ms if budget_ms is None else budget_ms)


def in_memory() -> MemoryExporters:
    """What the `memory` exporters received (tests and the demo)."""
    return memory()
