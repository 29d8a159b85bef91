"""CloudWatch alarm semantics, on hand-built series.

The two tables of AWS's "How alarm state is evaluated when data is missing" are reproduced row by
row; M of N, every treat_missing_data over a metric that stops, thresholds at the boundary for
each operator, statistics (including statistic sets and percentiles) and the metric math of the
error-rate alarm are each checked on series whose answer is known.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from naver_sms.ops.alarms.datapoints import MetricStore, Observation, StatSet
from naver_sms.ops.alarms.definitions import AlarmDefinitionError, parse_alarm
from naver_sms.ops.alarms.evaluation import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    AlarmSimulator,
    SimulationError,
    decide,
)
from naver_sms.ops.alarms.metric_math import ArrayValue, Context, MathError, evaluate
from naver_sms.ops.alarms.statistics import aggregate

RETAIN = None
X, G, _ = 10.0, 0.0, None  # breaching, good (not breaching), missing (threshold 5, ">")


def breaches(v: float) -> bool:
    return v > 5


# Data points oldest first, as in AWS's tables; expected state per treatment
# (missing, ignore, breaching, notBreaching); RETAIN = "Retain current state".
THREE_OF_THREE = [
    ([G, _, X, _, X], [OK, OK, OK, OK]),
    ([G, _, _, _, _], [OK, OK, OK, OK]),
    ([_, _, _, _, _], [INSUFFICIENT_DATA, RETAIN, ALARM, OK]),
    ([G, X, X, _, X], [ALARM, ALARM, ALARM, ALARM]),
    ([_, _, _, _, X], [INSUFFICIENT_DATA, RETAIN, ALARM, OK]),
    ([X, _, _, _, _], [ALARM, RETAIN, ALARM, OK]),
]
TWO_OF_THREE = [
    ([G, _, X, _, X], [ALARM, ALARM, ALARM, ALARM]),
    ([G, G, X, G, X], [ALARM, ALARM, ALARM, ALARM]),
    ([G, _, X, _, _], [OK, OK, ALARM, OK]),
    ([_, _, _, _, G], [OK, OK, ALARM, OK]),
    ([_, _, _, _, X], [INSUFFICIENT_DATA, RETAIN, ALARM, OK]),
]
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


@pytest.mark.parametrize(("points", "expected"), THREE_OF_THREE)
def test_aws_table_three_of_three(points: list[float | None], expected: list[str | None]) -> None:
    got = [decide(points, 3, 3, breaches, t).state for t in TREATMENTS]
    assert got == expected


@pytest.mark.parametrize(("points", "expected"), TWO_OF_THREE)
def test_aws_table_two_of_three(points: list[float | None], expected: list[str | None]) -> None:
    got = [decide(points, 3, 2, breaches, t).state for t in TREATMENTS]
    assert got == expected


# --- simulations over a store -------------------------------------------------------------

T0 = 1_795_000_000_000 - 1_795_000_000_000 % 3_600_000  # an hour boundary
MIN = 60_000


def alarm(
    *,
    operator: str = "GreaterThanThreshold",
    threshold: float = 5,
    n: int = 1,
    m: int | None = None,
    treatment: str = "notBreaching",
    stat: str = "Sum",
    period: int = 60,
    namespace: str = "test",
    queries: list[dict[str, Any]] | None = None,
) -> Any:
    entry = {
        "description": "test alarm",
        "comparison_operator": operator,
        "threshold": threshold,
        "evaluation_periods": n,
        "datapoints_to_alarm": m,
        "treat_missing_data": treatment,
        "queries": queries
        or [
            {
                "id": "m",
                "label": "m",
                "expression": None,
                "return_data": True,
                "metric": {
                    "namespace": namespace,
                    "metric_name": "errors",
                    "stat": stat,
                    "period": period,
                    "dimensions": {},
                },
            }
        ],
        "runbook": "docs/ops/runbook.md#x",  # extra fields are kept, not rejected
    }
    return parse_alarm("test", entry, "naver-sms")


def store_with(
    points: dict[int, float],
    name: str = "errors",
    namespace: str = "test",
    dims: tuple[tuple[str, str], ...] = (),
) -> MetricStore:
    store = MetricStore()
    for minute, value in points.items():
        store.add((namespace, name, dims), Observation(T0 + minute * MIN + 1_000, (value,), (1.0,)))
    return store


def states(run: Any) -> list[tuple[int, str]]:
    return [((t.at_ms - T0) // MIN, t.to_state) for t in run.transitions]


def test_m_of_n_needs_m_breaching_points_among_the_last_n() -> None:
    # 2 of 3, one-minute periods: breaching at minutes 0 and 2, fine at 1, then fine.
    store = store_with({0: 9, 1: 1, 2: 9, 3: 1, 4: 1, 5: 1})
    run = AlarmSimulator(alarm(n=3, m=2), store).run()
    # At 00:03 the last three periods are [9, 1, 9]: 2 of 3 -> ALARM; at 00:04 [1, 9, 1] -> OK.
    assert states(run) == [(1, OK), (3, ALARM), (4, OK)]
    assert run.transitions[1].value == 9.0
    assert "2 out of the last 3 datapoints" in run.transitions[1].reason
    assert "minimum 2 datapoints for OK -> ALARM transition" in run.transitions[1].reason


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        # The metric reports 1 (fine) at 00:00 and 00:01, then stops; the last point keeps
        # deciding while it is in the 3-period evaluation range (until 00:05).
        ("breaching", [(1, OK), (5, ALARM)]),
        ("notBreaching", [(1, OK)]),
        ("missing", [(1, OK), (5, INSUFFICIENT_DATA)]),
        ("ignore", [(1, OK)]),
    ],
)
def test_a_metric_that_stops_reporting_each_way(
    treatment: str, expected: list[tuple[int, str]]
) -> None:
    store = store_with({0: 1, 1: 1})
    run = AlarmSimulator(alarm(n=1, treatment=treatment), store).run()
    assert states(run) == expected


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        ("breaching", [(1, ALARM)]),
        ("notBreaching", [(1, ALARM), (4, OK)]),
        # missing: ALARM while the point is in the range, then nothing is known.
        ("missing", [(1, ALARM), (4, INSUFFICIENT_DATA)]),
        ("ignore", [(1, ALARM)]),
    ],
)
def test_a_breaching_metric_that_stops_each_way(
    treatment: str, expected: list[tuple[int, str]]
) -> None:
    store = store_with({0: 9})
    run = AlarmSimulator(alarm(n=1, treatment=treatment), store).run()
    assert states(run) == expected


def test_no_data_at_all_goes_insufficient_with_missing_and_ok_with_not_breaching() -> None:
    other = store_with({0: 1}, name="something_else")
    missing = AlarmSimulator(alarm(treatment="missing"), other).run()
    assert states(missing) == []  # starts INSUFFICIENT_DATA and stays there
    assert missing.state == INSUFFICIENT_DATA
    assert missing.metrics_without_data == ["test errors"]
    fine = AlarmSimulator(alarm(treatment="notBreaching"), other).run()
    assert states(fine) == [(1, OK)]
    assert "no datapoints were received for 1 period" in fine.transitions[0].reason
    bad = AlarmSimulator(alarm(treatment="breaching"), other).run()
    assert states(bad) == [(1, ALARM)]


@pytest.mark.parametrize(
    ("operator", "value", "state"),
    [
        ("GreaterThanThreshold", 5.0, OK),
        ("GreaterThanThreshold", 5.000001, ALARM),
        ("GreaterThanOrEqualToThreshold", 5.0, ALARM),
        ("GreaterThanOrEqualToThreshold", 4.999999, OK),
        ("LessThanThreshold", 5.0, OK),
        ("LessThanThreshold", 4.999999, ALARM),
        ("LessThanOrEqualToThreshold", 5.0, ALARM),
        ("LessThanOrEqualToThreshold", 5.000001, OK),
    ],
)
def test_thresholds_at_the_boundary(operator: str, value: float, state: str) -> None:
    run = AlarmSimulator(alarm(operator=operator, threshold=5), store_with({0: value})).run()
    assert run.transitions[0].to_state == state


def test_datapoints_are_the_statistic_of_their_period() -> None:
    # Two observations in one 5-minute period: Sum 9 > 5 alarms, Average 4.5 does not.
    # The current period counts as far as its data has arrived: 4 at 00:01, 4 + 5 at 00:04.
    store = store_with({0: 4, 3: 5})
    total = AlarmSimulator(alarm(period=300, stat="Sum"), store).run()
    assert states(total)[:2] == [(1, OK), (4, ALARM)]
    assert total.transitions[1].value == 9.0
    average = AlarmSimulator(alarm(period=300, stat="Average"), store).run()
    assert [t.to_state for t in average.transitions] == [OK]
    assert average.transitions[0].value == 4.0


def test_statistics_including_statistic_sets_and_percentiles() -> None:
    raw = [Observation(0, (1.0, 2.0, 3.0, 4.0), (1.0, 1.0, 1.0, 1.0))]
    with_set = [
        *raw,
        Observation(1, stat_set=StatSet(sum=10.0, count=2.0, minimum=0.5, maximum=9.5)),
    ]
    assert aggregate(with_set, "Sum", None) == 20.0
    assert aggregate(with_set, "SampleCount", None) == 6.0
    assert aggregate(with_set, "Average", None) == pytest.approx(20 / 6)
    assert aggregate(with_set, "Minimum", None) == 0.5
    assert aggregate(with_set, "Maximum", None) == 9.5
    assert aggregate(raw, "p50", 50.0) == 2.0  # nearest rank: ceil(0.5 x 4) = 2nd value
    assert aggregate(raw, "p99", 99.0) == 4.0
    assert aggregate(with_set, "p99", 99.0) is None  # no percentile from a statistic set
    weighted = [Observation(0, (1.0, 100.0), (99.0, 1.0))]
    assert aggregate(weighted, "p99", 99.0) == 1.0
    assert aggregate(weighted, "p100", 100.0) == 100.0
    assert aggregate([], "Sum", None) is None


def metric(namespace: str, name: str, dimensions: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "namespace": namespace,
        "metric_name": name,
        "stat": "Sum",
        "period": 60,
        "dimensions": dimensions or {},
    }


FUNCTION = {"FunctionName": "naver-sms"}
ERROR_RATE = [
    {
        "id": "rate",
        "label": "rate",
        "return_data": True,
        "metric": None,
        "expression": "100 * MAX([FILL(app_errors, 0), FILL(lambda_errors, 0)]) / invocations",
    },
    {"id": "app_errors", "metric": metric("naver-sms", "invocation_errors")},
    {"id": "lambda_errors", "metric": metric("AWS/Lambda", "Errors", FUNCTION)},
    {"id": "invocations", "metric": metric("AWS/Lambda", "Invocations", FUNCTION)},
]
FN = (("FunctionName", "naver-sms"),)


def test_error_rate_metric_math() -> None:
    store = MetricStore()
    # minute 0: 100 invocations, 3 Lambda errors, no handler errors reported -> 3%
    # minute 1: 100 invocations, 2 Lambda errors, 7 handler errors -> 7%
    # minute 2: no invocations -> no rate at all (FILL does not make a denominator)
    for minute, invocations, lambda_errors, app_errors in ((0, 100, 3, None), (1, 100, 2, 7)):
        at = T0 + minute * MIN + 1_000
        store.add(("AWS/Lambda", "Invocations", FN), Observation(at, (float(invocations),), (1.0,)))
        store.add(("AWS/Lambda", "Errors", FN), Observation(at, (float(lambda_errors),), (1.0,)))
        if app_errors is not None:
            store.add(
                ("naver-sms", "invocation_errors", ()),
                Observation(at, (float(app_errors),), (1.0,)),
            )
    definition = alarm(queries=ERROR_RATE, threshold=5, n=1)
    simulator = AlarmSimulator(definition, store)
    assert simulator.values(T0 + 1 * MIN)[-1] == pytest.approx(3.0)
    assert simulator.values(T0 + 2 * MIN)[-1] == pytest.approx(7.0)
    assert simulator.values(T0 + 3 * MIN)[-1] is None
    run = simulator.run()
    assert states(run) == [(1, OK), (2, ALARM), (5, OK)]
    assert run.transitions[1].value == pytest.approx(7.0)


def grid_context(series: dict[str, dict[int, float]], grid: list[int]) -> Context:
    return Context(
        grid,
        60,
        lambda name: series[name],
        lambda: ArrayValue(tuple(series.items())),
    )


def test_metric_math_functions_and_missing_points() -> None:
    grid = [0, 1, 2, 3]
    series = {"a": {0: 1.0, 2: 4.0}, "b": {0: 2.0, 1: 0.0, 2: 0.0, 3: 5.0}}
    context = grid_context(series, grid)
    assert evaluate("a + b", context) == {0: 3.0, 2: 4.0}  # only where both have a value
    assert evaluate("a / b", context) == {0: 0.5}  # division by zero has no value
    assert evaluate("FILL(a, 0)", context) == {0: 1.0, 1: 0.0, 2: 4.0, 3: 0.0}
    assert evaluate("FILL(a, REPEAT)", context) == {0: 1.0, 1: 1.0, 2: 4.0, 3: 4.0}
    assert evaluate("FILL(a, LINEAR)", context) == {0: 1.0, 1: 2.5, 2: 4.0}
    assert evaluate("MAX([a, b])", context) == {0: 2.0, 1: 0.0, 2: 4.0, 3: 5.0}
    assert evaluate("SUM(METRICS())", context) == {0: 3.0, 1: 0.0, 2: 4.0, 3: 5.0}
    assert evaluate("MAX(b)", context) == 5.0  # one series: a number over time
    assert evaluate("IF(b > 1, b, 0 * b)", context) == {0: 2.0, 1: 0.0, 2: 0.0, 3: 5.0}
    assert evaluate("2 ^ 3 ^ 2", context) == 512.0  # right-associative
    assert evaluate("-a * 2 + ABS(-3)", context) == {0: 1.0, 2: -5.0}
    assert evaluate("PERIOD(a)", context) == 60.0
    assert math.isnan(evaluate("1 / 0", context))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("ANOMALY_DETECTION_BAND(a)", "not supported"),
        ("a +", "expected a number"),
        ("unknown_id * 2", "unknown id"),
        ("SEARCH('{x}', 'Sum', 60)", "only available in dashboard"),
        ("a $ b", "unexpected character"),
        ("(" * 60 + "a" + ")" * 60, "nested too deeply"),
    ],
)
def test_metric_math_rejects_what_it_cannot_evaluate(expression: str, fragment: str) -> None:
    context = grid_context({"a": {0: 1.0}}, [0])
    with pytest.raises(MathError) as caught:
        evaluate(expression, context)
    assert fragment in str(caught.value)


def test_dynamodb_alarms_always_ignore_missing_data() -> None:
    store = store_with({0: 9}, name="ThrottledRequests", namespace="AWS/DynamoDB")
    throttles = {
        "namespace": "AWS/DynamoDB",
        "metric_name": "ThrottledRequests",
        "stat": "Sum",
        "period": 60,
        "dimensions": {},
    }
    definition = parse_alarm(
        "ddb",
        {
            "comparison_operator": "GreaterThanThreshold",
            "threshold": 0,
            "evaluation_periods": 1,
            "treat_missing_data": "notBreaching",
            "queries": [{"id": "t", "return_data": True, "metric": throttles}],
        },
        "naver-sms",
    )
    run = AlarmSimulator(definition, store).run()
    assert run.treatment == "ignore"
    assert states(run) == [(1, ALARM)]  # and it stays ALARM when the metric stops


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"comparison_operator": "LessThanLowerOrGreaterThanUpperThreshold"}, "not supported"),
        ({"threshold": "high"}, "threshold must be a number"),
        ({"datapoints_to_alarm": 4, "evaluation_periods": 3}, "exceeds evaluation_periods"),
        ({"treat_missing_data": "sometimes"}, "unknown"),
        ({"queries": []}, "non-empty list"),
    ],
)
def test_malformed_or_unsupported_alarms_are_named(change: dict[str, Any], fragment: str) -> None:
    metric = {"namespace": "n", "metric_name": "x", "stat": "Sum", "period": 60, "dimensions": {}}
    entry = {
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 1,
        "evaluation_periods": 1,
        "datapoints_to_alarm": 1,
        "treat_missing_data": "missing",
        "queries": [{"id": "m", "return_data": True, "metric": metric}],
    } | change
    with pytest.raises(AlarmDefinitionError) as caught:
        parse_alarm("broken", entry, "naver-sms")
    assert "'broken'" in str(caught.value)
    assert fragment in str(caught.value)


def test_unsupported_statistic_and_mixed_periods_are_named() -> None:
    base = {"comparison_operator": "GreaterThanThreshold", "threshold": 1, "evaluation_periods": 1}
    tm99 = {"namespace": "n", "metric_name": "x", "stat": "tm99", "period": 60}
    with pytest.raises(AlarmDefinitionError, match="statistic 'tm99'"):
        parse_alarm(
            "x", base | {"queries": [{"id": "m", "return_data": True, "metric": tm99}]}, "p"
        )
    mixed = [
        {"id": "e", "return_data": True, "expression": "a + b"},
        {"id": "a", "metric": {"namespace": "n", "metric_name": "x", "stat": "Sum", "period": 60}},
        {"id": "b", "metric": {"namespace": "n", "metric_name": "y", "stat": "Sum", "period": 300}},
    ]
    with pytest.raises(AlarmDefinitionError, match="share one period"):
        parse_alarm("x", base | {"queries": mixed}, "p")


def test_an_expression_that_returns_several_series_is_an_error() -> None:
    queries = [
        {"id": "e", "return_data": True, "expression": "METRICS()"},
        {
            "id": "a",
            "metric": {"namespace": "test", "metric_name": "errors", "stat": "Sum", "period": 60},
        },
    ]
    with pytest.raises(SimulationError, match="several series"):
        AlarmSimulator(alarm(queries=queries), store_with({0: 1})).run()
