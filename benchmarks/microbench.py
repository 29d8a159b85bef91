"""A cost model of naver-sms's telemetry, piece by piece, in the naver-sms bench environment.

- Cold: the marginal import / set-up time of each piece, imported one after the other in a
  fresh process in the order the handler needs them (boto3 and a client first, as every
  variant has them), median over several processes.
- Warm: the cost of one log line, one client span, one metric point, and of one OTLP/HTTP POST
  to the live collector (the exporter's own `http_wire`, new and kept-alive connection, and
  `http.client` for comparison) against a UDP datagram (the `xray_udp` exporter).

`run()` is called by :mod:`benchmarks.run`; `python -m benchmarks.microbench` is the child.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 7
IMPORT_STEPS = (
    "boto3",
    "client",
    "structlog",
    "naver_sms.telemetry.spans",
    "naver_sms.telemetry.aggregation",
    "naver_sms.telemetry.instruments",
    "naver_sms.telemetry.handler",
    "naver_sms.telemetry.pipeline",
    "naver_sms.telemetry.otlp",
    "configure",
)


def run(python: Path, env: dict[str, str], work: Path) -> dict[str, Any]:
    imports: dict[str, list[float]] = {}
    for index in range(PROCESSES):
        out = work / f"micro-import-{index}.json"
        child_env = {**env, "BENCH_MICRO": json.dumps({"mode": "imports", "out": str(out)})}
        subprocess.run(
            [str(python), "-m", "benchmarks.microbench"],
            env=child_env,
            cwd=ROOT,
            capture_output=True,
            timeout=120,
            check=True,
        )
        for step, ms in json.loads(out.read_text()).items():
            imports.setdefault(step, []).append(ms)
    out = work / "micro-ops.json"
    child_env = {**env, "BENCH_MICRO": json.dumps({"mode": "ops", "out": str(out)})}
    subprocess.run(
        [str(python), "-m", "benchmarks.microbench"],
        env=child_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
        check=True,
    )
    return {
        "processes": PROCESSES,
        "imports_ms": {step: statistics.median(values) for step, values in imports.items()},
        "operations_us": json.loads(out.read_text()),
    }


# --- child side ------------------------------------------------------------------------------


def _imports() -> dict[str, float]:
    import importlib  # noqa: PLC0415

    timings: dict[str, float] = {}
    for step in IMPORT_STEPS:
        started = time.perf_counter()
        if step == "client":
            import boto3  # noqa: PLC0415

            boto3.client(
                "dynamodb", region_name="ap-northeast-2", endpoint_url="http://127.0.0.1:9"
            )
        elif step == "configure":
            from naver_sms.telemetry import setup  # noqa: PLC0415

            setup.configure()
        else:
            importlib.import_module(step)
        timings[step] = (time.perf_counter() - started) * 1000
    return timings


def _per_call_us(func: Callable[[], Any], count: int) -> float:
    for _ in range(min(200, count)):
        func()
    started = time.perf_counter()
    for _ in range(count):
        func()
    return (time.perf_counter() - started) / count * 1e6


def _operations() -> dict[str, float]:
    import http.client  # noqa: PLC0415
    import logging  # noqa: PLC0415
    import socket  # noqa: PLC0415
    from urllib.parse import urlsplit  # noqa: PLC0415

    import structlog  # noqa: PLC0415

    from naver_sms.telemetry import catalog, instruments, setup  # noqa: PLC0415

    endpoint = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"]
    os.environ["OTEL_TRACES_EXPORTER"] = "none"
    os.environ["OTEL_METRICS_EXPORTER"] = "none"
    setup.configure()
    log = structlog.get_logger("bench")
    # The baseline's plain stdlib line: its own handler and format, not the root logger, which
    # configure() gave the structlog JSON chain.
    plain = logging.getLogger("plain")
    plain.setLevel(logging.INFO)
    plain.propagate = False
    plain_handler = logging.StreamHandler(sys.stdout)
    plain_handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    )
    plain.addHandler(plain_handler)
    url = "http://127.0.0.1:9/sms/v2/services/x/messages"

    def client_span() -> None:
        with instruments.sens_request(url, "confirm", "gangnam-01", 1) as call:
            call.finish("success", 202)

    from naver_sms.telemetry.otlp import OtlpHttpSender  # noqa: PLC0415

    parts = urlsplit(endpoint)
    host, port = parts.hostname or "127.0.0.1", parts.port or 4318
    headers = {"Content-Type": "application/x-protobuf"}

    def post_http_client() -> None:
        conn = kept_http_client
        conn.request("POST", "/v1/traces", body=b"", headers=headers)
        conn.getresponse().read()

    kept_http_client = http.client.HTTPConnection(host, port, timeout=2)
    sender = OtlpHttpSender(endpoint.rstrip("/") + "/v1/traces", {})

    def post_wire() -> None:
        sender.post(b"", time.monotonic() + 2)

    def post_wire_new_connection() -> None:
        sender.close()
        sender.post(b"", time.monotonic() + 2)

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"x" * 2000
    daemon = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000").split(":")
    target = (daemon[0], int(daemon[1]))

    return {
        "stdlib log line": _per_call_us(lambda: plain.info("sms sent: %s", "confirm"), 3000),
        "structlog log line (naver-sms chain)": _per_call_us(
            lambda: log.info("sms_sent", sms_type="confirm", store_id="gangnam-01"), 3000
        ),
        "client span with its 2 metric points (sens_request)": _per_call_us(client_span, 3000),
        "metric point (instruments.record)": _per_call_us(
            lambda: instruments.record(
                catalog.SMS_SENT, 1, sms_type="confirm", store_id="gangnam-01", mode="live"
            ),
            3000,
        ),
        "OTLP/HTTP POST to the collector (naver-sms http_wire), new connection": _per_call_us(
            post_wire_new_connection, 500
        ),
        "OTLP/HTTP POST to the collector (naver-sms http_wire), kept-alive": _per_call_us(
            post_wire, 500
        ),
        "the same POST with http.client, kept-alive (before http_wire)": _per_call_us(
            post_http_client, 500
        ),
        "UDP datagram (2 kB) to the X-Ray daemon address": _per_call_us(
            lambda: udp.sendto(payload, target), 3000
        ),
    }


def child() -> None:
    spec = json.loads(os.environ["BENCH_MICRO"])
    result = _imports() if spec["mode"] == "imports" else _operations()
    Path(spec["out"]).write_text(json.dumps(result), encoding="utf-8")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    child()
