"""One simulation: the deployed alarms, a run's datapoints, the transitions and their messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from naver_sms.ops.alarms.datapoints import (
    MetricStore,
    read_aws_metrics,
    read_emf,
    read_lambda_reports,
)
from naver_sms.ops.alarms.evaluation import AlarmRun, simulate
from naver_sms.ops.alarms.notifications import Notification, render
from naver_sms.ops.monitoring import MonitoringValues, load_monitoring
from naver_sms.ops.paths import unique_paths


@dataclass(frozen=True)
class SimulationReport:
    monitoring: MonitoringValues
    store: MetricStore
    runs: list[AlarmRun]
    notifications: list[Notification]
    reports_read: int

    def transitions(self) -> list[dict[str, object]]:
        rows = [t.as_json() for run in self.runs for t in run.transitions]
        return sorted(rows, key=lambda row: (str(row["at"]), str(row["alarm"])))


def load_store(
    emf: Sequence[Path],
    logs: Sequence[Path] = (),
    aws_metrics: Sequence[Path] = (),
    function_name: str = "naver-sms",
) -> tuple[MetricStore, int]:
    store = MetricStore()
    read_emf(store, unique_paths(emf))
    reports = read_lambda_reports(store, unique_paths(logs), function_name) if logs else 0
    if aws_metrics:
        read_aws_metrics(store, aws_metrics)
    return store, reports


def run_simulation(
    emf: Sequence[Path],
    *,
    logs: Sequence[Path] = (),
    aws_metrics: Sequence[Path] = (),
    module: Path | None = None,
    variables: Mapping[str, Any] | None = None,
    monitoring: MonitoringValues | None = None,
) -> SimulationReport:
    values = monitoring or load_monitoring(module, variables)
    function_name = str(values.variables.get("function_name", "naver-sms"))
    store, reports = load_store(emf, logs, aws_metrics, function_name)
    runs = simulate(values.alarms, store)
    region = str(values.variables.get("aws_region", "ap-northeast-2"))
    notifications = []
    for run in runs:
        for transition in run.transitions:
            rendered = render(run.alarm, transition, region)
            if rendered is not None:
                notifications.append(rendered)
    notifications.sort(key=lambda n: (n.transition.at_ms, n.transition.alarm))
    return SimulationReport(values, store, runs, notifications, reports)
