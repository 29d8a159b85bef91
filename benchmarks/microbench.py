"""A cost model of naver-sms's telemetry on the OpenTelemetry SDK, piece by piece, in the
naver-sms bench environment (the deployment lock).

- Cold: the marginal import / set-up time of each piece, imported one after the other in a
  fresh process in the order the handler needs them (boto3 and a client first, as every
  variant has them), median over several processes; then, after the SDK, the marginal import
  of each exporter choice on its own (OTLP/HTTP JSON, OTLP/HTTP protobuf, X-Ray UDP + EMF):
  the numbers the default OTLP exporter was chosen by.
- Warm: the cost of one log line, one client span, one metric point, and of the
  end-of-invocation flush of the reference invocation's telemetry with each exporter choice
  (OTLP against the live collector).

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
    "opentelemetry API",
    "naver_sms.telemetry.instruments",
    "naver_sms.telemetry.handler",
    "opentelemetry SDK (trace, metrics)",
    "configure() with exporters none",
)
# After the SDK: each exporter choice's own modules, imported in a process of its own.
EXPORTER_CHOICES = {
    "OTLP/HTTP JSON (opentelemetry-exporter-otlp-json-http)": (
        "opentelemetry.exporter.otlp.json.http.trace_exporter",
        "opentelemetry.exporter.otlp.json.http.metric_exporter",
    ),
    "OTLP/HTTP protobuf (opentelemetry-exporter-otlp-proto-http)": (
        "opentelemetry.exporter.otlp.proto.http.trace_exporter",
        "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    ),
    "X-Ray UDP + EMF (naver-sms plug-ins, upstream protobuf encoder)": (
        "naver_sms.telemetry.exporters.xray_udp",
        "naver_sms.telemetry.exporters.emf",
    ),
}


def _child(python: Path, env: dict[str, str], spec: dict[str, Any], timeout: int) -> Any:
    out = Path(spec["out"])
    child_env = {**env, "BENCH_MICRO": json.dumps(spec)}
    subprocess.run(
        [str(python), "-m", "benchmarks.microbench"],
        env=child_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=timeout,
        check=True,
    )
    return json.loads(out.read_text())


def run(python: Path, env: dict[str, str], work: Path) -> dict[str, Any]:
    imports: dict[str, list[float]] = {}
    exporters: dict[str, list[float]] = {}
    for index in range(PROCESSES):
        spec = {"mode": "imports", "out": str(work / f"micro-import-{index}.json")}
        for step, ms in _child(python, env, spec, 120).items():
            imports.setdefault(step, []).append(ms)
        for choice in EXPORTER_CHOICES:
            spec = {
                "mode": "exporter",
                "choice": choice,
                "out": str(work / f"micro-exporter-{index}.json"),
            }
            exporters.setdefault(choice, []).append(_child(python, env, spec, 120))
    operations = _child(python, env, {"mode": "ops", "out": str(work / "micro-ops.json")}, 600)
    return {
        "processes": PROCESSES,
        "imports_ms": {step: statistics.median(values) for step, values in imports.items()},
        "exporter_imports_ms": {
            choice: statistics.median(values) for choice, values in exporters.items()
        },
        "operations_us": operations,
    }


# The aws-opentelemetry-distro modules that hold the two exporters naver-sms writes itself.
DISTRO_EXPORTERS = (
    "amazon.opentelemetry.distro.otlp_udp_exporter",
    "amazon.opentelemetry.distro.exporter.aws.metrics.console_emf_exporter",
)


def distro_footprint(python: Path, work: Path) -> dict[str, Any]:
    """What using aws-opentelemetry-distro's UDP span and EMF exporters instead of ours would
    bring: its installed distributions, instrumentation packages, size on disk, the exact SDK
    pin, and the import time of those two exporters' modules after the SDK (fresh processes)."""
    from importlib.metadata import PathDistribution  # noqa: PLC0415

    site = next((python.parent.parent / "lib").glob("python*/site-packages"))
    dists = [PathDistribution(p) for p in site.glob("*.dist-info")]
    names = sorted(d.metadata["Name"].lower() for d in dists)
    distro = next(d for d in dists if d.metadata["Name"].lower() == "aws-opentelemetry-distro")
    pins = [
        r for r in distro.requires or [] if r.startswith(("opentelemetry-sdk", "opentelemetry-api"))
    ]
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    times = []
    for index in range(PROCESSES):
        out = work / f"micro-distro-{index}.json"
        spec = {"mode": "distro", "out": str(out)}
        times.append(_child(python, {**os.environ, "PYTHONPATH": str(ROOT)}, spec, 120))
    return {
        "distributions": len(names),
        "instrumentation_packages": len(
            [n for n in names if n.startswith("opentelemetry-instrumentation-")]
        ),
        "site_packages_mb": round(size / 1e6, 1),
        "sdk_pins": sorted(pins),
        "exporter_imports_ms": statistics.median(times),
    }


# --- child side ------------------------------------------------------------------------------


def _imports() -> dict[str, float]:
    import importlib  # noqa: PLC0415

    os.environ["OTEL_TRACES_EXPORTER"] = os.environ["OTEL_METRICS_EXPORTER"] = "none"
    timings: dict[str, float] = {}
    for step in IMPORT_STEPS:
        started = time.perf_counter()
        if step == "client":
            import boto3  # noqa: PLC0415

            boto3.client(
                "dynamodb", region_name="ap-northeast-2", endpoint_url="http://127.0.0.1:9"
            )
        elif step == "opentelemetry API":
            import opentelemetry.metrics  # noqa: PLC0415
            import opentelemetry.trace  # noqa: PLC0415
        elif step == "opentelemetry SDK (trace, metrics)":
            import opentelemetry.sdk.metrics  # noqa: PLC0415
            import opentelemetry.sdk.trace  # noqa: F401, PLC0415
        elif step == "configure() with exporters none":
            from naver_sms.telemetry import setup  # noqa: PLC0415

            setup.configure()
        else:
            importlib.import_module(step)
        timings[step] = (time.perf_counter() - started) * 1000
    return timings


def _exporter_import(choice: str) -> float:
    import importlib  # noqa: PLC0415

    import boto3  # noqa: F401, PLC0415
    import opentelemetry.sdk.metrics.export  # noqa: PLC0415
    import opentelemetry.sdk.trace.export  # noqa: F401, PLC0415
    import structlog  # noqa: F401, PLC0415

    import naver_sms.telemetry.catalog  # noqa: F401, PLC0415

    started = time.perf_counter()
    for module in EXPORTER_CHOICES[choice]:
        importlib.import_module(module)
    return (time.perf_counter() - started) * 1000


def _distro_import() -> float:
    import importlib  # noqa: PLC0415

    import boto3  # noqa: F401, PLC0415
    import opentelemetry.sdk.metrics.export  # noqa: PLC0415
    import opentelemetry.sdk.trace.export  # noqa: F401, PLC0415

    started = time.perf_counter()
    for module in DISTRO_EXPORTERS:
        importlib.import_module(module)
    return (time.perf_counter() - started) * 1000


def _per_call_us(func: Callable[[], Any], count: int) -> float:
    for _ in range(min(200, count)):
        func()
    started = time.perf_counter()
    for _ in range(count):
        func()
    return (time.perf_counter() - started) / count * 1e6


def _operations() -> dict[str, float]:
    import logging  # noqa: PLC0415

    import structlog  # noqa: PLC0415

    from benchmarks import workload  # noqa: PLC0415
    from naver_sms.telemetry import catalog, instruments, setup  # noqa: PLC0415

    os.environ["OTEL_TRACES_EXPORTER"] = os.environ["OTEL_METRICS_EXPORTER"] = "none"
    state = setup.configure()
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
    specs = {spec.name: spec for spec in catalog.METRICS}

    def client_span() -> None:
        with instruments.sens_request(workload.SENS_URL, "confirm", workload.STORE, 1) as call:
            call.finish("success", 202)

    def reference_telemetry() -> None:
        """What the reference invocation records: 4 spans, 10 points."""
        with instruments.tracer().start_as_current_span("naver-sms"):
            with instruments.dynamodb_call("GetItem", workload.TABLE, workload.REGION) as call:
                call.finish("success")
            client_span()
            with instruments.telegram_request(workload.TELEGRAM_URL_REDACTED, 1) as call:
                call.finish("success", 200)
        for name, _, value, attributes in workload.METRIC_POINTS[4:]:
            instruments.record(specs[name], value, **attributes)

    result = {
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
    }
    state.flush(300)
    for label, traces, metrics, protocol in (
        ("exporters none", "none", "none", ""),
        ("X-Ray UDP + EMF", "xray_udp", "emf", ""),
        ("OTLP/HTTP JSON to the collector", "otlp", "otlp", "http/json"),
        ("OTLP/HTTP protobuf to the collector", "otlp", "otlp", "http/protobuf"),
    ):
        environ = {**os.environ, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol or "http/json"}
        setup.configure(
            force=True,
            traces_exporter=traces,
            metrics_exporter=metrics,
            environ=environ,
            logs=False,
        )
        samples = []
        for _ in range(300):
            reference_telemetry()
            started = time.perf_counter()
            state.flush(300)
            samples.append((time.perf_counter() - started) * 1e6)
        result[f"flush of the reference invocation, {label}"] = statistics.median(samples[50:])
    return result


def child() -> None:
    spec = json.loads(os.environ["BENCH_MICRO"])
    result: Any
    if spec["mode"] == "imports":
        result = _imports()
    elif spec["mode"] == "exporter":
        result = _exporter_import(spec["choice"])
    elif spec["mode"] == "distro":
        result = _distro_import()
    else:
        result = _operations()
    Path(spec["out"]).write_text(json.dumps(result), encoding="utf-8")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    child()
