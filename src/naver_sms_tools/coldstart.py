"""What the telemetry costs at cold start, measured in fresh processes.

Each variant imports the Lambda handler module (`naver_sms.app.handler`, whose decorator
runs `configure()`) in a new interpreter with a Lambda-like environment, the way the runtime
does at init; the median of several runs is kept. `python -X importtime` on each variant
attributes the time to the modules that cost it. The result is written to
`docs/telemetry-cold-start.json` and rendered into `docs/telemetry.md`.

    python -m naver_sms_tools.docs_gen --measure      # re-measure, then --write
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

# Modules whose cumulative import time is reported: the telemetry's runtime dependencies (the
# OpenTelemetry API and SDK, the AWS extension and propagator, the exporters) and its own
# rooms. boto3 is imported on first use by the AWS clients, so it shows only if something
# pulls it into init.
REPORTED_MODULES = (
    "boto3",
    "structlog",
    "opentelemetry.trace",
    "opentelemetry.metrics",
    "opentelemetry.sdk.trace",
    "opentelemetry.sdk.metrics",
    "opentelemetry.sdk.resources",
    "opentelemetry.sdk.extension.aws.trace",
    "opentelemetry.propagators.aws",
    "opentelemetry.exporter.otlp.json.http.trace_exporter",
    "opentelemetry.exporter.otlp.json.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.common.trace_encoder",
    "naver_sms.telemetry.instruments",
    "naver_sms.telemetry.logging",
    "naver_sms.telemetry.setup",
    "naver_sms.telemetry.exporters.xray_udp",
    "naver_sms.telemetry.exporters.emf",
)

VARIANTS: dict[str, dict[str, str]] = {
    # What is deployed: OTLP/HTTP (JSON, the default protocol) to the ADOT collector layer.
    "otlp": {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp"},
    # The same with protobuf bodies.
    "otlp_protobuf": {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    },
    # Collector-less: spans as OTLP datagrams to the X-Ray daemon, metrics as EMF on stdout.
    "xray_udp_emf": {"OTEL_TRACES_EXPORTER": "xray_udp", "OTEL_METRICS_EXPORTER": "emf"},
    # The SDK providers, processor and readers installed, nothing exported.
    "no_export": {"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"},
    # NAVER_SMS_TELEMETRY=off: structlog and the OpenTelemetry API the flow's instruments use;
    # no SDK, no exporter.
    "telemetry_off": {"NAVER_SMS_TELEMETRY": "off"},
}

_LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "naver-sms",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[$LATEST]coldstart",
    "AWS_REGION": "ap-northeast-2",
    "PYTHONDONTWRITEBYTECODE": "",
}

_TIMED = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import naver_sms.app.handler\n"
    "t1 = time.perf_counter()\n"
    "print((t1 - t0) * 1000.0)\n"
)


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "NAVER_SMS_"))}
    env.update(_LAMBDA_ENV)
    env.update(extra)
    return env


def _run_ms(extra: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _TIMED], env=_env(extra), capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def import_times(extra: dict[str, str]) -> dict[str, float]:
    """Cumulative `-X importtime` milliseconds of :data:`REPORTED_MODULES` (first import)."""
    return {name: ms for name, ms in _all_import_times(extra).items() if name in REPORTED_MODULES}


def _all_import_times(extra: dict[str, str]) -> dict[str, float]:
    """Cumulative `-X importtime` milliseconds of every module the handler import loads."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import naver_sms.app.handler"],
        env=_env(extra),
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    found: dict[str, float] = {}
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        name = name.strip()
        if cumulative.strip().isdigit():
            found[name] = int(cumulative.strip()) / 1000.0
    return found


def measure(runs: int = 21) -> dict[str, Any]:
    """Median wall time per variant (alternating order) and each variant's import breakdown."""
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for i in range(runs):
        order = list(VARIANTS) if i % 2 == 0 else list(reversed(VARIANTS))
        for name in order:
            samples[name].append(_run_ms(VARIANTS[name]))
    breakdown: dict[str, dict[str, list[float]]] = {name: {} for name in VARIANTS}
    sdk_when_off: set[str] = set()
    for _ in range(max(3, runs // 3)):
        for name, extra in VARIANTS.items():
            for module, ms in _all_import_times(extra).items():
                if name == "telemetry_off" and module.startswith("opentelemetry.sdk"):
                    sdk_when_off.add(module)
                if module in REPORTED_MODULES:
                    breakdown[name].setdefault(module, []).append(ms)
    return {
        "runs": runs,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "import_handler_ms": {
            name: {
                "median": round(statistics.median(values), 1),
                "min": round(min(values), 1),
                "max": round(max(values), 1),
            }
            for name, values in samples.items()
        },
        # Per variant: module -> median cumulative ms; a module the variant never imports at
        # init is absent.
        "importtime_ms": {
            name: {
                module: round(statistics.median(modules[module]), 1)
                for module in REPORTED_MODULES
                if module in modules
            }
            for name, modules in breakdown.items()
        },
        # Any SDK module loaded with telemetry off: there should be none.
        "sdk_modules_when_off": sorted(sdk_when_off),
    }


def write(path: Path, runs: int = 21) -> dict[str, Any]:
    result = measure(runs)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result
