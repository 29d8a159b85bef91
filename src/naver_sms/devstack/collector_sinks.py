"""Local stand-ins for the collector's *destinations* (never for the collector itself).

Used by the collector tests and by `make demo`, which writes what they receive under out/demo/.

- `XRayEndpoint`: the X-Ray `PutTraceSegments` API (POST /TraceSegments, JSON body
  `{"TraceSegmentDocuments": ["<segment JSON>", ...]}`), as the awsxray exporter calls it;
  records every segment document.
- `OtlpReceiver`: an OTLP/HTTP back end (POST /v1/traces, /v1/metrics, protobuf, optionally
  gzip) decoding the requests with opentelemetry-proto, for the `otlp.yaml` swap.

Both run a threaded HTTP server on a free loopback port; use them as context managers.
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from naver_sms.devstack.lifecycle import Service


class _Server(Service):
    """A ThreadingHTTPServer on 127.0.0.1:<free port> served from a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        return body

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _XRayHandler(_Handler):
    def do_POST(self) -> None:
        owner: XRayEndpoint = self.server.owner  # type: ignore[attr-defined]
        if self.path != "/TraceSegments":
            owner.errors.append(f"unexpected path {self.path}")
            self._reply(404, b'{"message": "unknown operation"}', "application/json")
            return
        if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
            owner.errors.append("PutTraceSegments without a SigV4 Authorization header")
        request = json.loads(self._body())
        documents = [json.loads(doc) for doc in request["TraceSegmentDocuments"]]
        with owner.lock:
            owner.segments.extend(documents)
            owner.calls += 1
        self._reply(200, b'{"UnprocessedTraceSegments": []}', "application/json")


class XRayEndpoint(_Server):
    def __init__(self) -> None:
        self.segments: list[dict[str, Any]] = []
        self.calls = 0
        super().__init__(_XRayHandler)

    def documents(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.segments)


class _OtlpHandler(_Handler):
    def do_POST(self) -> None:
        owner: OtlpReceiver = self.server.owner  # type: ignore[attr-defined]
        body = self._body()
        if self.headers.get("Content-Type") != "application/x-protobuf":
            owner.errors.append(f"unexpected content type {self.headers.get('Content-Type')}")
        with owner.lock:
            owner.headers.append({k.lower(): v for k, v in self.headers.items()})
        if self.path == "/v1/traces":
            traces = ExportTraceServiceRequest.FromString(body)
            with owner.lock:
                owner.traces.append(traces)
            reply = ExportTraceServiceResponse().SerializeToString()
        elif self.path == "/v1/metrics":
            metrics = ExportMetricsServiceRequest.FromString(body)
            with owner.lock:
                owner.metrics.append(metrics)
            reply = ExportMetricsServiceResponse().SerializeToString()
        else:
            owner.errors.append(f"unexpected path {self.path}")
            self._reply(404, b"", "text/plain")
            return
        self._reply(200, reply, "application/x-protobuf")


class OtlpReceiver(_Server):
    def __init__(self) -> None:
        self.traces: list[ExportTraceServiceRequest] = []
        self.metrics: list[ExportMetricsServiceRequest] = []
        self.headers: list[dict[str, str]] = []
        super().__init__(_OtlpHandler)

    def resource_spans(self) -> list[tuple[Any, Any]]:
        """(resource, span) for every span received so far, in arrival order."""
        with self.lock:
            requests = list(self.traces)
        return [
            (resource_spans.resource, span)
            for request in requests
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]

    def spans(self) -> list[Any]:
        return [span for _, span in self.resource_spans()]

    def data_points(self) -> list[tuple[Any, str, Any, Any]]:
        """(metric, data kind, its data, data point) for every point received so far."""
        with self.lock:
            requests = list(self.metrics)
        points: list[tuple[Any, str, Any, Any]] = []
        for request in requests:
            for resource_metrics in request.resource_metrics:
                for scope_metrics in resource_metrics.scope_metrics:
                    for metric in scope_metrics.metrics:
                        kind = metric.WhichOneof("data")
                        data = getattr(metric, kind)
                        points.extend((metric, kind, data, dp) for dp in data.data_points)
        return points

    def metric_points(self) -> list[tuple[str, dict[str, str], Any]]:
        """(metric name, attributes, value) per data point; histograms as (count, sum)."""
        return [
            (
                metric.name,
                {a.key: a.value.string_value for a in dp.attributes},
                (dp.count, dp.sum) if kind == "histogram" else number_value(dp),
            )
            for metric, kind, _, dp in self.data_points()
        ]


def number_value(point: Any) -> Any:
    """The value of a gauge or sum data point: int or float, as it was sent."""
    return point.as_int if point.WhichOneof("value") == "as_int" else point.as_double
