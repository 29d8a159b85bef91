"""Alarm definitions as the monitoring module deploys them (``local.alarms``).

Each entry has the shape ``{description, comparison_operator, threshold, evaluation_periods,
datapoints_to_alarm, treat_missing_data, queries=[{id, label, expression, return_data,
metric={namespace, metric_name, stat, period, dimensions}}]}`` and may carry more (``runbook``,
...), which is kept in :attr:`AlarmDefinition.extra`. A malformed entry is an error naming the
alarm and the field, never a silently different alarm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

OPERATORS: Final = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}
TREATMENTS: Final = ("missing", "ignore", "breaching", "notBreaching")
STATISTICS: Final = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")
PERCENTILE: Final = re.compile(r"p(\d{1,2}(?:\.\d+)?|100)")


class AlarmDefinitionError(ValueError):
    """An alarm the simulation cannot evaluate exactly; names the alarm and the field."""


@dataclass(frozen=True)
class MetricStat:
    namespace: str
    metric_name: str
    stat: str
    period: int
    dimensions: tuple[tuple[str, str], ...]

    @property
    def percentile(self) -> float | None:
        match = PERCENTILE.fullmatch(self.stat)
        return float(match.group(1)) if match else None


@dataclass(frozen=True)
class MetricQuery:
    id: str
    label: str | None
    return_data: bool
    expression: str | None
    metric: MetricStat | None


@dataclass(frozen=True)
class AlarmDefinition:
    key: str
    """The entry's key in local.alarms; the deployed name is ``<var.name>-<key>``."""
    name: str
    description: str
    comparison_operator: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    queries: tuple[MetricQuery, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def result(self) -> MetricQuery:
        """The query whose values the alarm compares with its threshold."""
        return next(q for q in self.queries if q.return_data)

    @property
    def period(self) -> int:
        periods = {q.metric.period for q in self.queries if q.metric is not None}
        return periods.pop()

    @property
    def namespaces(self) -> set[str]:
        return {q.metric.namespace for q in self.queries if q.metric is not None}


def _require(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] is None:
        raise AlarmDefinitionError(f"alarm {where}: {key} is missing")
    return entry[key]


def _int(value: Any, where: str, key: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise AlarmDefinitionError(f"alarm {where}: {key} must be a whole number, got {value!r}")
    if value < minimum:
        raise AlarmDefinitionError(f"alarm {where}: {key} must be at least {minimum}")
    return int(value)


def _metric(raw: Any, where: str) -> MetricStat:
    if not isinstance(raw, Mapping):
        raise AlarmDefinitionError(f"alarm {where}: metric must be an object")
    dimensions = raw.get("dimensions") or {}
    if not isinstance(dimensions, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in dimensions.items()
    ):
        raise AlarmDefinitionError(f"alarm {where}: metric.dimensions must map names to strings")
    stat = str(_require(raw, "stat", where))
    metric = MetricStat(
        namespace=str(_require(raw, "namespace", where)),
        metric_name=str(_require(raw, "metric_name", where)),
        stat=stat,
        period=_int(_require(raw, "period", where), where, "metric.period", 1),
        dimensions=tuple(sorted(dimensions.items())),
    )
    if stat not in STATISTICS and metric.percentile is None:
        raise AlarmDefinitionError(
            f"alarm {where}: statistic {stat!r} is not supported (Sum, Average, Minimum, "
            "Maximum, SampleCount, pNN)"
        )
    if metric.percentile is not None and metric.percentile > 100:
        raise AlarmDefinitionError(f"alarm {where}: percentile {stat!r} above 100")
    return metric


def parse_alarm(key: str, entry: Any, prefix: str) -> AlarmDefinition:
    where = repr(key)
    if not isinstance(entry, Mapping):
        raise AlarmDefinitionError(f"alarm {where}: must be an object")
    operator = str(_require(entry, "comparison_operator", where))
    if operator not in OPERATORS:
        raise AlarmDefinitionError(
            f"alarm {where}: comparison_operator {operator!r} is not supported "
            f"({', '.join(OPERATORS)}; anomaly-detection bands are not simulated)"
        )
    threshold = _require(entry, "threshold", where)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise AlarmDefinitionError(f"alarm {where}: threshold must be a number")
    periods = _int(_require(entry, "evaluation_periods", where), where, "evaluation_periods")
    raw_m = entry.get("datapoints_to_alarm")
    datapoints = periods if raw_m is None else _int(raw_m, where, "datapoints_to_alarm")
    if datapoints > periods:
        raise AlarmDefinitionError(
            f"alarm {where}: datapoints_to_alarm {datapoints} exceeds evaluation_periods {periods}"
        )
    treatment = entry.get("treat_missing_data") or "missing"
    if treatment not in TREATMENTS:
        raise AlarmDefinitionError(f"alarm {where}: treat_missing_data {treatment!r} is unknown")
    raw_queries = _require(entry, "queries", where)
    if not isinstance(raw_queries, list) or not raw_queries:
        raise AlarmDefinitionError(f"alarm {where}: queries must be a non-empty list")
    queries = []
    for index, raw in enumerate(raw_queries):
        at = f"{where} queries[{index}]"
        if not isinstance(raw, Mapping):
            raise AlarmDefinitionError(f"alarm {at}: must be an object")
        expression = raw.get("expression")
        metric = raw.get("metric")
        if (expression is None) == (metric is None):
            raise AlarmDefinitionError(f"alarm {at}: needs exactly one of expression and metric")
        queries.append(
            MetricQuery(
                id=str(_require(raw, "id", at)),
                label=raw.get("label"),
                return_data=bool(raw.get("return_data")),
                expression=None if expression is None else str(expression),
                metric=None if metric is None else _metric(metric, at),
            )
        )
    if sum(q.return_data for q in queries) != 1:
        raise AlarmDefinitionError(f"alarm {where}: exactly one query must have return_data")
    if len({q.id for q in queries}) != len(queries):
        raise AlarmDefinitionError(f"alarm {where}: query ids must be unique")
    periods_used = {q.metric.period for q in queries if q.metric is not None}
    if len(periods_used) != 1:
        raise AlarmDefinitionError(
            f"alarm {where}: its metrics must share one period (CloudWatch requires it), "
            f"got {sorted(periods_used)}"
        )
    known = {
        "description",
        "comparison_operator",
        "threshold",
        "evaluation_periods",
        "datapoints_to_alarm",
        "treat_missing_data",
        "queries",
    }
    return AlarmDefinition(
        key=key,
        name=f"{prefix}-{key}",
        description=str(entry.get("description") or ""),
        comparison_operator=operator,
        threshold=float(threshold),
        evaluation_periods=periods,
        datapoints_to_alarm=datapoints,
        treat_missing_data=treatment,
        queries=tuple(queries),
        extra={k: v for k, v in entry.items() if k not in known},
    )
