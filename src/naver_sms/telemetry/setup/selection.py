"""Exporters by configuration alone: `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`,
`OTEL_EXPORTER_OTLP_*`.

Known names are imported directly, and only the one selected, so a function exporting
elsewhere or nowhere pays nothing for the others at cold start:

- `otlp`: the upstream OTLP/HTTP exporters, JSON bodies by default (no protobuf, urllib3,
  the lighter import: docs/benchmarks.md) or protobuf with `OTEL_EXPORTER_OTLP_PROTOCOL=
  http/protobuf`; `grpc` needs `opentelemetry-exporter-otlp-proto-grpc` installed;
- `console` (the SDK's), `memory` (tests, the demo), `none`;
- `xray_udp` (traces) and `emf` (metrics): this package's plug-ins, the collector-less mode.

Any other name is looked up among the installed exporters' entry points
(`opentelemetry_traces_exporter` / `opentelemetry_metrics_exporter`), as
`opentelemetry-instrument` does, so a vendor's exporter works by configuration. Settings that
cannot make an exporter raise :class:`ExporterConfigError`; `configure()` logs it as
`telemetry_config_invalid` and runs without that signal.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from naver_sms.telemetry import constants as env_names

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter
    from opentelemetry.sdk.trace.export import SpanExporter

NONE = "none"
_PROTOCOL_VARIABLE = {
    "traces": env_names.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    "metrics": env_names.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
}
_ENDPOINT_VARIABLE = {
    "traces": env_names.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    "metrics": env_names.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
}
_HEADERS_VARIABLE = {
    "traces": env_names.OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    "metrics": env_names.OTEL_EXPORTER_OTLP_METRICS_HEADERS,
}
_TIMEOUT_VARIABLE = {
    "traces": env_names.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
    "metrics": env_names.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
}
_ENTRY_POINT_GROUP = {
    "traces": "opentelemetry_traces_exporter",
    "metrics": "opentelemetry_metrics_exporter",
}
# OTEL_EXPORTER_OTLP_PROTOCOL -> the upstream exporter's entry-point name.
_OTLP_BY_PROTOCOL = {
    "http/json": "otlp_json_http",
    "http/protobuf": "otlp_proto_http",
    "grpc": "otlp_proto_grpc",
}


class ExporterConfigError(ValueError):
    """Settings that cannot make an exporter (unknown name, bad endpoint or header)."""


def exporter_name(variable: str, environ: Mapping[str, str], override: str | None) -> str:
    """The configured exporter for one signal; of a comma list, the first is used."""
    raw = override if override is not None else environ.get(variable, env_names.DEFAULT_EXPORTER)
    return (raw or env_names.DEFAULT_EXPORTER).split(",")[0].strip().lower() or NONE


def otlp_protocol(signal: str, environ: Mapping[str, str]) -> str:
    raw = (
        environ.get(_PROTOCOL_VARIABLE[signal])
        or environ.get(env_names.OTEL_EXPORTER_OTLP_PROTOCOL)
        or env_names.DEFAULT_OTLP_PROTOCOL
    )
    protocol = raw.strip().lower()
    if protocol not in _OTLP_BY_PROTOCOL:
        raise ExporterConfigError(
            f"{env_names.OTEL_EXPORTER_OTLP_PROTOCOL}={raw!r} is not an OTLP protocol; "
            f"use one of {', '.join(_OTLP_BY_PROTOCOL)}"
        )
    return protocol


def otlp_endpoint(signal: str, environ: Mapping[str, str]) -> str:
    """The signal's URL: its own variable as-is, else the base endpoint + `/v1/<signal>`."""
    specific = environ.get(_ENDPOINT_VARIABLE[signal])
    variable = _ENDPOINT_VARIABLE[signal] if specific else env_names.OTEL_EXPORTER_OTLP_ENDPOINT
    url = specific or (
        (environ.get(env_names.OTEL_EXPORTER_OTLP_ENDPOINT) or env_names.DEFAULT_OTLP_ENDPOINT)
        .strip()
        .rstrip("/")
        + f"/v1/{signal}"
    )
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExporterConfigError(f"{variable}: {url!r} is not an http(s) URL")
    return url.strip()


def otlp_headers(signal: str, environ: Mapping[str, str]) -> dict[str, str]:
    """`k1=v1,k2=v2` (values percent-encoded), the signal's own variable winning; a header
    that cannot go on the wire (not latin-1, a line break) is an error, not an injection."""
    from opentelemetry.util.re import parse_env_headers  # noqa: PLC0415 - only for otlp

    headers: dict[str, str] = {}
    for variable in (env_names.OTEL_EXPORTER_OTLP_HEADERS, _HEADERS_VARIABLE[signal]):
        raw = environ.get(variable)
        if not raw:
            continue
        for key, value in parse_env_headers(raw, liberal=True).items():
            for text in (key, value, unquote(value)):
                try:
                    text.encode("latin-1")
                except UnicodeEncodeError:
                    raise ExporterConfigError(
                        f"{variable}: header {key!r} is not latin-1 text"
                    ) from None
                if any(ch in text for ch in "\r\n\0"):
                    raise ExporterConfigError(f"{variable}: header {key!r} holds a line break")
            headers[key] = value
    return headers


def otlp_timeout_s(signal: str, environ: Mapping[str, str]) -> float:
    """`OTEL_EXPORTER_OTLP_[SIGNAL_]TIMEOUT` in milliseconds, as the specification defines it
    (the flush budget bounds every export further)."""
    raw = environ.get(_TIMEOUT_VARIABLE[signal]) or environ.get(
        env_names.OTEL_EXPORTER_OTLP_TIMEOUT
    )
    try:
        millis = float(raw) if raw else env_names.DEFAULT_OTLP_TIMEOUT_MS
    except ValueError:
        millis = env_names.DEFAULT_OTLP_TIMEOUT_MS
    return max(millis, 1.0) / 1000.0


def _otlp_kwargs(signal: str, environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        "endpoint": otlp_endpoint(signal, environ),
        "headers": otlp_headers(signal, environ),
        "timeout": otlp_timeout_s(signal, environ),
    }


def _from_entry_point(signal: str, name: str) -> Any:
    """An installed exporter class registered under `name` (a vendor's, or a protocol's)."""
    group = _ENTRY_POINT_GROUP[signal]
    found = list(entry_points(group=group, name=name))
    if not found:
        raise ExporterConfigError(
            f"no {signal} exporter named {name!r} is installed (entry point group {group!r})"
        )
    return found[0].load()


def span_exporter(name: str, environ: Mapping[str, str]) -> SpanExporter | None:
    """The trace exporter called `name`, built from `environ`; None for `none`."""
    if name == NONE:
        return None
    if name == "memory":
        from naver_sms.telemetry.exporters.memory import memory  # noqa: PLC0415

        return memory().span_exporter_for_tests()
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter  # noqa: PLC0415

        return ConsoleSpanExporter(out=sys.stdout)  # the stream of now, not of import time
    if name == "xray_udp":
        from naver_sms.telemetry.exporters.xray_udp import XrayUdpSpanExporter  # noqa: PLC0415

        return XrayUdpSpanExporter(environ.get(env_names.AWS_XRAY_DAEMON_ADDRESS))
    if name == "otlp":
        name = _OTLP_BY_PROTOCOL[otlp_protocol("traces", environ)]
    if name == "otlp_json_http":
        from opentelemetry.exporter.otlp.json.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as JsonSpanExporter,
        )

        return JsonSpanExporter(**_otlp_kwargs("traces", environ))
    if name == "otlp_proto_http":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as ProtoSpanExporter,
        )

        return ProtoSpanExporter(**_otlp_kwargs("traces", environ))
    exporter: SpanExporter = _from_entry_point("traces", name)()
    return exporter


def metric_exporter(name: str, environ: Mapping[str, str]) -> MetricExporter | None:
    """The metric exporter called `name`, built from `environ`; None for `none`."""
    if name == NONE:
        return None
    if name == "memory":
        from naver_sms.telemetry.exporters.memory import memory  # noqa: PLC0415

        return memory().metric_exporter_for_tests()
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter  # noqa: PLC0415

        return ConsoleMetricExporter(out=sys.stdout)
    if name == "emf":
        from naver_sms.telemetry.exporters.emf import EmfMetricExporter  # noqa: PLC0415

        return EmfMetricExporter()
    if name == "otlp":
        name = _OTLP_BY_PROTOCOL[otlp_protocol("metrics", environ)]
    if name == "otlp_json_http":
        from opentelemetry.exporter.otlp.json.http.metric_exporter import (  # noqa: PLC0415
            OTLPMetricExporter as JsonMetricExporter,
        )

        return JsonMetricExporter(**_otlp_kwargs("metrics", environ))
    if name == "otlp_proto_http":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # noqa: PLC0415
            OTLPMetricExporter as ProtoMetricExporter,
        )

        return ProtoMetricExporter(**_otlp_kwargs("metrics", environ))
    found = _from_entry_point("metrics", name)
    from opentelemetry.sdk.metrics.export import MetricExporter  # noqa: PLC0415

    if not (isinstance(found, type) and issubclass(found, MetricExporter)):
        raise ExporterConfigError(
            f"metrics exporter {name!r} is not a push exporter (a MetricExporter); "
            "a Lambda function has no one to pull from it"
        )
    exporter: MetricExporter = found()
    return exporter
