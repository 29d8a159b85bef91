"""What the Terraform modules must agree with: the telemetry catalog, the queries, the code.

CloudWatch matches a metric by namespace, name and the *exact* set of dimensions; an alarm on a
dimension set the collector never writes stays in INSUFFICIENT_DATA forever and looks healthy.
So the monitoring module takes namespaces, metric names and dimension sets from a file
generated here (`infrastructure/terraform/modules/monitoring/catalog.tf.json`), and
`tests/iac` checks every alarm and widget against :func:`reference_errors`. The saved Logs
Insights queries are generated the same way from `docs/ops/queries/*.insights`
(`queries.tf.json`). :func:`aws_calls` finds the AWS API calls a Lambda's code makes (by AST,
from its handler's imports), which the roles must allow and nothing more; :func:`markdown_anchors`
the sections an alarm's `runbook` field may name.

Run `python -m naver_sms_tools.terraform_contract --write` (or `make iac-generate`) after
changing the catalog or a query file; `--check` exits 1 when a generated file is stale.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from botocore import xform_name
from botocore.session import get_session

from naver_sms.telemetry.catalog import (
    ALL_STORES,
    COMPARISON_NAMESPACE,
    LOW_CARDINALITY_ATTRIBUTES,
    METRICS,
    METRICS_BY_NAME,
    NAMESPACE,
    Instrument,
    MetricSpec,
)

GENERATED_PATH: Final = Path("infrastructure/terraform/modules/monitoring/catalog.tf.json")
QUERIES_PATH: Final = Path("infrastructure/terraform/modules/monitoring/queries.tf.json")
QUERIES_DIR: Final = Path("docs/ops/queries")
QUERY_SUFFIX: Final = ".insights"

# CloudWatch statistics that mean something for each instrument as the collector writes it.
# Counters arrive as delta sums per export: only their Sum is a count. The histogram arrives as
# a statistic set (Count/Sum/Min/Max), from which CloudWatch cannot compute percentiles (it
# needs raw values, or SampleCount 1 / Min == Max), so p50/p99 would show no data.
_STATISTICS: Final[dict[Instrument, tuple[str, ...]]] = {
    Instrument.COUNTER: ("Sum",),
    Instrument.GAUGE: ("Average", "Minimum", "Maximum"),
    Instrument.HISTOGRAM: ("Average", "Minimum", "Maximum", "SampleCount", "Sum"),
}


def allowed_statistics(spec: MetricSpec) -> tuple[str, ...]:
    """The statistics an alarm or widget may apply to this metric."""
    return _STATISTICS[spec.instrument]


# AWS metrics the monitoring may use besides the catalog's: per namespace, the one dimension set
# used here and each metric's statistics. (CloudWatch publishes these itself; the catalog and the
# collector only vouch for ours.)
LAMBDA_NAMESPACE: Final = "AWS/Lambda"
AWS_METRICS: Final[dict[str, tuple[frozenset[str], dict[str, tuple[str, ...]]]]] = {
    LAMBDA_NAMESPACE: (
        frozenset({"FunctionName"}),
        {
            "Invocations": ("Sum",),
            "Errors": ("Sum",),
            "Throttles": ("Sum",),
            "ConcurrentExecutions": ("Maximum",),
            "Duration": ("Average", "Minimum", "Maximum", "p50", "p90", "p99"),
        },
    ),
    "AWS/DynamoDB": (
        frozenset({"TableName"}),
        {
            "ConsumedReadCapacityUnits": ("Sum", "Average", "Maximum"),
            "ConsumedWriteCapacityUnits": ("Sum", "Average", "Maximum"),
            "ReadThrottleEvents": ("Sum",),
            "WriteThrottleEvents": ("Sum",),
        },
    ),
    "AWS/SQS": (
        frozenset({"QueueName"}),
        {"ApproximateNumberOfMessagesVisible": ("Maximum",)},
    ),
}


@dataclass(frozen=True)
class LogMetric:
    """A metric a CloudWatch Logs metric filter derives from log lines (no dimensions, Sum)."""

    namespace: str
    name: str
    pattern: str


_SEARCH = re.compile(
    r"""SEARCH\('\{(?P<schema>[^}]*)\}\s+MetricName="(?P<name>[^"]+)"\s*',\s*'(?P<stat>[^']+)',"""
    r"""\s*\d+\)"""
)


@dataclass(frozen=True)
class MetricRef:
    """One metric an alarm or a dashboard widget asks CloudWatch for."""

    where: str
    namespace: str
    name: str
    dimensions: Mapping[str, str | None]  # None: any value (a SEARCH schema)
    stat: str


def reference_errors(ref: MetricRef, log_metrics: Iterable[LogMetric] = ()) -> list[str]:
    """Why CloudWatch would find nothing (or nothing meaningful) for `ref`; empty if fine.

    `log_metrics`: metrics the module itself derives from log lines (metric filters).
    """
    dims = frozenset(ref.dimensions)
    if ref.namespace in AWS_METRICS:
        required, statistics = AWS_METRICS[ref.namespace]
        stats = statistics.get(ref.name)
        if stats is None:
            return [
                f"{ref.where}: {ref.namespace} metric {ref.name!r} is not one the monitoring uses"
            ]
        errors = []
        if dims != required:
            errors.append(
                f"{ref.where}: {ref.namespace} {ref.name} needs exactly {sorted(required)}"
            )
        if ref.stat not in stats:
            errors.append(f"{ref.where}: statistic {ref.stat!r} for {ref.namespace} {ref.name}")
        if any(not value for value in ref.dimensions.values()):
            errors.append(f"{ref.where}: empty dimension value")
        return errors
    for derived in log_metrics:
        if (derived.namespace, derived.name) == (ref.namespace, ref.name):
            if dims or ref.stat != "Sum":
                return [f"{ref.where}: log metric {ref.name} has no dimensions; use Sum"]
            return []
    spec = METRICS_BY_NAME.get(ref.name)
    if spec is None:
        return [f"{ref.where}: metric {ref.name!r} is not in the telemetry catalog"]
    errors = []
    if ref.namespace != spec.namespace:
        errors.append(
            f"{ref.where}: {ref.name} is in namespace {spec.namespace!r}, not {ref.namespace!r}"
        )
    if dims not in {frozenset(d) for d in spec.dimension_sets}:
        errors.append(
            f"{ref.where}: {ref.name} with dimensions {sorted(dims)}: the collector writes only "
            f"{[sorted(d) for d in spec.dimension_sets]}"
        )
    for dim, value in ref.dimensions.items():
        allowed = LOW_CARDINALITY_ATTRIBUTES.get(dim)
        if value is not None and allowed is not None and value not in allowed:
            errors.append(f"{ref.where}: {dim}={value!r} is not a value the code emits")
        if value is not None and allowed is None and not value:
            errors.append(f"{ref.where}: empty value for {dim}")
    if ref.stat not in allowed_statistics(spec):
        errors.append(
            f"{ref.where}: statistic {ref.stat!r} does not fit {spec.instrument.value} "
            f"{ref.name} (use {', '.join(allowed_statistics(spec))})"
        )
    return errors


def search_reference(where: str, expression: str) -> MetricRef | None:
    """The metric a `SEARCH('{ns,dim,...} MetricName="x"', 'Stat', period)` selects."""
    match = _SEARCH.search(expression)
    if match is None:
        return None
    schema = [part.strip().strip('"') for part in match["schema"].split(",")]
    return MetricRef(where, schema[0], match["name"], dict.fromkeys(schema[1:]), match["stat"])


def dashboard_references(body: Mapping[str, Any]) -> list[MetricRef]:
    """Every metric of every widget of a dashboard body (CloudWatch's JSON structure).

    Metric arrays are `[namespace, name, dim, value, ..., {options}]`; the `"."` shorthand
    (repeat the line above) is refused so each line can be checked alone. Expression lines
    count only when they are SEARCH expressions (math over ids is checked through its ids).
    """
    refs: list[MetricRef] = []
    for index, widget in enumerate(body.get("widgets", [])):
        props = widget.get("properties", {})
        title = props.get("title", widget.get("type"))
        for line_no, line in enumerate(props.get("metrics", [])):
            where = f"widget {index} ({title}) line {line_no}"
            options = line[-1] if line and isinstance(line[-1], dict) else {}
            values = line[:-1] if options else line
            if not values:
                expression = str(options.get("expression", ""))
                if "SEARCH(" in expression:
                    ref = search_reference(where, expression)
                    if ref is None:
                        raise ValueError(f"{where}: unparsable SEARCH {expression!r}")
                    refs.append(ref)
                continue
            if "." in values or len(values) % 2:
                raise ValueError(f"{where}: not [namespace, name, dim, value, ...]: {line!r}")
            dims = dict(zip(values[2::2], values[3::2], strict=True))
            refs.append(
                MetricRef(where, values[0], values[1], dims, options.get("stat", "Average"))
            )
    return refs


def alarm_references(alarms: Mapping[str, Mapping[str, Any]]) -> list[MetricRef]:
    """Every metric of the monitoring module's `local.alarms` (queries of metric or math)."""
    return [
        MetricRef(
            f"alarm {key} query {query['id']}",
            query["metric"]["namespace"],
            query["metric"]["metric_name"],
            dict(query["metric"]["dimensions"]),
            query["metric"]["stat"],
        )
        for key, alarm in alarms.items()
        for query in alarm["queries"]
        if query["metric"] is not None
    ]


def expression_errors(where: str, queries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Math that names an id no query defines, or not exactly one query returning data."""
    queries = list(queries)
    ids = {q["id"] for q in queries}
    errors = [
        f"{where}: expression {q['expression']!r} uses undefined id {token!r}"
        for q in queries
        if q.get("expression")
        for token in re.findall(r"\b[a-z][A-Za-z0-9_]*\b", q["expression"])
        if token not in ids
    ]
    returning = [q["id"] for q in queries if q.get("return_data")]
    if len(returning) != 1:
        errors.append(f"{where}: exactly one query must return data, got {returning}")
    return errors


# --- Generated: the catalog and the saved queries as Terraform locals -------------------------


def _metric(spec: MetricSpec) -> dict[str, Any]:
    return {
        "namespace": spec.namespace,
        "instrument": spec.instrument.value,
        "unit": spec.cloudwatch_unit,
        "dimension_sets": [sorted(dims) for dims in spec.dimension_sets],
        "statistics": list(allowed_statistics(spec)),
        "alarmed": spec.alarmed,
    }


def contract() -> dict[str, Any]:
    """The Terraform JSON document: one `local.catalog` object."""
    return {
        "//": (
            "Generated from src/naver_sms/telemetry/catalog.py by "
            "`python -m naver_sms_tools.terraform_contract --write` (make iac-generate). "
            "Do not edit: tests/iac fails when this file is stale."
        ),
        "locals": {
            "catalog": {
                "namespaces": {"operational": NAMESPACE, "comparison": COMPARISON_NAMESPACE},
                "all_stores": ALL_STORES,
                "metrics": {spec.name: _metric(spec) for spec in METRICS},
                # Closed value sets (store ids are bounded by configuration, not listed).
                "attribute_values": {
                    name: sorted(values)
                    for name, values in LOW_CARDINALITY_ATTRIBUTES.items()
                    if values is not None
                },
            }
        },
    }


def render() -> str:
    return json.dumps(contract(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


class QueryFileError(ValueError):
    """A query file that cannot become a saved query; ``str()`` names the file and why."""


_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# PutQueryDefinition limits the query string to 10,000 characters.
MAX_QUERY_CHARS: Final = 10_000


def saved_queries(directory: Path) -> dict[str, str]:
    """`<name>.insights` -> its query text, for every query file in `directory` (sorted).

    A missing directory holds no query. A bad name, an empty or oversized file or one that is
    not UTF-8 raises QueryFileError naming the file.
    """
    if not directory.is_dir():
        return {}
    queries: dict[str, str] = {}
    for path in sorted(directory.glob(f"*{QUERY_SUFFIX}")):
        name = path.name.removesuffix(QUERY_SUFFIX)
        if not _QUERY_NAME.fullmatch(name):
            raise QueryFileError(
                f"{path}: the name must be lowercase letters, digits and '-' (1-63), "
                "it becomes the saved query's name"
            )
        try:
            text = path.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError as exc:
            raise QueryFileError(f"{path}: not UTF-8 (byte {exc.start})") from None
        if not text:
            raise QueryFileError(f"{path}: empty query")
        if len(text) > MAX_QUERY_CHARS:
            raise QueryFileError(
                f"{path}: {len(text)} characters, CloudWatch accepts {MAX_QUERY_CHARS}"
            )
        queries[name] = text
    return queries


def queries_contract(directory: Path = QUERIES_DIR) -> dict[str, Any]:
    """The Terraform JSON document: `local.saved_queries`, name -> query text."""
    return {
        "//": (
            f"Generated from {QUERIES_DIR}/*{QUERY_SUFFIX} by "
            "`python -m naver_sms_tools.terraform_contract --write` (make iac-generate). "
            "Do not edit: tests/iac fails when this file is stale."
        ),
        "locals": {"saved_queries": saved_queries(directory)},
    }


def render_queries(directory: Path = QUERIES_DIR) -> str:
    return json.dumps(queries_contract(directory), indent=2, ensure_ascii=False) + "\n"


# --- Runbook sections ---------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_HTML_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
_FENCE = re.compile(r"^\s*(```|~~~)")


def heading_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`|\*\*|__", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    kept = "".join(
        ch for ch in text.lower() if ch in " -_" or unicodedata.category(ch)[0] in ("L", "N", "M")
    )
    return kept.replace(" ", "-")


def markdown_anchors(text: str) -> list[str]:
    """Every anchor a Markdown file offers, headings first seen first (duplicates -1, -2...)."""
    anchors: list[str] = []
    seen: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        anchors.extend(_HTML_ANCHOR.findall(line))
        match = _HEADING.match(line)
        if match:
            slug = heading_slug(match.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.append(slug if count == 0 else f"{slug}-{count}")
    return anchors


# --- AWS calls the code makes (what an execution role must allow) -------------------------

# IAM action prefixes that differ from the boto3 client name.
_IAM_PREFIX: Final = {"monitoring": "cloudwatch"}


@dataclass(frozen=True)
class AwsCall:
    """One AWS API call in the source: `ssm:GetParameters` at naver_sms/config/secrets.py:67."""

    action: str
    module: str
    line: int
    decrypts: bool = False
    """Called with WithDecryption=True: KMS decrypts for the caller (kms:Decrypt)."""


def _module_path(src: Path, module: str) -> Path | None:
    base = src.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported(module: str, path: Path, tree: ast.AST, src: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            yield name
            for alias in node.names:  # `from pkg import submodule`
                if _module_path(src, f"{name}.{alias.name}") is not None:
                    yield f"{name}.{alias.name}"


def import_closure(entry: str, src: Path) -> list[str]:
    """The modules under `src` that `entry` imports, directly or not, anywhere in their code
    (lazy imports inside functions included): all the code a Lambda with that handler runs."""
    top = entry.partition(".")[0]
    found: set[str] = set()
    pending = [entry]
    while pending:
        module = pending.pop()
        if module in found:
            continue
        path = _module_path(src, module)
        if path is None:
            continue
        found.add(module)
        # A package's __init__ runs whenever a submodule is imported.
        parent = module.rpartition(".")[0]
        if parent:
            pending.append(parent)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        pending.extend(m for m in _imported(module, path, tree, src) if m.partition(".")[0] == top)
    return sorted(found)


def _client_services(trees: Mapping[str, ast.AST], known: set[str]) -> set[str]:
    """Services whose boto3 client the code creates: `client("ssm", ...)`, `aws_client(...)`."""
    services: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name.endswith("client")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value in known
            ):
                services.add(first.value)
    return services


def aws_calls(entry: str, src: Path) -> list[AwsCall]:
    """Every AWS API call in the code `entry` imports, by AST.

    A call is `<anything>.<operation>(...)` whose name is an operation (boto3's snake_case) of a
    service the code creates a client for, or a call whose first argument is such an operation's
    API name (`self._call("GetItem", ...)`). An operation name two of those services share is
    an error, not a guess.
    """
    session = get_session()
    modules = import_closure(entry, src)
    trees: dict[str, ast.AST] = {}
    for module in modules:
        path = _module_path(src, module)
        assert path is not None
        trees[module] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    services = _client_services(trees, set(session.get_available_services()))
    by_snake: dict[str, list[str]] = {}
    by_api: dict[str, list[str]] = {}
    for service in sorted(services):
        model = session.get_service_model(service)
        prefix = _IAM_PREFIX.get(model.signing_name, service)
        for operation in model.operation_names:
            by_snake.setdefault(xform_name(operation), []).append(f"{prefix}:{operation}")
            by_api.setdefault(operation, []).append(f"{prefix}:{operation}")
    calls: list[AwsCall] = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            actions: list[str] = []
            if isinstance(node.func, ast.Attribute) and node.func.attr in by_snake:
                actions = by_snake[node.func.attr]
            elif (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value in by_api
            ):
                actions = by_api[node.args[0].value]
            if not actions:
                continue
            if len(actions) > 1:
                raise ValueError(
                    f"{module}:{node.lineno}: {actions} share this operation name; "
                    "say which client it is"
                )
            decrypts = any(
                kw.arg == "WithDecryption"
                and isinstance(kw.value, ast.Constant)
                and kw.value.value is True
                for kw in node.keywords
            )
            calls.append(AwsCall(actions[0], module, node.lineno, decrypts))
    return sorted(calls, key=lambda c: (c.action, c.module, c.line))


# --- Command line -------------------------------------------------------------------------


def _outputs(args: argparse.Namespace) -> list[tuple[Path, str]]:
    return [(args.path, render()), (args.queries_path, render_queries(args.queries_dir))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the generated files")
    mode.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument("--path", type=Path, default=GENERATED_PATH, help="catalog.tf.json")
    parser.add_argument("--queries-path", type=Path, default=QUERIES_PATH, help="queries.tf.json")
    parser.add_argument("--queries-dir", type=Path, default=QUERIES_DIR, help="*.insights")
    args = parser.parse_args(argv)
    try:
        outputs = _outputs(args)
    except QueryFileError as exc:
        print(f"terraform_contract: {exc}", file=sys.stderr)
        return 2
    stale = 0
    for path, text in outputs:
        if args.write:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
            continue
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{path} is stale: run `make iac-generate`", file=sys.stderr)
            stale = 1
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
