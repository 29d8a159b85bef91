"""Reading what the collector produced: EMF lines from its stdout, X-Ray segment documents.

The awsemf exporter prints one JSON document per line. A document carrying `_aws` is EMF
(CloudWatch extracts metrics from it); one without is the plain copy awsemf prints for metrics
none of its `metric_declarations` select, from which CloudWatch extracts nothing (log volume and
double counts in Logs Insights only). With the one exporter and the catalog-complete
declarations there must be none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from naver_sms.telemetry.catalog import METRICS, METRICS_BY_NAME

EMF_SCHEMA_PATH = Path(__file__).with_name("collector_emf_schema.json")
# Members the exporter adds besides the metric values and their attributes.
EXPORTER_MEMBERS = frozenset({"_aws", "Version", "OTelLib"})

Signature = tuple[str, str, tuple[str, ...], str]  # namespace, metric, dimension set, unit


@dataclass(frozen=True)
class CollectorStdout:
    emf: list[dict[str, Any]]
    raw: list[dict[str, Any]]


def parse_stdout(lines: Iterable[str]) -> CollectorStdout:
    """Split stdout into EMF and raw documents; any non-JSON line is an error naming the line."""
    emf: list[dict[str, Any]] = []
    raw: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as error:
            raise AssertionError(f"collector stdout line {number} is not JSON: {line!r}") from error
        if not isinstance(doc, dict):
            raise AssertionError(f"collector stdout line {number} is not a JSON object: {line!r}")
        (emf if "_aws" in doc else raw).append(doc)
    return CollectorStdout(emf, raw)


def emf_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(EMF_SCHEMA_PATH.read_text(encoding="utf-8")))


def schema_errors(docs: Iterable[dict[str, Any]]) -> list[str]:
    validator = emf_validator()
    return [
        f"{error.json_path}: {error.message} in {json.dumps(doc)}"
        for doc in docs
        for error in validator.iter_errors(doc)
    ]


def reference_errors(doc: dict[str, Any]) -> list[str]:
    """Spec rules the schema cannot express: dimension targets are strings on the root node,
    metric targets are numbers (awsemf writes histograms as a Count/Sum/Min/Max statistic set)."""
    errors: list[str] = []
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dims in directive["Dimensions"]:
            errors += [
                f"dimension {d!r} is not a string member"
                for d in dims
                if not isinstance(doc.get(d), str)
            ]
        for metric in directive["Metrics"]:
            value = doc.get(metric["Name"])
            is_stats = isinstance(value, dict) and set(value) == {"Count", "Sum", "Min", "Max"}
            if not (is_stats or (isinstance(value, int | float) and not isinstance(value, bool))):
                errors.append(f"metric {metric['Name']!r} has no numeric value: {value!r}")
    return errors


def emf_signatures(docs: Iterable[dict[str, Any]]) -> set[Signature]:
    return {
        (directive["Namespace"], metric["Name"], tuple(sorted(dims)), metric.get("Unit", "None"))
        for doc in docs
        for directive in doc["_aws"]["CloudWatchMetrics"]
        for dims in directive["Dimensions"]
        for metric in directive["Metrics"]
    }


def catalog_signatures() -> set[Signature]:
    return {
        (spec.namespace, spec.name, tuple(sorted(dims)), spec.cloudwatch_unit)
        for spec in METRICS
        for dims in spec.dimension_sets
    }


def catalog_errors(doc: dict[str, Any]) -> list[str]:
    """How one EMF document's directives differ from the catalog: every metric in its catalog
    namespace, with exactly the catalog's dimension sets and unit."""
    errors: list[str] = []
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        dims = sorted(tuple(sorted(d)) for d in directive["Dimensions"])
        for metric in directive["Metrics"]:
            spec = METRICS_BY_NAME.get(metric["Name"])
            if spec is None:
                errors.append(f"metric {metric['Name']!r} is not in the catalog")
                continue
            want_dims = sorted(tuple(sorted(d)) for d in spec.dimension_sets)
            got = (directive["Namespace"], dims, metric.get("Unit", "None"))
            want = (spec.namespace, want_dims, spec.cloudwatch_unit)
            if got != want:
                errors.append(f"metric {spec.name!r}: {got} instead of {want}")
    return errors


def doc_points(doc: dict[str, Any]) -> list[tuple[str, dict[str, str], Any]]:
    """(metric, attributes, value) per metric value in one document (EMF or raw)."""
    attrs = {k: v for k, v in doc.items() if isinstance(v, str) and k not in EXPORTER_MEMBERS}
    points = []
    for key, raw in doc.items():
        if key in EXPORTER_MEMBERS or isinstance(raw, str):
            continue
        # A histogram arrives as a statistic set; compare its count and sum.
        value = (raw["Count"], raw["Sum"]) if isinstance(raw, dict) else raw
        points.append((key, attrs, value))
    return points


def emf_points(
    docs: Iterable[dict[str, Any]], namespace: str | None = None
) -> list[tuple[str, dict[str, str], Any]]:
    """Metric values CloudWatch would extract, optionally for one namespace only."""
    points = []
    for doc in docs:
        names = {
            metric["Name"]
            for directive in doc["_aws"]["CloudWatchMetrics"]
            if namespace is None or directive["Namespace"] == namespace
            for metric in directive["Metrics"]
        }
        points += [p for p in doc_points(doc) if p[0] in names]
    return points


def xray_trace_id(otel_trace_id: str) -> str:
    """An OpenTelemetry trace id (32 hex) as X-Ray writes it: 1-<8 hex epoch>-<24 hex>."""
    return f"1-{otel_trace_id[:8]}-{otel_trace_id[8:]}"
