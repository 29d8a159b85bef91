"""The catalog -> collector contract: what the awsemf exporters must declare, and drift found."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from naver_sms.telemetry import catalog
from naver_sms.telemetry.collector_contract import (
    check_emf_exporters,
    expected_emf_exporters,
    name_selector,
)


def _config() -> dict[str, Any]:
    exporters = {
        name: {**settings, "output_destination": "stdout"}
        for name, settings in expected_emf_exporters().items()
    }
    return {
        "exporters": exporters,
        "service": {
            "pipelines": {"metrics": {"receivers": ["otlp"], "exporters": list(exporters)}}
        },
    }


def test_every_catalog_metric_is_declared_once_in_its_namespace() -> None:
    expected = expected_emf_exporters()
    assert {e["namespace"] for e in expected.values()} == {
        catalog.NAMESPACE,
        catalog.COMPARISON_NAMESPACE,
    }
    selectors = [
        s
        for e in expected.values()
        for d in e["metric_declarations"]
        for s in d["metric_name_selectors"]
    ]
    assert sorted(selectors) == sorted(name_selector(m.name) for m in catalog.METRICS)


def test_selectors_are_anchored() -> None:
    assert re.search(name_selector("sms_sent"), "sms_sent")
    assert not re.search(name_selector("sms_sent"), "sms_sent_old")


def test_units_come_from_the_catalog() -> None:
    descriptors = {
        d["metric_name"]: d
        for e in expected_emf_exporters().values()
        for d in e["metric_descriptors"]
    }
    assert descriptors["match_percentage"] == {
        "metric_name": "match_percentage",
        "unit": "Percent",
        "overwrite": True,
    }
    assert descriptors["sens_latency"]["unit"] == "Milliseconds"
    assert descriptors["sms_sent"]["unit"] == "Count"


def test_a_matching_config_has_no_problems() -> None:
    assert check_emf_exporters(_config()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["exporters"].pop("awsemf/comparison"), "'awsemf/comparison' is missing"),
        (
            lambda c: c["exporters"]["awsemf/operational"]["metric_declarations"].pop(0),
            "lacks ['^sms_sent$']",
        ),
        (
            lambda c: c["exporters"]["awsemf/operational"]["metric_declarations"][0][
                "dimensions"
            ].append(["store_id"]),
            "not in the catalog",
        ),
        (
            lambda c: c["exporters"]["awsemf/comparison"]["metric_descriptors"][2].update(
                unit="None"
            ),
            "unit: Percent",
        ),
        (
            lambda c: c["exporters"]["awsemf/operational"].update(
                dimension_rollup_option="ZeroAndSingleDimensionRollup"
            ),
            "dimension_rollup_option",
        ),
        (
            lambda c: c["exporters"]["awsemf/operational"].update(namespace="naver"),
            "namespace is 'naver'",
        ),
        (
            lambda c: c["service"]["pipelines"]["metrics"]["exporters"].remove("awsemf/comparison"),
            "in no metrics pipeline",
        ),
    ],
)
def test_drift_is_reported(mutate: Any, expected: str) -> None:
    config = copy.deepcopy(_config())
    mutate(config)
    problems = check_emf_exporters(config, "x.yaml")
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("x.yaml: ") for p in problems)
