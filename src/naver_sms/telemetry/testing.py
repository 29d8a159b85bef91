"""Helpers for tests and the demo: in-memory telemetry with a clean slate.

The providers are process-wide (see :mod:`naver_sms.telemetry.setup`), so tests do not build
new ones: they point the installed pipeline at other exporters and empty what is buffered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from naver_sms.telemetry import handler, instruments, setup
from naver_sms.telemetry.exporters import MemoryExporters, memory


def reset(
    *,
    traces_exporter: str = "memory",
    metrics_exporter: str = "memory",
    flush_ms: int = 300,
    environ: Mapping[str, str] | None = None,
    **configure_args: Any,
) -> setup.Telemetry:
    """(Re)configure telemetry on, with the given exporters, nothing buffered, cold start next."""
    state = setup.configure(
        force=True,
        enabled=True,
        traces_exporter=traces_exporter,
        metrics_exporter=metrics_exporter,
        flush_ms=flush_ms,
        environ=environ,
        **configure_args,
    )
    if state.pipeline is not None:
        state.pipeline.span_buffer.drain()
        state.pipeline.metric_reader.take()
    state.health = setup.ExportHealth()
    if state.pipeline is not None:
        state.pipeline.on_failure = state.health.failed
        state.pipeline.pending_failures.clear()
    memory().clear()
    handler.reset_cold_start()
    instruments.set_enabled(True)
    return state


def use_memory(**kwargs: Any) -> MemoryExporters:
    """In-memory exporters for both signals; returns the accessor to read them back."""
    reset(**kwargs)
    return memory()
