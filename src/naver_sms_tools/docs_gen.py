"""`docs/telemetry.md`, generated from the catalog so the reference cannot drift from the code.

    naver-sms docs --write      # regenerate
    naver-sms docs --check      # exit 1 when the committed file is stale (a test runs this)
    python -m naver_sms_tools.docs_gen --measure   # re-measure the cold-start cost first

Spans, metrics (namespace, units, attributes, dimension sets) and log fields come from
:mod:`naver_sms.telemetry.catalog`; configuration from :mod:`naver_sms.telemetry.constants`;
the cold-start figures from `docs/telemetry-cold-start.json` (written by `--measure`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from naver_sms.telemetry import catalog
from naver_sms.telemetry import constants as c
from naver_sms_tools import coldstart

DOC_PATH = Path("docs/telemetry.md")
COLD_START_PATH = Path("docs/telemetry-cold-start.json")
BENCH_RESULTS = Path("benchmarks/results/latest.json")

_HEADER = """\
# Telemetry reference

<!-- Generated from src/naver_sms/telemetry/catalog.py by `naver-sms docs --write`.
     Do not edit by hand: a test fails when this file is stale. -->

Every span, metric and log field the Lambda emits. Operators follow a booking from a log
line (`trace_id`/`xray_trace_id`) to its X-Ray trace and to the CloudWatch metrics below.
"""

_CONFIG: tuple[tuple[str, str, str], ...] = (
    (
        c.OTEL_TRACES_EXPORTER,
        c.DEFAULT_EXPORTER,
        "`otlp`, `xray_udp` (OTLP datagrams to the X-Ray daemon), `console`, `memory`, `none`, or "
        "the name of any installed exporter's `opentelemetry_traces_exporter` entry point. "
        "Ignored when another SDK provider was installed first (see below).",
    ),
    (
        c.OTEL_METRICS_EXPORTER,
        c.DEFAULT_EXPORTER,
        "`otlp`, `emf` (CloudWatch EMF on stdout), `console`, `memory`, `none`, or any "
        "installed `opentelemetry_metrics_exporter` entry point (a push exporter).",
    ),
    (
        c.OTEL_EXPORTER_OTLP_PROTOCOL,
        c.DEFAULT_OTLP_PROTOCOL,
        "`http/json` (opentelemetry-exporter-otlp-json-http: no protobuf, no `requests`, the "
        "lighter import) or `http/protobuf` (opentelemetry-exporter-otlp-proto-http); `grpc` "
        "needs opentelemetry-exporter-otlp-proto-grpc installed. Also per signal "
        "(`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `..._METRICS_PROTOCOL`).",
    ),
    (
        c.OTEL_EXPORTER_OTLP_ENDPOINT,
        c.DEFAULT_OTLP_ENDPOINT,
        "Base URL; `/v1/traces` and `/v1/metrics` are appended. The ADOT collector layer "
        "listens here.",
    ),
    (c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "", "Full traces URL (overrides the base)."),
    (c.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, "", "Full metrics URL (overrides the base)."),
    (c.OTEL_EXPORTER_OTLP_HEADERS, "", "`k=v,k2=v2`, e.g. a vendor API key (also per signal)."),
    (
        c.OTEL_EXPORTER_OTLP_TIMEOUT,
        str(c.DEFAULT_OTLP_TIMEOUT_MS),
        "Upper bound per export in ms (the flush budget below is usually smaller and wins). "
        "`OTEL_EXPORTER_OTLP_COMPRESSION` and the certificate variables are read by the "
        "upstream exporters as they document.",
    ),
    (
        c.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
        c.DEFAULT_TEMPORALITY_PREFERENCE,
        "`delta` (CloudWatch takes deltas), `cumulative` or `lowmemory`, for our meter "
        "providers whatever the exporter.",
    ),
    (
        c.AWS_XRAY_DAEMON_ADDRESS,
        c.DEFAULT_XRAY_DAEMON_ADDRESS,
        "Where `xray_udp` sends spans (UDP `host:port`; Lambda sets it when active tracing is on).",
    ),
    (c.OTEL_SERVICE_NAME, "naver-sms", "`service.name` of spans and the `service` log field."),
    (
        c.OTEL_RESOURCE_ATTRIBUTES,
        "",
        "Extra resource attributes, `k=v,...` (the SDK's OTELResourceDetector).",
    ),
    (c.DEPLOYMENT_ENVIRONMENT, "", "`deployment.environment(.name)` resource attribute."),
    (
        "OTEL_TRACES_SAMPLER",
        "parentbased_always_on",
        "Read by the SDK; by default Lambda's `Sampled=` flag decides.",
    ),
    (
        c.NAVER_SMS_TELEMETRY,
        "on",
        "`off`: no span, metric point or flush, and neither the SDK nor any exporter is "
        "imported; logs still flow.",
    ),
    (
        c.OTEL_SDK_DISABLED,
        "false",
        "The standard OpenTelemetry switch, honoured: `true` has the same effect as "
        "`NAVER_SMS_TELEMETRY=off`.",
    ),
    (
        c.NAVER_SMS_TELEMETRY_FLUSH_MS,
        str(c.DEFAULT_FLUSH_MS),
        "Budget of the end-of-invocation flush (spans + metrics together).",
    ),
    (c.AWS_LAMBDA_LOG_LEVEL, "", "Lambda's log level control; wins over `LOG_LEVEL`."),
    (c.LOG_LEVEL, c.DEFAULT_LOG_LEVEL, "`DEBUG`, `INFO`, `WARNING`, `ERROR`."),
)

_USAGE = """\
## Using it

```python
from naver_sms.telemetry import instrument_handler, register_secrets

@instrument_handler(switch=lambda: switches.current().telemetry)  # or bare: @instrument_handler
def lambda_handler(event, context): ...

register_secrets(secrets.values())  # values loaded at runtime (Secrets Manager, SSM)
```

- naver-sms is OpenTelemetry: the flow's spans and metrics go through `opentelemetry.trace` and
  `opentelemetry.metrics` (tracer and meter `naver-sms`, with the package version and the
  semantic-conventions schema URL). A span the handler's own code starts with
  `opentelemetry.trace.get_tracer(__name__)` is a child of the invocation span, continues the
  same trace and leaves in the same export; so do the spans of any OpenTelemetry
  instrumentation the function installs.
- `configure(*, service_name, service_version, environment, traces_exporter,
  metrics_exporter, flush_ms, enabled, secrets, environ, logs=True, force=False)`: every
  argument overrides its variable below; the decorator calls it at init. It installs the SDK
  providers as the global ones, or uses the ones already installed. Idempotent; `force=True`
  re-selects exporters and budget on the same providers (tests, demo): global providers can be
  set once per process.
- `configure_logging(environ=None, *, service_name=None)`: the log chain alone, for tools
  that log without telemetry (e.g. the CLI). `structlog.get_logger()` anywhere picks it up.
- `register_secrets(values)`: values never to appear in logs, spans or metric attributes.
  The SENS keys, Telegram token and AWS credentials in the environment are registered by
  `configure()` automatically. The rules live in `naver_sms.privacy` (shared with the clients
  and the comparison).
- `flush(budget_ms=None)`: export now, for code that emits telemetry outside the handler
  wrapper (the CLI's `compare`, replays); call `configure()` first.
- `in_memory()` with `OTEL_*_EXPORTER=memory`: `.spans()`, `.metric_points()`,
  `.metric_batches()`, `.clear()` (`naver_sms.telemetry.testing.use_memory()` resets all;
  `testing.capture()` collects what a block emits without the handler wrapper or a flush).
- The flow reports through `naver_sms.telemetry.instruments` only: `record(spec, value,
  **attributes)`, `booking_span()`, `sens_request()`, `telegram_request()`,
  `dynamodb_call()` (each yields a `ClientCall`; call `.finish(outcome, status_code,
  **attributes)`). Every instrument is made from the catalog below.
"""

_RUNNING = """\
## Running it, by configuration only

**With the ADOT collector layer** (the default; `infrastructure/`): the function's OTLP/HTTP
goes to the collector extension on `localhost:4318`, which turns metrics into EMF
(`awsemf`, namespaces from the resource, see below) and spans into X-Ray segments (`awsxray`):

    OTEL_TRACES_EXPORTER=otlp  OTEL_METRICS_EXPORTER=otlp      # the defaults
    OPENTELEMETRY_COLLECTOR_CONFIG_URI=/var/task/collector/config.yaml

**Collector-less** (no layer, no extension start-up; active tracing on): spans as OTLP
datagrams to Lambda's X-Ray daemon, metrics as EMF lines in the function's log group:

    OTEL_TRACES_EXPORTER=xray_udp  OTEL_METRICS_EXPORTER=emf

**With a vendor's exporter**: straight from the function with OTLP (`OTEL_EXPORTER_OTLP_ENDPOINT`
and `OTEL_EXPORTER_OTLP_HEADERS` with the vendor's key, or through the collector with
`collector/otlp.yaml`), or with the vendor's own OpenTelemetry exporter package added to the
deployment: `OTEL_TRACES_EXPORTER=<its entry-point name>` finds it as `opentelemetry-instrument`
would. Unknown names and settings that cannot work (an endpoint without scheme, a header with a
line break, an unknown protocol) are logged once as `telemetry_config_invalid` and that signal is
exported nowhere; the function runs.

**Under the ADOT Python layer** (`AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument`, or
`opentelemetry-instrument` with the aws-lambda and botocore instrumentations): the layer
installs the SDK providers first; `configure()` uses them and adds nothing twice. The layer's
invocation span (SERVER) is the invocation span, our spans are its children, its aws-lambda
instrumentation flushes after the handler; DynamoDB calls get the botocore instrumentation's
span and ours step aside (the `dynamodb_operations` metric is still recorded), so each call
has one span. Metrics go to the layer's meter provider (set
`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta`; the operational CloudWatch namespace
is then the layer's `service.name`, so keep `OTEL_SERVICE_NAME=naver-sms`), except the
comparison namespace's, which keep a provider of their own. Set `OTEL_PROPAGATORS=xray-lambda,
tracecontext` so the layer's span continues Lambda's X-Ray trace. The scrubbing span processor
is added to the layer's provider: its spans are scrubbed too. `tests/integration/telemetry/
test_adot_layer.py` runs exactly this through the real collector.

The two collector-less exporters are SDK plug-ins (a `SpanExporter` and a `MetricExporter`)
registered as the entry points `xray_udp` and `emf`, so they also work under
`opentelemetry-instrument`. They are written here because no light upstream package has them:
aws-opentelemetry-distro does, but using it means {distro} (`docs/benchmarks.md` measures it
in every run).
"""

_EXPORT_PATH = f"""\
## How telemetry leaves the function

- `configure()` runs once per execution environment (at init, from the handler decorator).
  With nobody's SDK installed it sets the global providers: a `TracerProvider` with
  `AwsXRayIdGenerator` (X-Ray-compatible trace ids, their first 32 bits the epoch seconds),
  the sampler from `OTEL_TRACES_SAMPLER`, the scrubbing span processor and the per-invocation
  span processor; a `MeterProvider` per catalog namespace with views from the catalog (allowed
  attribute keys, histogram boundaries), delta temporality and exemplars off. The resource is
  the SDK's `Resource`: `AwsLambdaResourceDetector` (opentelemetry-sdk-extension-aws), the
  package's service attributes, `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`. No entry
  point is scanned on the way (`Resource.create()` and `opentelemetry.propagate` would): known
  exporter names import their module directly, and only the chosen ones; other names are
  looked up among the installed entry points.
- Each invocation's SERVER span continues the trace Lambda started: `_X_AMZN_TRACE_ID`
  (`Root=…;Parent=…;Sampled=…`) read by `AwsXRayLambdaPropagator`
  (opentelemetry-propagator-aws-xray) at every invocation, else the headers of an HTTP-shaped
  event (`traceparent` by the W3C propagator, winning over `X-Amzn-Trace-Id`; names matched
  case-insensitively). A malformed header starts a new trace. `Sampled=0` means no spans for
  that invocation (metrics and logs, with their trace ids, still flow); Lambda writes
  `Sampled=0` unless the function's active tracing is on, so the infrastructure turns it on.
- Lambda freezes the process between invocations, so nothing exports on a timer: the span
  processor keeps the spans that ended (one lock, no thread) and the metric reader collects
  only when flushed. At the end of **every** invocation the wrapper flushes spans, then metrics
  (a span export that fails is counted in the same metric export), both bounded together by
  `{c.NAVER_SMS_TELEMETRY_FLUSH_MS}` and by Lambda's remaining time minus
  {c.DEADLINE_RESERVE_MS} ms, whoever calls `force_flush` (the wrapper, or the aws-lambda
  instrumentation under the ADOT layer): the upstream OTLP exporters' own timeout (retries
  included) is set to what is left of that budget before each export. No thread is left when
  the handler returns.
- OTLP/HTTP uses the upstream exporters over urllib3 (kept-alive connections; a collector that
  is down costs a refused connection, one that hangs at most the budget). Their per-export log
  lines are kept as the failure's detail: failures are counted in `telemetry_export_failures`
  (delivered with the next successful metric export) and logged once per failing signal
  (`telemetry_export_failed`, then `telemetry_export_recovered`).
- CloudWatch namespaces travel on the resource. Each catalog namespace's metrics come from a
  meter provider whose resource is the function's with `service.namespace`/`service.name`
  replaced by the catalog's mapping (per namespace below; `catalog.namespace_resource`). The
  collector's one `awsemf` exporter has no `namespace` and derives it from those two
  attributes (`service.namespace/service.name`, else `service.name`), so it needs no routing
  (the ADOT Lambda layer has no processors or connectors) and prints no plain JSON copy of any
  metric. `{c.OTEL_SERVICE_NAME}` and `{c.OTEL_RESOURCE_ATTRIBUTES}` therefore name the service
  in spans and logs; metric resources always carry the catalog's mapping. The comparison
  namespace's provider is made on first use, so the Lambda path pays for one.
- `OTEL_METRICS_EXPORTER=emf`: the catalog's points are written as CloudWatch EMF lines on
  stdout (the function's log group), with the namespace, unit and dimension sets of the
  catalog below, one line per (namespace, dimension sets, attribute values) listing every
  metric that shares them. Metrics outside the catalog are not written.
- `OTEL_TRACES_EXPORTER=xray_udp`: each flush's spans go, fire and forget, as OTLP protobuf
  (the upstream encoder) datagrams to the Lambda X-Ray daemon at `{c.AWS_XRAY_DAEMON_ADDRESS}`,
  framed as the ADOT Python distro's `OTLPUdpSpanExporter` frames them
  (`{{"format":"json","version":1}}`, a newline, `T1S`, the base64 of the
  `ExportTraceServiceRequest`), at most 10 spans per datagram, split further when a datagram
  would exceed 65,507 bytes (a single span larger than that is dropped and counted as a failed
  export). Failures (bad address, socket error) are counted and logged like the OTLP ones.
- The kill switch (`instrument_handler(switch=…)`, the SSM `telemetry` switch) is asked at
  every invocation; when off, no span (the handler's own API spans included), metric point or
  flush is made.
- Secrecy, last line of defence: a scrubbing span processor removes phone numbers
  (`010-****-5678`), registered secret values and Telegram bot tokens in URL paths from the
  name, attributes, events and status of **every** span, ours or any instrumentation's (the
  upstream HTTP instrumentations write whole URLs into `url.full`/`http.url`). It works in the
  SDK's `_on_ending` hook, before any processor sees the span ended, so exporters added
  before it (the ADOT layer's) receive it scrubbed. Metric attribute values are scrubbed when
  first recorded; logs apply the same rules (below).
"""

_LOG_RULES = """\
Processors, in order (one chain for structlog and for stdlib `logging` records from boto3,
urllib3 …): log level, timestamp, Lambda context, service, stdlib logger name, trace
correlation (the current OpenTelemetry span, whoever started it), stack/exception rendering,
then **phone masking** (`01012345678`, `010-1234-5678`, `02-1588-1234`, `+82 10 …` anywhere in
any string → `010-****-5678`), **customer-name masking** (fields named `customer_name` or
`name` → `홍*동`) and **secret dropping** (keys containing token, secret, key, password,
signature, authorization, credential or cookie, and every registered secret value anywhere →
`[REDACTED]`). A line of scalar fields skips the processors that have nothing to do on it
(`logger`, stack and exception rendering): that fast path is the same chain, not a copy. With
telemetry switched off, `trace_id`/`xray_trace_id` still come from Lambda's trace header.
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _code(values: Sequence[str]) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else "—"


def _dimension_sets(metric: catalog.MetricSpec) -> str:
    return "; ".join("[" + ", ".join(dims) + "]" for dims in metric.dimension_sets)


def _metrics_section() -> str:
    out = ["## Metrics\n\n"]
    out.append(
        "Counters and histograms are exported with delta temporality. Dimension sets are the "
        "`metric_declarations` the collector's `awsemf` exporter must use: explicit, never a "
        "roll-up of every attribute (`[]` is the metric without dimensions).\n"
    )
    for namespace in (catalog.NAMESPACE, catalog.COMPARISON_NAMESPACE):
        out.append(f"\n### Namespace `{namespace}`\n\n")
        attrs = catalog.namespace_resource(namespace)
        resource = [f"`{k}={v}`" for k, v in attrs.items()]
        resource += [f"no `{k}`" for k in catalog.NAMESPACE_RESOURCE_KEYS if k not in attrs]
        out.append(f"Exported on a resource with {', '.join(resource)}.\n\n")
        rows = [
            (
                f"`{m.name}`",
                m.instrument.value,
                f"`{m.unit}` → {m.cloudwatch_unit}",
                _code(m.attributes),
                _dimension_sets(m),
                m.description,
            )
            for m in catalog.METRICS
            if m.namespace == namespace
        ]
        out.append(
            _table(
                (
                    "Metric",
                    "Instrument",
                    "Unit (OTel → CloudWatch)",
                    "Attributes",
                    "Dimension sets",
                    "Description",
                ),
                rows,
            )
        )
    out.append("\n### Attribute values\n\n")
    value_rows = [
        (f"`{name}`", _code(sorted(values)) if values is not None else "bounded by configuration")
        for name, values in catalog.LOW_CARDINALITY_ATTRIBUTES.items()
    ]
    out.append(_table(("Attribute", "Allowed values"), value_rows))
    return "".join(out)


def _spans_section() -> str:
    rows = [(f"`{s.name}`", s.kind, _code(s.attributes), s.description) for s in catalog.SPANS]
    return (
        "## Spans\n\nNames, kinds and attributes follow the OpenTelemetry semantic "
        "conventions, so X-Ray and any OTLP back end understand them. Parent/child: the "
        "invocation span contains one `process_booking` span per booking, which contains the "
        "CLIENT spans of its calls. Retries are separate CLIENT spans with "
        "`http.request.resend_count`; failures set status ERROR with the exception "
        "recorded.\n\n" + _table(("Name", "Kind", "Attributes", "Description"), rows)
    )


def _logs_section() -> str:
    rows = [(f"`{f.name}`", f.description) for f in catalog.LOG_FIELDS]
    return (
        "## Log fields\n\nOne JSON object per line on stdout. Logs Insights queries and metric "
        "filters depend on these names.\n\n"
        + _table(("Field", "Meaning"), rows)
        + "\n"
        + _LOG_RULES
    )


def _config_section() -> str:
    rows = [
        (f"`{name}`", f"`{default}`" if default else "—", text) for name, default, text in _CONFIG
    ]
    return "## Configuration\n\n" + _table(("Variable", "Default", "Meaning"), rows)


def _ms(variants: dict[str, Any], a: str, b: str) -> str:
    """Fastest-run difference `a - b` in ms, or `?` when either variant was not measured."""
    if a not in variants or b not in variants:
        return "?"
    return f"{variants[a]['min'] - variants[b]['min']:.1f}"


def _breakdown(importtime: dict[str, dict[str, float]]) -> str:
    variants = list(importtime)
    modules = [m for m in coldstart.REPORTED_MODULES if any(m in importtime[v] for v in variants)]
    rows = [
        (f"`{m}`", *(f"{importtime[v][m]}" if m in importtime[v] else "—" for v in variants))
        for m in modules
    ]
    return _table(("Module", *(f"`{v}` ms" for v in variants)), rows)


def _cold_start_section(data: dict[str, Any] | None) -> str:
    head = "## Cold-start cost\n\n"
    if data is None:
        return head + "Not measured yet: run `python -m naver_sms_tools.docs_gen --measure`.\n"
    variants = data["import_handler_ms"]
    rows = [
        (f"`{name}`", f"{v['min']}", f"{v['median']}", f"{v['max']}")
        for name, v in variants.items()
    ]
    off = data.get("sdk_modules_when_off", [])
    loaded = (
        "With telemetry off no SDK module is imported (the `-X importtime` runs list none)"
        if not off
        else f"**SDK modules were imported with telemetry off**: {_code(off)}"
    )
    return (
        head
        + f"`import naver_sms.app.handler` (which runs `configure()`) in a fresh process with a "
        f"Lambda-like environment, {data['runs']} runs per variant in alternating order, "
        f"Python {data['python']}, {data['machine']}. Measured by "
        "`naver_sms_tools.coldstart`. This is the init phase only; the cold start a user waits "
        "for (process start to the end of the first invocation, its flush included) and its "
        "comparison with Powertools and the ADOT layer are in `docs/benchmarks.md`. Variants: "
        "`otlp` is what is deployed (OTLP/HTTP JSON to the ADOT collector layer); "
        "`otlp_protobuf` the same with protobuf bodies; `xray_udp_emf` the collector-less "
        "configuration (spans to the X-Ray daemon, metrics as EMF on stdout); `no_export` "
        "installs the SDK providers, processor and readers with no exporter; `telemetry_off` "
        "is `NAVER_SMS_TELEMETRY=off`.\n\n"
        + _table(("Variant", "Fastest ms", "Median ms", "Slowest ms"), rows)
        + "\nThis machine is shared with parallel work, so the fastest run of each variant "
        "(the least disturbed) is the fairest basis for differences: the SDK set-up adds "
        f"**{_ms(variants, 'no_export', 'telemetry_off')} ms** over telemetry off, the "
        f"OTLP/HTTP JSON exporters **{_ms(variants, 'otlp', 'no_export')} ms**, the protobuf "
        f"ones **{_ms(variants, 'otlp_protobuf', 'no_export')} ms**, the X-Ray UDP and EMF "
        f"plug-ins (with the upstream protobuf encoder) "
        f"**{_ms(variants, 'xray_udp_emf', 'no_export')} ms**. "
        + loaded
        + ". `telemetry_off` still pays for structlog and the OpenTelemetry API, which the "
        "flow's instruments import; boto3 is imported on first use by the AWS clients, so it is "
        "not part of `import naver_sms.app.handler`.\n\n"
        "Cumulative `-X importtime` (median) of the telemetry's modules and its runtime "
        "dependencies, first import, per variant (a module appears under whoever imports it "
        "first; — : not imported at init):\n\n" + _breakdown(data["importtime_ms"])
    )


def _distro_text() -> str:
    """What the last `make bench` measured of aws-opentelemetry-distro, if it did."""
    try:
        results = json.loads(BENCH_RESULTS.read_text(encoding="utf-8"))
        distro = results["profiles"]["adot_distro_footprint"]
    except (OSError, KeyError, TypeError, ValueError):
        return "installing it, with its exact SDK pin and its instrumentations"
    pins = ", ".join(f"`{p}`" for p in distro["sdk_pins"] if "extension" not in p)
    return (
        f"installing {distro['distributions']} distributions, "
        f"{distro['instrumentation_packages']} of them instrumentation packages "
        f"({distro['site_packages_mb']} MB), with the exact pins {pins} that conflict with the "
        "release train of the JSON exporter used here"
    )


def render(cold_start: dict[str, Any] | None = None) -> str:
    if cold_start is None and COLD_START_PATH.exists():
        cold_start = json.loads(COLD_START_PATH.read_text(encoding="utf-8"))
    sections = [
        _HEADER,
        _USAGE,
        _config_section(),
        _RUNNING.replace("{distro}", _distro_text()),
        _EXPORT_PATH,
        _spans_section(),
        _metrics_section(),
        _logs_section(),
        _cold_start_section(cold_start),
    ]
    return "\n".join(s.rstrip("\n") + "\n" for s in sections)


def check(path: Path = DOC_PATH) -> bool:
    """True when `path` holds exactly what `render()` produces now."""
    return path.exists() and path.read_text(encoding="utf-8") == render()


def write(path: Path = DOC_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `docs` subcommand's options (shared by `naver-sms docs` and `python -m`)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"regenerate {DOC_PATH}")
    group.add_argument("--check", action="store_true", help=f"exit 1 if {DOC_PATH} is stale")
    parser.add_argument(
        "--measure",
        action="store_true",
        help=f"re-measure the cold-start cost into {COLD_START_PATH} (then --write)",
    )


def run(args: argparse.Namespace) -> int:
    if args.measure:
        coldstart.write(COLD_START_PATH)
        print(f"measured cold-start cost into {COLD_START_PATH}")
    if args.check:
        if check():
            print(f"{DOC_PATH} is up to date")
            return 0
        print(f"{DOC_PATH} is stale: run `naver-sms docs --write`", file=sys.stderr)
        return 1
    if args.write or args.measure:
        write()
        print(f"wrote {DOC_PATH}")
        return 0
    sys.stdout.write(render())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="naver-sms docs", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
