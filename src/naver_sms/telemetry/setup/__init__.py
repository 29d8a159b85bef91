"""`configure()`: the OpenTelemetry SDK for one Lambda execution environment, installed once.

- :mod:`~naver_sms.telemetry.setup.providers`: the tracer and meter providers (ours as the
  global ones, or the ones already installed), resource, views;
- :mod:`~naver_sms.telemetry.setup.processing`: the per-invocation span processor and metric
  reader, the scrubbing processor, the flush deadline;
- :mod:`~naver_sms.telemetry.setup.selection`: exporters by `OTEL_*` configuration;
- :mod:`~naver_sms.telemetry.setup.propagators`: the trace an invocation continues;
- :mod:`~naver_sms.telemetry.setup.health`: failures logged once and counted.

The SDK, its providers and the chosen exporters are imported here, when telemetry is on, not
when the package is: `NAVER_SMS_TELEMETRY=off` loads none of them. `configure(force=True)`
re-selects exporters and the flush budget on the same providers (what tests and the demo
need): the global providers can be set once per process, as OpenTelemetry specifies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import structlog

from naver_sms.privacy import register_secrets
from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry import instruments
from naver_sms.telemetry.logging import configure_logging
from naver_sms.telemetry.setup.health import ExportHealth

if TYPE_CHECKING:
    from naver_sms.telemetry.exporters.memory import MemoryExporters
    from naver_sms.telemetry.setup.processing import FlushClock
    from naver_sms.telemetry.setup.providers import FlushResult, Pipeline

__all__ = [
    "ExportHealth",
    "Telemetry",
    "configure",
    "current",
    "flush",
    "flush_budget_ms",
    "in_memory",
    "telemetry_enabled",
]

_log = structlog.get_logger("naver_sms.telemetry")
_OFF_VALUES = frozenset({"off", "false", "0", "no", "disabled"})


class Telemetry:
    """What `configure()` installed; the handler wrapper flushes through it."""

    def __init__(self, enabled: bool, flush_ms: int) -> None:
        self.enabled = enabled
        self.flush_ms = flush_ms
        self.traces_exporter = "none"
        self.metrics_exporter = "none"
        self.pipeline: Pipeline | None = None
        self.clock: FlushClock | None = None
        self.health = ExportHealth()

    def flush(self, budget_ms: float, *, globals_too: bool = True) -> FlushResult | None:
        """Export everything recorded so far within `budget_ms`; never raises."""
        if self.pipeline is None:
            return None
        return self.pipeline.flush(max(budget_ms, 0.0) / 1000.0, globals_too=globals_too)

    def take_pending_failures(self) -> dict[str, int]:
        """Export failures not yet delivered, added to `telemetry_export_failures` now (also
        with recording switched off: they are counts of telemetry already lost)."""
        pending = self.health.take_pending()
        for signal, count in pending.items():
            instruments.count_export_failures(signal, count)
        return pending


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
    if environ.get(env_names.OTEL_SDK_DISABLED, "").strip().lower() == "true":
        return False  # the standard switch
    return environ.get(env_names.NAVER_SMS_TELEMETRY, "on").strip().lower() not in _OFF_VALUES


INSTALLED = "installed"  # the signal goes to a provider someone else installed and exports


def _build(
    variable: str, name: str, build: Callable[[str, Mapping[str, str]], Any], environ: Any
) -> Any:
    """The exporter, or None when the setting cannot make one: logged once
    (`telemetry_config_invalid`), and the signal is exported nowhere; the function runs."""
    try:
        return build(name, environ)
    except Exception as exc:
        _log.error(
            "telemetry_config_invalid",
            variable=variable,
            value=name,
            error=f"{type(exc).__name__}: {exc}",
            using="none",
        )
        return None


def _exporters(
    state: Telemetry,
    environ: Mapping[str, str],
    traces_override: str | None,
    metrics_override: str | None,
) -> None:
    """Select and build the exporters of the providers that are ours.

    A provider someone else installed exports with their exporters; ours are not even imported
    then. The metric exporter of our own other-namespace providers (comparison metrics under
    the ADOT layer) is built when the first of them is.
    """
    from naver_sms.telemetry.setup import selection  # noqa: PLC0415

    pipeline = state.pipeline
    assert pipeline is not None
    traces_variable = env_names.OTEL_TRACES_EXPORTER
    metrics_variable = env_names.OTEL_METRICS_EXPORTER
    if pipeline.span_processor is not None:
        name = selection.exporter_name(traces_variable, environ, traces_override)
        exporter = _build(traces_variable, name, selection.span_exporter, environ)
        pipeline.span_exporter = exporter
        state.traces_exporter = name if exporter is not None else "none"
    else:
        state.traces_exporter = INSTALLED
    name = selection.exporter_name(metrics_variable, environ, metrics_override)

    def metric_exporter() -> Any:
        exporter = _build(metrics_variable, name, selection.metric_exporter, environ)
        if exporter is None:
            state.metrics_exporter = "none"
        return exporter

    state.metrics_exporter = name
    if pipeline.owns_metrics or pipeline.readers:
        pipeline.metric_exporter = metric_exporter()
    else:
        pipeline.metric_exporter_factory = metric_exporter
        state.metrics_exporter = INSTALLED


def _install(
    state: Telemetry,
    environ: Mapping[str, str],
    service_name: str | None,
    service_version: str | None,
    environment: str | None,
) -> None:
    from naver_sms.telemetry.setup.health import capture_exporter_logs  # noqa: PLC0415
    from naver_sms.telemetry.setup.processing import FlushClock  # noqa: PLC0415
    from naver_sms.telemetry.setup.providers import Pipeline, build_resource  # noqa: PLC0415

    state.clock = FlushClock(state.flush_ms / 1000.0)
    state.pipeline = Pipeline(
        environ,
        build_resource(
            environ,
            service_name=service_name,
            service_version=service_version,
            environment=environment,
        ),
        state.health,
        state.clock,
        instruments.enabled,
        state.take_pending_failures,
    )
    if state.pipeline.owns_traces or state.pipeline.owns_metrics:
        # Our exporters' failures are reported once by ExportHealth; someone else's pipeline
        # keeps its own logging.
        capture_exporter_logs()


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

    Every argument overrides its environment variable (:mod:`naver_sms.telemetry.constants`).
    `secrets` are values to redact from every log line, span and metric attribute (the SENS
    keys, Telegram token and AWS credentials in the environment are added automatically).
    `force=True` re-reads the exporter choice and the flush budget. Never raises for a bad
    setting: it is logged as `telemetry_config_invalid` and the function runs.
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
    if state.clock is not None:
        state.clock.budget_s = state.flush_ms / 1000.0
    if state.enabled:
        try:
            if state.pipeline is None:
                _install(state, env, service_name, service_version, environment)
            _exporters(state, env, traces_exporter, metrics_exporter)
        except Exception as exc:  # never keep the function from starting
            _log.error("telemetry_setup_failed", error=f"{type(exc).__name__}: {exc}")
            state.enabled = False
        instruments.bind(state.pipeline)
    instruments.set_enabled(state.enabled)
    _state = state
    return state


def flush(budget_ms: float | None = None) -> FlushResult | None:
    """Export what is recorded now, outside a Lambda invocation (CLI tools, replays, the demo).

    The handler wrapper flushes by itself; this is for code that emits telemetry without it.
    Returns None when telemetry is not configured or is off. Never raises.
    """
    state = _state
    if state is None or not state.enabled:
        return None
    try:
        return state.flush(state.flush_ms if budget_ms is None else budget_ms)
    finally:
        if state.clock is not None:
            state.clock.close()


def in_memory() -> MemoryExporters:
    """What the `memory` exporters received (tests and the demo)."""
    from naver_sms.telemetry.exporters.memory import memory  # noqa: PLC0415

    return memory()
