"""The EMF exporter's text renderer writes exactly `json.dumps` of the documents it states."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from naver_sms.telemetry import catalog
from naver_sms.telemetry.aggregation import HistogramDataPoint, MetricStore, NumberDataPoint
from naver_sms.telemetry.emf import emf_documents, emf_lines, series_lines

SPECS = {spec.name: spec for spec in catalog.METRICS}
T = 1_700_000_000_123_456_789


def _n(attrs: dict[str, str], value: float, time: int = T) -> NumberDataPoint:
    return NumberDataPoint(attrs, 0, time, value)


def _h(attrs: dict[str, str], values: list[float]) -> HistogramDataPoint:
    return HistogramDataPoint(
        attrs, 0, T, len(values), sum(values), (), (), min(values), max(values)
    )


def _every_catalog_metric() -> list[tuple[Any, Any]]:
    points: list[tuple[Any, Any]] = []
    for index, spec in enumerate(catalog.METRICS):
        attrs = {name: f'v-{index}-{name} 강남 "q" \\ \n' for name in spec.attributes}
        if spec.instrument is catalog.Instrument.HISTOGRAM:
            points.append((spec, _h(attrs, [0.1, 2.5, 1e-7, 12345.678])))
        else:
            points.append((spec, _n(attrs, index + 0.25 if index % 2 else index)))
    return points


CASES = {
    "every catalog metric, awkward strings": _every_catalog_metric(),
    "grouped by attributes, order of recording ignored": [
        (SPECS["sens_latency"], _h({"outcome": "success"}, [1.2, 2.3])),
        (SPECS["sens_requests"], _n({"outcome": "success"}, 2)),
        (SPECS["sms_sent"], _n({"sms_type": "confirm", "store_id": "s", "mode": "live"}, 1)),
        (SPECS["sms_sent"], _n({"mode": "live", "store_id": "s", "sms_type": "guide"}, 1)),
    ],
    "same metric twice with the same attributes: two documents": [
        (SPECS["sens_requests"], _n({"outcome": "success"}, 1, T)),
        (SPECS["sens_requests"], _n({"outcome": "success"}, 2, T + 10**9)),
    ],
    "empty histogram skipped, big and odd numbers": [
        (SPECS["sens_latency"], HistogramDataPoint({"outcome": "x"}, 0, T, 0, 0.0, (), (), 0, 0)),
        (SPECS["sens_requests"], _n({"outcome": "x"}, 2**62)),
        (SPECS["sens_requests"], _n({"outcome": "y"}, 1e300)),
        (SPECS["sens_requests"], _n({"outcome": "z"}, math.inf)),
    ],
}


@pytest.mark.parametrize("points", CASES.values(), ids=CASES.keys())
def test_lines_are_json_dumps_of_the_documents(points: list[tuple[Any, Any]]) -> None:
    expected = [json.dumps(doc, ensure_ascii=False) for doc in emf_documents(points)]
    assert emf_lines(points) == expected
    # Twice: the second rendering comes from the fragment caches.
    assert emf_lines(points) == expected


def test_the_series_fast_path_writes_the_same_documents() -> None:
    """What the pipeline writes from the store's series equals what the MetricsData path
    writes for the same measurements (document order aside)."""
    store = MetricStore()
    measurements: list[tuple[Any, float, dict[str, str]]] = [
        (SPECS["sms_sent"], 1, {"sms_type": "confirm", "store_id": '강남 "1"', "mode": "live"}),
        (SPECS["sms_sent"], 2, {"mode": "live", "store_id": '강남 "1"', "sms_type": "confirm"}),
        (SPECS["sens_requests"], 1, {"outcome": "success"}),
        (SPECS["sens_latency"], 1.7, {"outcome": "success"}),
        (SPECS["sens_latency"], 250.25, {"outcome": "success"}),
        (SPECS["bookings_processed"], 1, {"store_id": "s"}),
        *[(spec, 0.5, {a: "x" for a in spec.attributes}) for spec in catalog.METRICS],
    ]
    for _ in range(2):  # the second round renders from the series' cached fragments
        for spec, value, attrs in measurements:
            store.add(spec, value, dict(attrs))
        data_store = MetricStore()
        for spec, value, attrs in measurements:
            data_store.add(spec, value, dict(attrs))
        captured = store.drain_with(lambda batch: series_lines(batch.series, batch.end))
        data = data_store.drain()
        points = [
            (SPECS[m.name], p)
            for rm in data.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
            for p in m.data.data_points
        ]
        expected = emf_lines(points)
        # The two stores' clocks differ by microseconds: compare with timestamps aligned.
        stamp = re.compile(r'"Timestamp": \d+')
        assert sorted(stamp.sub("T", line) for line in captured) == sorted(
            stamp.sub("T", line) for line in expected
        )
        assert len(captured) == len(expected) > 5
