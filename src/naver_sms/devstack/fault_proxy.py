"""A loopback proxy in front of a real local service, answering queued faults in its place.

moto and the OpenTelemetry Collector cannot be told to fail on demand; placed in front of them,
this proxy forwards every request unchanged and answers only the requests a queued
:class:`~naver_sms.devstack.faults.Fault` claims (a throttling error, a 503, a hang, a dropped
connection). ``make demo`` puts one before DynamoDB (``AWS_ENDPOINT_URL_DYNAMODB``) and one before
the collector's OTLP endpoint, so the Lambda meets throttling and an export failure for real.
"""

from __future__ import annotations

import http.client
from typing import Final
from urllib.parse import urlsplit

from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import IncomingRequest, LoopbackServer, Reply

# Not forwarded: hop-by-hop headers, and those the loopback server writes itself.
_DROPPED_RESPONSE_HEADERS: Final = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-type", "date"}
)
_DROPPED_REQUEST_HEADERS: Final = frozenset({"connection", "keep-alive", "content-length"})

DYNAMODB_THROTTLING: Final = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API.",
}
"""DynamoDB's throttling error body (JSON 1.0 protocol, HTTP 400)."""


class FaultProxy(LoopbackServer):
    """Forwards to `upstream` (``http://host:port``) unless a queued fault answers."""

    def __init__(self, upstream: str, *, name: str = "proxy", timeout_s: float = 30.0) -> None:
        super().__init__()
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"upstream must be http://host:port, got {upstream!r}")
        self.name = name
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port
        self._timeout_s = timeout_s

    def throttle_dynamodb(self, times: int) -> Fault:
        """The next `times` DynamoDB requests get ProvisionedThroughputExceededException."""
        return self.inject(400, times=times, body=DYNAMODB_THROTTLING)

    def _handle(self, request: IncomingRequest) -> Reply:
        connection = http.client.HTTPConnection(
            self._upstream_host, self._upstream_port, timeout=self._timeout_s
        )
        try:
            headers = {
                name: value
                for name, value in request.headers.items()
                if name not in _DROPPED_REQUEST_HEADERS
            }
            connection.request(request.method, request.target, body=request.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            passed = {
                name: value
                for name, value in response.getheaders()
                if name.lower() not in _DROPPED_RESPONSE_HEADERS
            }
            return Reply(response.status, body, None, passed)
        finally:
            connection.close()

    def _fault_reply(self, status: int, fault: Fault) -> Reply:
        return Reply(
            status, {"message": f"injected {status} by the fault proxy"}, f"injected {status}"
        )
