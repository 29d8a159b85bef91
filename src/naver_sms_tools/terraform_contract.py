"""The telemetry catalog as Terraform sees it: what alarms and dashboards may reference.

CloudWatch matches a metric by namespace, name and the *exact* set of dimensions; an alarm on a
dimension set the collector never writes stays in INSUFFICIENT_DATA forever and looks healthy.
So the monitoring module takes namespaces, metric names and dimension sets from a file
generated here (`infrastructure/terraform/modules/monitoring/catalog.tf.json`), and
`tests/iac` checks every alarm and widget against :func:`allowed_statistics` and the catalog.

Run `python -m naver_sms_tools.terraform_contract --write` (or `make iac-generate`) after
changing the catalog; `--check` exits 1 when the file is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

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


# AWS/Lambda metrics the monitoring may use besides the catalog's, each with its statistics;
# their only dimension set here is {FunctionName}.
LAMBDA_NAMESPACE: Final = "AWS/Lambda"
_LAMBDA_STATISTICS: Final[dict[str, tuple[str, ...]]] = {
    "Invocations": ("Sum",),
    "Errors": ("Sum",),
    "Throttles": ("Sum",),
    "ConcurrentExecutions": ("Maximum",),
    "Duration": ("Average", "Minimum", "Maximum", "p50", "p90", "p99"),
}
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


def reference_errors(ref: MetricRef) -> list[str]:
    """Why CloudWatch would find nothing (or nothing meaningful) for `ref`; empty if fine."""
    dims = frozenset(ref.dimensions)
    if ref.namespace == LAMBDA_NAMESPACE:
        stats = _LAMBDA_STATISTICS.get(ref.name)
        if stats is None:
            return [f"{ref.where}: AWS/Lambda metric {ref.name!r} is not one the monitoring uses"]
        errors = []
        if dims != {"FunctionName"}:
            errors.append(f"{ref.where}: AWS/Lambda {ref.name} needs exactly FunctionName")
        if ref.stat not in stats:
            errors.append(f"{ref.where}: statistic {ref.stat!r} for AWS/Lambda {ref.name}")
        return errors
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


def _metric(spec: MetricSpec) -> dict[str, Any]:
    return {
        "namespace": spec.namespace,
        "instrument": spec.instrument.value,
        "unit": spec.cloudwatch_unit,
        "dimension_sets": [sorted(dims) for dims in spec.dimension_sets],
        "statistics": list(allowed_statistics(spec)),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the generated file")
    mode.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--path", type=Path, default=GENERATED_PATH)
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {args.path}")
        return 0
    current = args.path.read_text(encoding="utf-8") if args.path.exists() else None
    if current != text:
        print(f"{args.path} is stale: run `make iac-generate`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
