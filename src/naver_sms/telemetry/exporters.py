"""Exporter selection by configuration alone (`OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`).

`otlp` (default: OTLP/HTTP protobuf to the ADOT collector layer on localhost:4318),
`console`, `memory` (tests and the demo; read back with :func:`memory`) or `none`; for
metrics also `emf` (CloudWatch EMF on stdout, see :mod:`naver_sms.telemetry.emf`), for traces
also `xray_udp` (OTLP datagrams to the Lambda X-Ray daemon, see
:mod:`naver_sms.telemetry.xray_udp`): together, the collector-less configuration. Each
exporter is imported only when selected, so a function exporting elsewhere or nowhere does not
pay for the others at cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from naver_sms.telemetry import constants as env_names

if TYPE_CHECKING:
    from naver_sms.telemetry.aggregation import MetricsData
    from naver_sms.telemetry.exporting import (
        InMemoryMetricExporter,
        InMemorySpanExporter,
        MetricExporter,
        SpanExporter,
    )
    from naver_sms.telemetry.spans import Span

EXPORTER_NAMES = ("otlp", "console", "memory", "none")
# `emf` (metrics only): CloudWatch EMF lines on stdout, bypassing the collector.
METRIC_EXPORTER_NAMES = (*EXPORTER_NAMES, "emf")
# `xray_udp` (traces only): OTLP spans over UDP to the X-Ray daemon, fire and forget.
TRACE_EXPORTER_NAMES = (*EXPORTER_NAMES, "xray_udp")
_SUPPORTED_PROTOCOLS = ("", "http/protobuf")


class ExporterConfigError(ValueError):
    """An OTEL_*_EXPORTER value this package does not support."""


def exporter_name(variable: str, environ: Mapping[str, str], override: str | None) -> str:
    """The configured exporter for one signal; the first of a comma list is used."""
    raw = override if override is not None else environ.get(variable, env_names.DEFAULT_EXPORTER)
    name = (raw or env_names.DEFAULT_EXPORTER).split(",")[0].strip().lower()
    allowed = (
        METRIC_EXPORTER_NAMES
        if variable == env_names.OTEL_METRICS_EXPORTER
        else TRACE_EXPORTER_NAMES
        if variable == env_names.OTEL_TRACES_EXPORTER
        else EXPORTER_NAMES
    )
    if name not in allowed:
        raise ExporterConfigError(
            f"{variable}={raw!r} is not supported; use one of {', '.join(allowed)}"
        )
    protocol = environ.get(env_names.OTEL_EXPORTER_OTLP_PROTOCOL, "").strip().lower()
    if name == "otlp" and protocol not in _SUPPORTED_PROTOCOLS:
        raise ExporterConfigError(
            f"{env_names.OTEL_EXPORTER_OTLP_PROTOCOL}={protocol!r} is not supported; "
            "the ADOT collector layer listens for http/protobuf on localhost:4318"
        )
    return name


class MemoryExporters:
    """The in-memory exporters, when `memory` is selected: what a flush has exported so far."""

    def __init__(self) -> None:
        self.span_exporter: InMemorySpanExporter | None = None
        self.metric_exporter: InMemoryMetricExporter | None = None

    def spans(self) -> list[Span]:
        if self.span_exporter is None:
            return []
        return list(self.span_exporter.get_finished_spans())

    def metric_batches(self) -> list[MetricsData]:
        return list(self.metric_exporter.batches) if self.metric_exporter is not None else []

    def metric_points(self) -> list[tuple[str, dict[str, Any], Any]]:
        """(metric name, attributes, value) for every exported point; value is the sum for
        counters and (count, sum) for histograms."""
        return [
            (name, dict(attributes), value)
            for batch in self.metric_batches()
            for name, attributes, value in batch.points()
        ]

    def clear(self) -> None:
        if self.span_exporter is not None:
            self.span_exporter.clear()
        if self.metric_exporter is not None:
            self.metric_exporter.batches.clear()


_memory = MemoryExporters()


def memory() -> MemoryExporters:
    """What the in-memory exporters hold (empty unless `memory` is the configured exporter)."""
    return _memory


def span_exporter(name: str, environ: Mapping[str, str]) -> SpanExporter | None:
    if name == "none":
        return None
    if name == "memory":
        from naver_sms.telemetry.exporting import InMemorySpanExporter  # noqa: PLC0415

        if _memory.span_exporter is None:
            _memory.span_exporter = InMemorySpanExporter()
        return _memory.span_exporter
    if name == "console":
        from naver_sms.telemetry.exporting import ConsoleSpanExporter  # noqa: PLC0415

        return ConsoleSpanExporter()
    if name == "xray_udp":
        from naver_sms.telemetry.xray_udp import XrayUdpSpanExporter  # noqa: PLC0415

        return XrayUdpSpanExporter(environ.get(env_names.AWS_XRAY_DAEMON_ADDRESS))
    from naver_sms.telemetry.otlp import OtlpSpanExporter, sender_for  # noqa: PLC0415

    return OtlpSpanExporter(sender_for("traces", environ))


def metric_exporter(name: str, environ: Mapping[str, str]) -> MetricExporter | None:
    if name == "none":
        return None
    if name == "memory":
        from naver_sms.telemetry.exporting import InMemoryMetricExporter  # noqa: PLC0415

        if _memory.metric_exporter is None:
            _memory.metric_exporter = InMemoryMetricExporter()
        return _memory.metric_exporter
    if name == "console":
        from naver_sms.telemetry.exporting import ConsoleMetricExporter  # noqa: PLC0415

        return ConsoleMetricExporter()
    if name == "emf":
        from naver_sms.telemetry.emf import EmfStdoutMetricExporter  # noqa: PLC0415

        return EmfStdoutMetricExporter()
    from naver_sms.telemetry.otlp import OtlpMetricExporter, sender_for  # noqa: PLC0415

    return OtlpMetricExporter(sender_for("metrics", environ))
