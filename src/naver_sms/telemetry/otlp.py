"""OTLP/HTTP (protobuf) exporters with one bounded attempt per flush.

Why not the upstream `opentelemetry-exporter-otlp-proto-http` exporter classes: they import
`requests` (tens of milliseconds at cold start, on top of the urllib3 that boto3 already
loads) and protobuf, and retry with exponential backoff, which in Lambda is time the caller
pays for. Here each export is a single POST to the collector on localhost, on a kept-alive
connection (:mod:`naver_sms.telemetry.http_wire`, ~25 µs of CPU where `http.client` takes
~120), bounded by a deadline the caller gives;
the payload is written by :mod:`naver_sms.telemetry.otlp_proto`, tested to decode to exactly
the message the upstream encoder builds. A failed
export is reported to the caller (which counts it) and dropped: the next invocation must not
pay for this one.

This module is imported only when `otlp` is the configured exporter.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from naver_sms.telemetry import constants as env_names
from naver_sms.telemetry.aggregation import MetricsData, SeriesBatch
from naver_sms.telemetry.exporting import ExportResult, MetricExporter, SpanExporter
from naver_sms.telemetry.http_wire import WireConnection, WireError
from naver_sms.telemetry.otlp_proto import encode_metrics, encode_series, encode_spans
from naver_sms.telemetry.spans import Span

_CONTENT_TYPE = "application/x-protobuf"
_HTTP_OK_MIN, _HTTP_OK_MAX = 200, 299
# Upper bound when the caller gives no deadline (OTEL_EXPORTER_OTLP_TIMEOUT is in ms).
_DEFAULT_TIMEOUT_S = 10.0


class ExportError(Exception):
    """One OTLP export did not reach the collector (refused, timed out, non-2xx)."""


def parse_headers(raw: str | None) -> dict[str, str]:
    """`k1=v1,k2=v2` as the OTLP specification defines it (values URL-encoded)."""
    headers: dict[str, str] = {}
    for item in (raw or "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            headers[unquote(key.strip())] = unquote(value.strip())
    return headers


def signal_endpoint(signal: str, environ: Mapping[str, str]) -> str:
    """The signal URL: its own variable as-is, else the base endpoint + `/v1/<signal>`."""
    specific = (
        env_names.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        if signal == "traces"
        else env_names.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
    )
    if environ.get(specific):
        return environ[specific]
    base = environ.get(env_names.OTEL_EXPORTER_OTLP_ENDPOINT) or env_names.DEFAULT_OTLP_ENDPOINT
    return base.rstrip("/") + "/v1/" + signal


class OtlpHttpSender:
    """POSTs one payload, once, within a deadline, on a kept-alive connection."""

    def __init__(
        self, url: str, headers: dict[str, str], max_timeout_s: float = _DEFAULT_TIMEOUT_S
    ) -> None:
        self.url = url
        self.headers = headers
        self.max_timeout_s = max_timeout_s
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"OTLP endpoint {url!r} is not an http(s) URL")
        tls = parts.scheme == "https"
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        self._wire = WireConnection(parts.hostname, parts.port or (443 if tls else 80), tls=tls)
        self._head = self._wire.request_head(path, {"Content-Type": _CONTENT_TYPE, **headers})

    def post(self, body: bytes, deadline: float) -> None:
        """Raise ExportError unless the collector accepts `body` before `deadline` (monotonic)."""
        self.finish(self.begin(body, deadline))

    def begin(self, body: bytes, deadline: float) -> InFlight:
        """Send the request and return without waiting for the answer (see :meth:`finish`).

        The connection is kept alive between invocations (no handshake per flush). One the
        collector closed while idle is noticed before sending (it reads as closed) and
        replaced. A request is written at most once: if the connection turns out to be
        gone while writing, it is repeated once on a fresh connection (the collector cannot
        have read it); once written, it is never sent again, whatever happens to the answer.
        """
        if self._wire.dropped():
            self.close()
        reused = self._wire.sock is not None
        try:
            self._send(body, deadline)
        except _StaleConnection as exc:
            self.close()
            if not reused:
                raise ExportError(str(exc)) from exc
            try:
                self._send(body, deadline)
            except _StaleConnection as again:
                self.close()
                raise ExportError(str(again)) from again
        return InFlight(body, deadline)

    def finish(self, flight: InFlight) -> None:
        """Wait (until the deadline) for the answer to the request `begin` sent."""
        self._receive(flight.deadline)

    def _send(self, body: bytes, deadline: float) -> None:
        remaining = min(deadline - time.monotonic(), self.max_timeout_s)
        if remaining <= 0:
            raise ExportError("no time left in the flush budget")
        try:
            self._wire.send(self._head, body, remaining)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _StaleConnection(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:
            # Refused or timed out: the connection's state is unknown, never reuse it.
            self.close()
            raise ExportError(f"{type(exc).__name__}: {exc}") from exc

    def _receive(self, deadline: float) -> None:
        # Connecting and sending used part of the budget: reading gets only the rest.
        remaining = min(deadline - time.monotonic(), self.max_timeout_s)
        if remaining <= 0:
            self.close()  # an answer may still come: never read it as the next one's
            raise ExportError("flush budget spent before the response")
        try:
            answer = self._wire.receive(remaining)
        except (WireError, OSError) as exc:  # PeerClosed included: the request may have counted
            self.close()
            raise ExportError(f"{type(exc).__name__}: {exc}") from exc
        if answer.will_close:
            self.close()
        if not _HTTP_OK_MIN <= answer.status <= _HTTP_OK_MAX:
            raise ExportError(f"collector answered HTTP {answer.status}")

    def close(self) -> None:
        self._wire.close()


class InFlight:
    """A request sent and not yet answered."""

    __slots__ = ("body", "deadline")

    def __init__(self, body: bytes, deadline: float) -> None:
        self.body = body
        self.deadline = deadline


class _StaleConnection(Exception):
    """A kept-alive connection was closed by the peer before it read the request."""


def _timeout_from_env(environ: Mapping[str, str]) -> float:
    raw = environ.get(env_names.OTEL_EXPORTER_OTLP_TIMEOUT)
    try:
        return float(raw) / 1000.0 if raw else _DEFAULT_TIMEOUT_S
    except ValueError:
        return _DEFAULT_TIMEOUT_S


def sender_for(signal: str, environ: Mapping[str, str] | None = None) -> OtlpHttpSender:
    env = os.environ if environ is None else environ
    specific = (
        env_names.OTEL_EXPORTER_OTLP_TRACES_HEADERS
        if signal == "traces"
        else env_names.OTEL_EXPORTER_OTLP_METRICS_HEADERS
    )
    headers = parse_headers(env.get(env_names.OTEL_EXPORTER_OTLP_HEADERS))
    headers.update(parse_headers(env.get(specific)))
    return OtlpHttpSender(signal_endpoint(signal, env), headers, _timeout_from_env(env))


class DeadlineAware:
    """Exporters that accept the absolute deadline of the current flush."""

    deadline: float | None = None

    def _deadline(self, timeout_millis: float | None = None) -> float:
        if self.deadline is not None:
            return self.deadline
        return time.monotonic() + (timeout_millis or _DEFAULT_TIMEOUT_S * 1000) / 1000.0


class _OneAttempt(DeadlineAware):
    """One POST per export, sent now with its outcome learnt later (a callable), so spans and
    metrics travel concurrently. A failure to send (collector down) is returned at once; every
    failure is kept in `last_error` and reported, never raised into the Lambda."""

    sender: OtlpHttpSender
    last_error: str | None

    def _begin(
        self,
        encode: Callable[[], bytes],
        timeout_millis: float | None,
    ) -> Callable[[], ExportResult] | ExportResult:
        try:
            flight = self.sender.begin(encode(), self._deadline(timeout_millis))
        except Exception as exc:
            self.last_error = str(exc)
            return ExportResult.FAILURE

        def outcome() -> ExportResult:
            try:
                self.sender.finish(flight)
            except Exception as exc:
                self.last_error = str(exc)
                return ExportResult.FAILURE
            return ExportResult.SUCCESS

        return outcome


class OtlpSpanExporter(_OneAttempt, SpanExporter):
    def __init__(self, sender: OtlpHttpSender) -> None:
        self.sender = sender
        self.last_error = None

    def begin_export(self, spans: Sequence[Span]) -> Callable[[], ExportResult] | ExportResult:
        return self._begin(lambda: encode_spans(spans), None)

    def export(self, spans: Sequence[Span]) -> ExportResult:
        answer = self.begin_export(spans)
        return answer() if callable(answer) else answer

    def shutdown(self) -> None:
        self.sender.close()


class OtlpMetricExporter(_OneAttempt, MetricExporter):
    def __init__(self, sender: OtlpHttpSender) -> None:
        self.sender = sender
        self.last_error = None

    def begin_export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000
    ) -> Callable[[], ExportResult] | ExportResult:
        return self._begin(lambda: encode_metrics(metrics_data), timeout_millis)

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000) -> ExportResult:
        answer = self.begin_export(metrics_data, timeout_millis)
        return answer() if callable(answer) else answer

    def export_series(self, batch: SeriesBatch) -> Callable[[], ExportResult] | ExportResult:
        """The pipeline's fast path: encoded straight from the store's series, sent now, the
        answer awaited by the returned callable."""
        return self._begin(lambda: encode_series(batch), None)

    def shutdown(self) -> None:
        self.sender.close()
