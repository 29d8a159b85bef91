"""Metrics: delta aggregation of the catalog's instruments, drained once per flush.

Why not `opentelemetry-sdk`'s MeterProvider: its import costs ~20 ms at every cold start and
each measurement ~10 µs (attribute hashing, view matching, locks), then each collection
~150 µs, for a closed catalog of counters, histograms and gauges with low-cardinality
attributes. Here a point is one dict lookup and an addition; :meth:`MetricStore.drain` hands
over everything recorded since the previous drain and forgets it, so every point is DELTA by
construction (what `awsemf` needs: it drops the first point of every cumulative series, and
each Lambda execution environment starts new series).

The drained data has the OTLP/SDK shape (`MetricsData` → `ResourceMetrics` → `ScopeMetrics`
→ `Metric` → `Sum` / `Histogram` / `Gauge` → data points, same field names), one
`ResourceMetrics` per catalog namespace on the resource that tells the collector's single
`awsemf` exporter which CloudWatch namespace to write (see
:mod:`naver_sms.telemetry.metric_namespaces`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from typing import Any, TypeVar

from naver_sms.privacy import on_secrets_changed
from naver_sms.telemetry.catalog import Instrument, MetricSpec
from naver_sms.telemetry.metric_namespaces import NAMESPACES, NamespaceResources
from naver_sms.telemetry.resource import SCOPE, InstrumentationScope, Resource

# The OpenTelemetry SDK's default explicit bucket boundaries, so that histograms keep the
# shape back ends saw before (milliseconds for the latency histogram).
DEFAULT_BOUNDS: tuple[float, ...] = (
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0,
    1000.0, 2500.0, 5000.0, 7500.0, 10000.0,
)  # fmt: skip


T = TypeVar("T")


class AggregationTemporality(IntEnum):
    """OTLP's values."""

    UNSPECIFIED = 0
    DELTA = 1
    CUMULATIVE = 2


class _Record:
    """Slotted value objects compared field by field. Plain classes, not dataclasses: each
    `@dataclass` costs ~0.45 ms of import at every cold start, and these are nine."""

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the SDK's

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class NumberDataPoint(_Record):
    __slots__ = ("attributes", "start_time_unix_nano", "time_unix_nano", "value")

    def __init__(
        self,
        attributes: Mapping[str, Any],
        start_time_unix_nano: int,
        time_unix_nano: int,
        value: int | float,
    ) -> None:
        self.attributes = attributes
        self.start_time_unix_nano = start_time_unix_nano
        self.time_unix_nano = time_unix_nano
        self.value = value


class HistogramDataPoint(_Record):
    __slots__ = (
        "attributes",
        "bucket_counts",
        "count",
        "explicit_bounds",
        "max",
        "min",
        "start_time_unix_nano",
        "sum",
        "time_unix_nano",
    )

    def __init__(
        self,
        attributes: Mapping[str, Any],
        start_time_unix_nano: int,
        time_unix_nano: int,
        count: int,
        sum: float,
        bucket_counts: Sequence[int],
        explicit_bounds: Sequence[float],
        min: float,
        max: float,
    ) -> None:
        self.attributes = attributes
        self.start_time_unix_nano = start_time_unix_nano
        self.time_unix_nano = time_unix_nano
        self.count = count
        self.sum = sum
        self.bucket_counts = bucket_counts
        self.explicit_bounds = explicit_bounds
        self.min = min
        self.max = max


class Sum(_Record):
    __slots__ = ("aggregation_temporality", "data_points", "is_monotonic")

    def __init__(
        self,
        data_points: list[NumberDataPoint],
        aggregation_temporality: AggregationTemporality = AggregationTemporality.DELTA,
        is_monotonic: bool = True,
    ) -> None:
        self.data_points = data_points
        self.aggregation_temporality = aggregation_temporality
        self.is_monotonic = is_monotonic


class Histogram(_Record):
    __slots__ = ("aggregation_temporality", "data_points")

    def __init__(
        self,
        data_points: list[HistogramDataPoint],
        aggregation_temporality: AggregationTemporality = AggregationTemporality.DELTA,
    ) -> None:
        self.data_points = data_points
        self.aggregation_temporality = aggregation_temporality


class Gauge(_Record):
    __slots__ = ("data_points",)

    def __init__(self, data_points: list[NumberDataPoint]) -> None:
        self.data_points = data_points


class Metric(_Record):
    __slots__ = ("data", "description", "name", "unit")

    def __init__(self, name: str, description: str, unit: str, data: Sum | Histogram | Gauge):
        self.name = name
        self.description = description
        self.unit = unit
        self.data = data


class ScopeMetrics(_Record):
    __slots__ = ("metrics", "schema_url", "scope")

    def __init__(
        self, scope: InstrumentationScope, metrics: list[Metric], schema_url: str = ""
    ) -> None:
        self.scope = scope
        self.metrics = metrics
        self.schema_url = schema_url


class ResourceMetrics(_Record):
    __slots__ = ("resource", "schema_url", "scope_metrics")

    def __init__(
        self, resource: Resource, scope_metrics: list[ScopeMetrics], schema_url: str = ""
    ) -> None:
        self.resource = resource
        self.scope_metrics = scope_metrics
        self.schema_url = schema_url


class MetricsData(_Record):
    __slots__ = ("resource_metrics",)

    def __init__(self, resource_metrics: list[ResourceMetrics] | None = None) -> None:
        self.resource_metrics = resource_metrics if resource_metrics is not None else []

    def points(self) -> list[tuple[str, Mapping[str, Any], Any]]:
        """(metric name, attributes, value): the sum for counters, the last value for gauges,
        (count, sum) for histograms. What tests and the demo usually want to read."""
        out: list[tuple[str, Mapping[str, Any], Any]] = []
        for rm in self.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    for point in metric.data.data_points:
                        if isinstance(point, HistogramDataPoint):
                            out.append((metric.name, point.attributes, (point.count, point.sum)))
                        else:
                            out.append((metric.name, point.attributes, point.value))
        return out


class Series:
    """One (metric, attribute values) series. Lives as long as the store: a drain hands over
    its points and zeroes it, so the next measurement costs an addition, not an allocation."""

    __slots__ = (
        "_active",
        "attributes",
        "buckets",
        "count",
        "emf",
        "kind",
        "max",
        "min",
        "otlp",
        "spec",
        "total",
    )

    def __init__(self, spec: MetricSpec, attributes: dict[str, str], active: list[Series]):
        self.spec = spec
        self.kind = spec.instrument
        self.attributes = attributes
        self._active = active
        # What never changes in this series' EMF rendering (document group, dimension
        # text), made by the EMF exporter on first export and kept as long as the series.
        self.emf: Any = None
        self.otlp: bytes | None = None  # its encoded OTLP attributes, likewise
        self.buckets: list[int] | None = (
            [0] * (len(DEFAULT_BOUNDS) + 1) if spec.instrument is Instrument.HISTOGRAM else None
        )
        self.reset()

    def reset(self) -> None:
        self.total: int | float = 0
        self.count = 0
        self.min = float("inf")
        self.max = float("-inf")
        if self.buckets is not None:
            self.buckets = [0] * (len(DEFAULT_BOUNDS) + 1)

    def add(self, value: float) -> None:
        if not self.count:
            self._active.append(self)
        self.count += 1
        kind = self.kind
        if kind is Instrument.COUNTER:
            self.total += value
        elif kind is Instrument.GAUGE:
            self.total = value
        else:
            self.total += value
            self.min = min(self.min, value)
            self.max = max(self.max, value)
            if self.buckets is not None:
                self.buckets[_bucket(value)] += 1


def _bucket(value: float) -> int:
    """Index of the bucket `value` falls in: (-inf, 0], (0, 5], ... (10000, +inf)."""
    for index, bound in enumerate(DEFAULT_BOUNDS):
        if value <= bound:
            return index
    return len(DEFAULT_BOUNDS)


# Beyond this many series (the catalog's attributes are low-cardinality, so only a bug gets
# here) a drain forgets the idle ones.
MAX_SERIES = 2000
_AliasKey = tuple[str, tuple[tuple[str, str], ...]]


class MetricStore:
    """Series keyed by (metric name, attribute values in the spec's order).

    `aliases` maps a call's (metric name, attribute items as given) to its series, so a
    repeated measurement skips validation and key building (see `instruments.record`).
    """

    def __init__(self) -> None:
        self._series: dict[tuple[str, tuple[str, ...]], Series] = {}
        self._active: list[Series] = []
        self.aliases: dict[_AliasKey, Series] = {}
        self._since = time.time_ns()
        self.resource = Resource({})
        self._namespace_resources = NamespaceResources()

    def series(self, spec: MetricSpec, attributes: dict[str, str]) -> Series:
        """The series of `attributes` (exactly the spec's attribute names), made on first use."""
        key = (spec.name, tuple(map(attributes.__getitem__, spec.attributes)))
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = Series(spec, dict(attributes), self._active)
        return found

    def add(self, spec: MetricSpec, value: float, attributes: dict[str, str]) -> None:
        """One measurement; `attributes` must hold exactly the spec's attribute names."""
        self.series(spec, attributes).add(value)

    def pending(self) -> int:
        """Series with points waiting for the next drain."""
        return len(self._active)

    def discard(self) -> None:
        """Forget what was recorded (no metric exporter is configured)."""
        for series in self._active:
            series.reset()
        self._active.clear()
        self._since = time.time_ns()
        self._bound()

    def _bound(self) -> None:
        """Past MAX_SERIES series, or as many aliases (raw values that scrub to one series),
        forget them all: only a caller passing a high-cardinality value gets here."""
        if len(self._series) > MAX_SERIES or len(self.aliases) > MAX_SERIES:
            self._series.clear()
            self.aliases.clear()

    def forget_aliases(self) -> None:
        """Make the next measurements validate again (e.g. new secrets to scrub)."""
        self.aliases.clear()

    def drain(self) -> MetricsData:
        """Everything since the previous drain, as delta points, one resource per namespace."""
        return self.drain_with(SeriesBatch.metrics_data)

    def drain_with(self, render: Callable[[SeriesBatch], T]) -> T:
        """`render(batch)` of everything since the previous drain, then the series are zeroed.

        Exporters that encode straight from the series (EMF, OTLP) skip building
        :class:`MetricsData`; `render` must not keep the batch (its series are reused).
        """
        now = time.time_ns()
        start, self._since = self._since, now
        active = self._active
        try:
            return render(SeriesBatch(active, start, now, self))
        finally:
            for series in active:
                series.reset()
            active.clear()
            self._bound()

    def namespace_resource(self, namespace: str) -> Resource:
        """The store's resource, with the attributes that make `awsemf` write `namespace`."""
        return self._namespace_resources.get(self.resource, namespace)


class SeriesBatch:
    """One drain: the series with points, and the interval they cover (ns since the epoch)."""

    __slots__ = ("end", "series", "start", "store")

    def __init__(self, series: Sequence[Series], start: int, end: int, store: MetricStore):
        self.series = series
        self.start = start
        self.end = end
        self.store = store

    def grouped(self) -> list[tuple[Resource, list[list[Series]]]]:
        """Per catalog namespace (operational first): its resource and its metrics' series,
        metrics in the order they were first recorded."""
        by_namespace: dict[str, dict[str, list[Series]]] = {}
        for series in self.series:
            spec = series.spec
            by_namespace.setdefault(spec.namespace, {}).setdefault(spec.name, []).append(series)
        order = (*NAMESPACES, *(n for n in by_namespace if n not in NAMESPACES))
        return [
            (self.store.namespace_resource(namespace), list(by_namespace[namespace].values()))
            for namespace in order
            if namespace in by_namespace
        ]

    def metrics_data(self) -> MetricsData:
        """The points in the OTLP shape, one ResourceMetrics per catalog namespace."""
        return MetricsData(
            [
                ResourceMetrics(
                    resource,
                    [
                        ScopeMetrics(
                            SCOPE,
                            [_metric(s[0].spec, s, self.start, self.end) for s in metrics],
                        )
                    ],
                )
                for resource, metrics in self.grouped()
            ]
        )


def _metric(spec: MetricSpec, states: list[Series], start: int, now: int) -> Metric:
    data: Sum | Histogram | Gauge
    if spec.instrument is Instrument.COUNTER:
        data = Sum([NumberDataPoint(s.attributes, start, now, s.total) for s in states])
    elif spec.instrument is Instrument.GAUGE:
        data = Gauge([NumberDataPoint(s.attributes, start, now, s.total) for s in states])
    else:
        data = Histogram(
            [
                HistogramDataPoint(
                    s.attributes,
                    start,
                    now,
                    s.count,
                    s.total,
                    tuple(s.buckets or ()),
                    DEFAULT_BOUNDS,
                    s.min,
                    s.max,
                )
                for s in states
            ]
        )
    return Metric(spec.name, spec.description, spec.unit, data)


STORE = MetricStore()
# A value that was clean may now hold a secret: measurements validate and scrub again.
on_secrets_changed(STORE.forget_aliases)
