"""Raw HTTP calls for tests of the local servers: status, headers and decoded JSON, no raising."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: Any


def call(
    url: str,
    *,
    method: str = "POST",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Response(reply.status, dict(reply.headers), json.loads(reply.read() or b"null"))
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), json.loads(error.read() or b"null"))


def post_json(url: str, body: Any, headers: dict[str, str] | None = None, **kw: Any) -> Response:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return call(url, data=data, headers=all_headers, **kw)


def sens_signature(secret: str, method: str, path: str, timestamp: str, access_key: str) -> str:
    """Written independently of the server: the NCP API Gateway v2 signature."""
    message = f"{method} {path}\n{timestamp}\n{access_key}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def sens_headers(
    *, access_key: str, secret_key: str, path: str, timestamp_ms: int | None = None
) -> dict[str, str]:
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    return {
        "x-ncp-apigw-timestamp": timestamp,
        "x-ncp-iam-access-key": access_key,
        "x-ncp-apigw-signature-v2": sens_signature(secret_key, "POST", path, timestamp, access_key),
    }
