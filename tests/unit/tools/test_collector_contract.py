"""The catalog -> collector contract: what the one awsemf exporter must declare, and drift found."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from naver_sms.telemetry import catalog
from naver_sms_tools.collector_contract import (
    EMF_EXPORTER,
    check_emf_exporters,
    expected_emf_exporter,
    name_selector,
    render_emf_exporter_yaml,
)


def _config() -> dict[str, Any]:
    return {
        "exporters": {EMF_EXPORTER: {**expected_emf_exporter(), "output_destination": "stdout"}},
        "service": {"pipelines": {"metrics": {"receivers": ["otlp"], "exporters": [EMF_EXPORTER]}}},
    }


def test_one_exporter_declares_every_catalog_metric_once_and_sets_no_namespace() -> None:
    expected = expected_emf_exporter()
    assert "namespace" not in expected
    selectors = [s for d in expected["metric_declarations"] for s in d["metric_name_selectors"]]
    assert sorted(selectors) == sorted(name_selector(m.name) for m in catalog.METRICS)
    assert len(set(selectors)) == len(selectors)


def test_a_name_in_two_namespaces_is_refused() -> None:
    """Declarations select by name alone, so one exporter could not keep two apart."""
    twin = catalog.MetricSpec(
        "sms_sent",
        catalog.Instrument.COUNTER,
        "1",
        "Count",
        "a second sms_sent",
        ("sms_type",),
        catalog.COMPARISON_NAMESPACE,
        (("sms_type",),),
    )
    with pytest.raises(ValueError, match="one awsemf exporter cannot tell them apart"):
        expected_emf_exporter((*catalog.METRICS, twin))


def test_selectors_are_anchored() -> None:
    assert re.search(name_selector("sms_sent"), "sms_sent")
    assert not re.search(name_selector("sms_sent"), "sms_sent_old")


def test_units_come_from_the_catalog() -> None:
    descriptors = {d["metric_name"]: d for d in expected_emf_exporter()["metric_descriptors"]}
    assert descriptors["match_percentage"] == {
        "metric_name": "match_percentage",
        "unit": "Percent",
        "overwrite": True,
    }
    assert descriptors["sens_latency"]["unit"] == "Milliseconds"
    assert descriptors["sms_sent"]["unit"] == "Count"


def test_a_matching_config_has_no_problems() -> None:
    assert check_emf_exporters(_config()) == []


def test_rendered_yaml_passes_the_check() -> None:
    rendered = "exporters:\n  awsemf:\n    dimension_rollup_option: NoDimensionRollup\n"
    rendered += render_emf_exporter_yaml(indent=4) + "\n"
    rendered += "service:\n  pipelines:\n    metrics:\n      exporters: [awsemf]\n"
    config = yaml.safe_load(rendered)
    assert check_emf_exporters(config, "rendered") == []
    assert "# namespace naver-sms/comparison" in rendered


def _second_awsemf(config: dict[str, Any]) -> None:
    """The old layout: a second exporter for the comparison namespace."""
    config["exporters"]["awsemf/comparison"] = {"namespace": catalog.COMPARISON_NAMESPACE}
    config["service"]["pipelines"]["metrics"]["exporters"].append("awsemf/comparison")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["exporters"].pop(EMF_EXPORTER), "'awsemf' is missing"),
        (_second_awsemf, "'awsemf/comparison': use the one 'awsemf' exporter"),
        (
            lambda c: c["exporters"][EMF_EXPORTER]["metric_declarations"].pop(0),
            "lacks ['^sms_sent$']",
        ),
        (
            lambda c: c["exporters"][EMF_EXPORTER]["metric_declarations"][0]["dimensions"].append(
                ["store_id"]
            ),
            "not in the catalog",
        ),
        (
            lambda c: c["exporters"][EMF_EXPORTER]["metric_descriptors"][11].update(unit="None"),
            "unit: Percent",
        ),
        (
            lambda c: c["exporters"][EMF_EXPORTER].update(
                dimension_rollup_option="ZeroAndSingleDimensionRollup"
            ),
            "dimension_rollup_option",
        ),
        (
            lambda c: c["exporters"][EMF_EXPORTER].update(namespace="naver-sms"),
            "namespace is 'naver-sms'; leave it unset",
        ),
        (
            lambda c: c["service"]["pipelines"]["metrics"]["exporters"].remove(EMF_EXPORTER),
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
