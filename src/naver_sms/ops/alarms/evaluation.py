"""CloudWatch's alarm evaluation, replayed minute by minute over a run's datapoints.

Every minute (CloudWatch's evaluation interval for standard-resolution alarms) the alarm looks
at its *evaluation range*: the most recent ``evaluation_periods + 2`` periods, the current one
included as far as its data has arrived (AWS documents retrieving "a higher number of data
points than Evaluation Periods"; its examples use 5 for 3). Then, as AWS documents it
(alarms-and-missing-data, "How alarm state is evaluated when data is missing"):

* with at least N datapoints in the range, the N most recent ones decide: ALARM when at least M
  of them breach, else OK; how missing data is treated does not matter;
* with fewer, the missing ones are filled as ``treat_missing_data`` says, as few as possible:
  ``breaching``/``notBreaching`` fill with breaching/non-breaching points; ``ignore`` keeps the
  state unless the real points decide; ``missing`` evaluates the N-period window holding the
  most real points, where a gap after a real point counts as that point and a gap before any
  stays unknown: ALARM with M breaching points, OK with any non-breaching one, else
  INSUFFICIENT_DATA; with no datapoint at all ``missing`` gives INSUFFICIENT_DATA, ``ignore``
  keeps the state.

This model reproduces every row of both tables in AWS's documentation (tests/unit/ops). Alarms
on ``AWS/DynamoDB`` metrics always ignore missing data, as AWS documents. Periods are aligned to
the epoch; a datapoint counts from its timestamp on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from naver_sms.ops.alarms.datapoints import MetricKey, MetricStore, Observation
from naver_sms.ops.alarms.definitions import OPERATORS, AlarmDefinition, MetricQuery
from naver_sms.ops.alarms.metric_math import ArrayValue, Context, MathError, Series, Value
from naver_sms.ops.alarms.metric_math import evaluate as evaluate_math
from naver_sms.ops.alarms.statistics import aggregate

ALARM: Final = "ALARM"
OK: Final = "OK"
INSUFFICIENT_DATA: Final = "INSUFFICIENT_DATA"
STEP_MS: Final = 60_000
MAX_EVALUATIONS: Final = 500_000
ALWAYS_IGNORE_NAMESPACES: Final = frozenset({"AWS/DynamoDB"})
OPERATOR_TEXT: Final = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


class SimulationError(ValueError):
    """The alarm cannot be simulated exactly (its expression, its window); names the alarm."""


@dataclass(frozen=True)
class Transition:
    alarm: str
    from_state: str
    to_state: str
    at_ms: int
    value: float | None
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "alarm": self.alarm,
            "from": self.from_state,
            "to": self.to_state,
            "at": iso(self.at_ms),
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class AlarmRun:
    alarm: AlarmDefinition
    transitions: list[Transition] = field(default_factory=list)
    state: str = INSUFFICIENT_DATA
    evaluations: int = 0
    metrics_without_data: list[str] = field(default_factory=list)
    treatment: str = "missing"


def iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def evaluation_range(evaluation_periods: int) -> int:
    return evaluation_periods + 2


@dataclass(frozen=True)
class Decision:
    state: str | None
    """None: keep the current state (ignore)."""
    evaluated: list[tuple[int, float]]
    """(position in the range, value) of the real datapoints that decided, newest last."""
    filled: int
    fill_kind: str | None
    breaching: int


def decide(
    points: Sequence[float | None],
    n: int,
    m: int,
    breaches: Callable[[float], bool],
    treatment: str,
) -> Decision:
    """The state the datapoints of one evaluation range (oldest first) call for."""
    existing = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(existing) >= n:
        window = existing[-n:]
        breaching = sum(1 for _, v in window if breaches(v))
        return Decision(ALARM if breaching >= m else OK, window, 0, None, breaching)
    fills = n - len(existing)
    real_breaching = sum(1 for _, v in existing if breaches(v))
    if treatment == "breaching":
        total = real_breaching + fills
        return Decision(ALARM if total >= m else OK, existing, fills, "Breaching", total)
    if treatment == "notBreaching":
        return Decision(
            ALARM if real_breaching >= m else OK, existing, fills, "NonBreaching", real_breaching
        )
    if treatment == "ignore":
        if real_breaching >= m:
            return Decision(ALARM, existing, 0, None, real_breaching)
        if real_breaching < len(existing):
            return Decision(OK, existing, 0, None, real_breaching)
        return Decision(None, existing, 0, None, real_breaching)
    # missing: the N-period window holding the most real points (the most recent on a tie).
    if not existing:
        return Decision(INSUFFICIENT_DATA, [], fills, None, 0)
    best = max(
        range(len(points) - n + 1),
        key=lambda start: (sum(1 for i, _ in existing if start <= i < start + n), start),
    )
    inside = [(i, v) for i, v in existing if best <= i < best + n]
    if len(inside) == len(existing):
        values: list[float | None] = []
        last: float | None = None
        for i in range(best, best + n):
            value = points[i]
            last = value if value is not None else last
            values.append(last)
    else:
        values = [v for _, v in existing] + [None] * fills
    known = [v for v in values if v is not None]
    breaching = sum(1 for v in known if breaches(v))
    if breaching >= m:
        state = ALARM
    elif breaching < len(known):
        state = OK
    else:
        state = INSUFFICIENT_DATA
    return Decision(state, existing, fills, None, breaching)


class _Series:
    """Per-period aggregates of one metric for one statistic, cached for complete periods."""

    def __init__(self, observations: list[Observation], period_ms: int) -> None:
        self.period_ms = period_ms
        self.buckets: dict[int, list[Observation]] = defaultdict(list)
        for o in sorted(observations, key=lambda o: o.at_ms):
            self.buckets[(o.at_ms // period_ms) * period_ms].append(o)
        self.cache: dict[tuple[int, str], float | None] = {}

    def value(self, start: int, now_ms: int, stat: str, percentile: float | None) -> float | None:
        bucket = self.buckets.get(start)
        if not bucket:
            return None
        if start + self.period_ms <= now_ms:
            key = (start, stat)
            if key not in self.cache:
                self.cache[key] = aggregate(bucket, stat, percentile)
            return self.cache[key]
        return aggregate([o for o in bucket if o.at_ms < now_ms], stat, percentile)


class AlarmSimulator:
    """Replays one alarm over the observations of `store`."""

    def __init__(self, alarm: AlarmDefinition, store: MetricStore) -> None:
        self.alarm = alarm
        self.store = store
        self.period_ms = alarm.period * 1000
        self.range = evaluation_range(alarm.evaluation_periods)
        self.series: dict[str, _Series] = {}
        self.keys: dict[str, MetricKey] = {}
        for query in alarm.queries:
            if query.metric is not None:
                key = (query.metric.namespace, query.metric.metric_name, query.metric.dimensions)
                self.keys[query.id] = key
                self.series[query.id] = _Series(store.observations(key), self.period_ms)
        operator = OPERATORS[alarm.comparison_operator]
        threshold = alarm.threshold
        self.breaches: Callable[[float], bool] = {
            ">": lambda v: v > threshold,
            ">=": lambda v: v >= threshold,
            "<": lambda v: v < threshold,
            "<=": lambda v: v <= threshold,
        }[operator]
        self.treatment = (
            "ignore" if alarm.namespaces & ALWAYS_IGNORE_NAMESPACES else alarm.treat_missing_data
        )

    def window(self) -> tuple[int, int] | None:
        """Evaluation times: from the first datapoint the alarm reads (or of the run) until its
        last datapoint has left the evaluation range."""
        stamps = [o.at_ms for key in self.keys.values() for o in self.store.observations(key)]
        span = self.store.time_range() if not stamps else (min(stamps), max(stamps))
        if span is None:
            return None
        first = (span[0] // STEP_MS + 1) * STEP_MS
        last = ((span[1] // self.period_ms) + self.range + 1) * self.period_ms
        return first, last

    def grid(self, now_ms: int) -> list[int]:
        latest = ((now_ms - 1) // self.period_ms) * self.period_ms
        return [latest - (self.range - 1 - i) * self.period_ms for i in range(self.range)]

    def values(self, now_ms: int) -> list[float | None]:
        grid = self.grid(now_ms)
        memo: dict[str, Value] = {}
        busy: set[str] = set()
        by_id = {q.id: q for q in self.alarm.queries}

        def metric_series(query: MetricQuery) -> Series:
            assert query.metric is not None
            series = self.series[query.id]
            out: Series = {}
            for start in grid:
                value = series.value(start, now_ms, query.metric.stat, query.metric.percentile)
                if value is not None:
                    out[start] = value
            return out

        def lookup(name: str) -> Value:
            if name in memo:
                return memo[name]
            query = by_id.get(name)
            if query is None:
                raise KeyError(name)
            if name in busy:
                raise SimulationError(f"alarm {self.alarm.name}: query {name!r} refers to itself")
            busy.add(name)
            try:
                if query.metric is not None:
                    value: Value = metric_series(query)
                else:
                    assert query.expression is not None
                    value = evaluate_math(query.expression, context)
            finally:
                busy.discard(name)
            memo[name] = value
            return value

        def metrics() -> ArrayValue:
            return ArrayValue(
                tuple((q.label or q.id, metric_series(q)) for q in self.alarm.queries if q.metric)
            )

        context = Context(grid, self.alarm.period, lookup, metrics)
        try:
            result = lookup(self.alarm.result.id)
        except MathError as exc:
            raise SimulationError(f"alarm {self.alarm.name}: {exc}") from None
        if isinstance(result, ArrayValue):
            raise SimulationError(
                f"alarm {self.alarm.name}: its expression returns several series; an alarm "
                "needs one"
            )
        if not isinstance(result, dict):
            result = dict.fromkeys(grid, result) if math.isfinite(result) else {}
        return [result.get(start) for start in grid]

    def run(self) -> AlarmRun:
        run = AlarmRun(self.alarm, treatment=self.treatment)
        run.metrics_without_data = [
            f"{key[0]} {key[1]}"
            + (f" ({', '.join(f'{k}={v}' for k, v in key[2])})" if key[2] else "")
            for key in dict.fromkeys(self.keys.values())
            if not self.store.observations(key)
        ]
        window = self.window()
        if window is None:
            return run
        first, last = window
        if (last - first) // STEP_MS > MAX_EVALUATIONS:
            raise SimulationError(
                f"alarm {self.alarm.name}: the run spans more than {MAX_EVALUATIONS:,} "
                "evaluation minutes; simulate a shorter window"
            )
        now = first
        while now <= last:
            points = self.values(now)
            decision = decide(
                points,
                self.alarm.evaluation_periods,
                self.alarm.datapoints_to_alarm,
                self.breaches,
                self.treatment,
            )
            run.evaluations += 1
            if decision.state is not None and decision.state != run.state:
                value = decision.evaluated[-1][1] if decision.evaluated else None
                reason = self.reason(decision, run.state, self.grid(now))
                run.transitions.append(
                    Transition(self.alarm.name, run.state, decision.state, now, value, reason)
                )
                run.state = decision.state
            now += STEP_MS
        return run

    def reason(self, decision: Decision, previous: str, grid: list[int]) -> str:
        """NewStateReason in CloudWatch's wording."""
        n = self.alarm.evaluation_periods
        m = self.alarm.datapoints_to_alarm
        if decision.state == INSUFFICIENT_DATA:
            unknown = n - len(decision.evaluated) if decision.evaluated else n
            were = "s were" if unknown != 1 else " was"
            return f"Insufficient Data: {unknown} datapoint{were} unknown."
        relation = OPERATOR_TEXT[self.alarm.comparison_operator]
        threshold = _number(self.alarm.threshold)
        if not decision.evaluated and decision.fill_kind:
            k = decision.filled
            return (
                f"Threshold Crossed: no datapoints were received for {k} period"
                f"{'s' if k != 1 else ''} and {k} missing datapoint"
                f"{'s were' if k != 1 else ' was'} treated as [{decision.fill_kind}]."
            )
        listed = ", ".join(
            f"{_number(v)} ({_stamp(grid[i])})" for i, v in reversed(decision.evaluated)
        )
        total = len(decision.evaluated) + decision.filled
        if decision.state == ALARM:
            count, verb = decision.breaching, relation
            needed = (
                f"minimum {m} datapoint{'s' if m != 1 else ''} for {previous} -> ALARM transition"
            )
        else:
            count, verb = total - decision.breaching, f"not {relation}"
            needed = f"minimum 1 datapoint for {previous} -> OK transition"
        filled = (
            f" and {decision.filled} missing datapoint{'s' if decision.filled != 1 else ''} "
            f"treated as [{decision.fill_kind}]"
            if decision.filled and decision.fill_kind
            else ""
        )
        were = "was" if count == 1 else "were"
        return (
            f"Threshold Crossed: {count} out of the last {total} datapoints [{listed}]{filled} "
            f"{were} {verb} the threshold ({threshold}) ({needed})."
        )


def _number(value: float) -> str:
    return repr(float(value))


def _stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d/%m/%y %H:%M:%S")


def simulate(alarms: Sequence[AlarmDefinition], store: MetricStore) -> list[AlarmRun]:
    return [AlarmSimulator(alarm, store).run() for alarm in alarms]
