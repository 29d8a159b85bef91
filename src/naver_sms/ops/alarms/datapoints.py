"""Metric observations of a run: the EMF documents it wrote, and what else can stand for AWS's
own metrics.

* EMF (``--emf``): every line holding an ``_aws.CloudWatchMetrics`` directive, as CloudWatch
  ingests it: one observation per metric per dimension set, at ``_aws.Timestamp``; a value is a
  number, a list of numbers, ``{"Values", "Counts"}`` or a statistic set ``{Min, Max, Sum, Count}``
  (what the collector writes for histograms). Other lines are skipped and counted.
* ``AWS/Lambda`` (``--logs``): derived from Lambda's platform.report records
  (:func:`naver_sms.ops.lambda_platform.lambda_metrics`): Invocations, Errors, Duration.
* Anything else AWS publishes (``--aws-metrics``): JSON lines ``{"namespace", "metric_name",
  "dimensions", "timestamp", "value"}`` (or ``"values"``), e.g. exported with
  ``aws cloudwatch get-metric-data``.

A malformed document is an error naming ``file:line`` and what is wrong.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from naver_sms.ops.lambda_platform import lambda_metrics, parse_report

Dimensions = tuple[tuple[str, str], ...]
MetricKey = tuple[str, str, Dimensions]
"""(namespace, metric name, sorted dimension pairs): CloudWatch matches all three exactly."""


class DatapointError(ValueError):
    """A metric document that cannot be read; ``file:line: reason``."""


@dataclass(frozen=True)
class StatSet:
    sum: float
    count: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Observation:
    at_ms: int
    values: tuple[float, ...] = ()
    counts: tuple[float, ...] = ()
    stat_set: StatSet | None = None


@dataclass
class MetricStore:
    series: dict[MetricKey, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, str] = field(default_factory=dict)
    """Namespace -> where its data came from (for the report)."""
    skipped_lines: int = 0

    def add(self, key: MetricKey, observation: Observation) -> None:
        self.series[key].append(observation)

    def observations(self, key: MetricKey) -> list[Observation]:
        return self.series.get(key, [])

    def keys(self) -> list[MetricKey]:
        return sorted(k for k, v in self.series.items() if v)

    def time_range(self) -> tuple[int, int] | None:
        stamps = [o.at_ms for obs in self.series.values() for o in obs]
        return (min(stamps), max(stamps)) if stamps else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _numbers(raw: Any, where: str, what: str) -> tuple[float, ...]:
    if not isinstance(raw, list):
        raise DatapointError(f"{where}: {what} must be a list of numbers")
    found = []
    for item in raw:
        number = _number(item)
        if number is None:
            raise DatapointError(f"{where}: {what} holds {item!r}, not a number")
        found.append(number)
    return tuple(found)


def _observation(raw: Any, at_ms: int, where: str, name: str) -> Observation:
    number = _number(raw)
    if number is not None:
        return Observation(at_ms, (number,), (1.0,))
    if isinstance(raw, list):
        values = _numbers(raw, where, f"metric {name!r}")
        return Observation(at_ms, values, tuple(1.0 for _ in values))
    if isinstance(raw, Mapping):
        if "Values" in raw:
            values = _numbers(raw["Values"], where, f"{name}.Values")
            counts = _numbers(raw.get("Counts", [1] * len(values)), where, f"{name}.Counts")
            if len(counts) != len(values):
                raise DatapointError(f"{where}: {name}.Values and .Counts differ in length")
            return Observation(at_ms, values, counts)
        parts = {key: _number(raw.get(key)) for key in ("Sum", "Count", "Min", "Max")}
        if all(value is not None for value in parts.values()):
            return Observation(
                at_ms,
                stat_set=StatSet(
                    sum=parts["Sum"] or 0.0,
                    count=parts["Count"] or 0.0,
                    minimum=parts["Min"] or 0.0,
                    maximum=parts["Max"] or 0.0,
                ),
            )
    raise DatapointError(f"{where}: metric {name!r} has no value CloudWatch accepts ({raw!r:.80})")


def add_emf_document(store: MetricStore, doc: Mapping[str, Any], where: str) -> None:
    aws = doc.get("_aws")
    if not isinstance(aws, Mapping):
        raise DatapointError(f"{where}: _aws must be an object")
    stamp = _number(aws.get("Timestamp"))
    if stamp is None:
        raise DatapointError(f"{where}: _aws.Timestamp must be epoch milliseconds")
    directives = aws.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        raise DatapointError(f"{where}: _aws.CloudWatchMetrics must be a list")
    for index, directive in enumerate(directives):
        at = f"{where}: CloudWatchMetrics[{index}]"
        if not isinstance(directive, Mapping) or not isinstance(directive.get("Namespace"), str):
            raise DatapointError(f"{at} needs a Namespace")
        namespace = directive["Namespace"]
        dimension_sets = directive.get("Dimensions") or [[]]
        metrics = directive.get("Metrics")
        if not isinstance(dimension_sets, list) or not isinstance(metrics, list):
            raise DatapointError(f"{at}: Dimensions and Metrics must be lists")
        for metric in metrics:
            name = metric.get("Name") if isinstance(metric, Mapping) else None
            if not isinstance(name, str):
                raise DatapointError(f"{at}: a metric without a Name")
            if name not in doc:
                raise DatapointError(f"{at}: metric {name!r} has no value in the document")
            observation = _observation(doc[name], int(stamp), where, name)
            for dimension_set in dimension_sets:
                if not isinstance(dimension_set, list):
                    raise DatapointError(f"{at}: a dimension set must be a list of names")
                pairs = []
                for dimension in dimension_set:
                    value = doc.get(dimension) if isinstance(dimension, str) else None
                    if not isinstance(value, str):
                        raise DatapointError(
                            f"{at}: dimension {dimension!r} needs a string value in the document"
                        )
                    pairs.append((dimension, value))
                store.add((namespace, name, tuple(sorted(pairs))), observation)
        store.sources.setdefault(namespace, "EMF")


def _json_lines(path: Path) -> Iterable[tuple[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DatapointError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"{path}:{number}", json.loads(line)
        except (ValueError, RecursionError):
            yield f"{path}:{number}", None


def read_emf(store: MetricStore, paths: Sequence[Path]) -> None:
    for path in paths:
        for where, obj in _json_lines(path):
            if isinstance(obj, dict) and "_aws" in obj:
                add_emf_document(store, obj, where)
            else:
                store.skipped_lines += 1


def read_lambda_reports(store: MetricStore, paths: Sequence[Path], function_name: str) -> int:
    """AWS/Lambda metrics from platform.report records; returns how many reports were read."""
    reports = []
    for path in paths:
        for _, obj in _json_lines(path):
            report = parse_report(obj) if isinstance(obj, dict) else None
            if report is not None:
                reports.append(report)
    dims: Dimensions = (("FunctionName", function_name),)
    for sample in lambda_metrics(reports):
        store.add(
            ("AWS/Lambda", sample.metric, dims), Observation(sample.at_ms, (sample.value,), (1.0,))
        )
    if reports:
        store.sources["AWS/Lambda"] = (
            f"derived from {len(reports)} platform.report records (Invocations, Errors, Duration)"
        )
    return len(reports)


def _timestamp_ms(raw: Any, where: str) -> int:
    number = _number(raw)
    if number is not None:
        return int(number)
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() * 1000)
    raise DatapointError(f"{where}: timestamp must be epoch milliseconds or ISO-8601")


def read_aws_metrics(store: MetricStore, paths: Sequence[Path]) -> None:
    for path in paths:
        for where, obj in _json_lines(path):
            if not isinstance(obj, dict):
                raise DatapointError(f"{where}: expected a JSON object")
            namespace, name = obj.get("namespace"), obj.get("metric_name")
            if not isinstance(namespace, str) or not isinstance(name, str):
                raise DatapointError(f"{where}: namespace and metric_name are required strings")
            dimensions = obj.get("dimensions") or {}
            if not isinstance(dimensions, Mapping) or not all(
                isinstance(v, str) for v in dimensions.values()
            ):
                raise DatapointError(f"{where}: dimensions must map names to strings")
            raw = obj.get("values", obj.get("value"))
            observation = _observation(raw, _timestamp_ms(obj.get("timestamp"), where), where, name)
            store.add((namespace, name, tuple(sorted(dimensions.items()))), observation)
            store.sources.setdefault(namespace, f"--aws-metrics {path.name}")
