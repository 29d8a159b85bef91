"""Each catalog namespace's metrics on their own resource, as the collector's one awsemf needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricsData
from opentelemetry.sdk.resources import Resource

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.exporters import MemoryExporters
from naver_sms.telemetry.metric_namespaces import (
    NAMESPACES,
    NamespaceResources,
    split_by_namespace,
)


def awsemf_namespace(attributes: Mapping[str, Any]) -> str:
    """awsemfexporter v0.117.0 `getNamespace` (util.go) with no `namespace` configured."""
    name, space = attributes.get("service.name"), attributes.get("service.namespace")
    if isinstance(name, str) and isinstance(space, str):
        return f"{space}/{name}"
    if isinstance(name, str):
        return name
    if isinstance(space, str):
        return space
    return "default"


def _by_namespace(data: MetricsData) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rm in data.resource_metrics:
        names = found.setdefault(awsemf_namespace(rm.resource.attributes), set())
        names.update(m.name for sm in rm.scope_metrics for m in sm.metrics)
    return found


def test_namespace_resource_is_explicit_for_each_catalog_namespace() -> None:
    assert catalog.namespace_resource(catalog.NAMESPACE) == {"service.name": "naver-sms"}
    assert catalog.namespace_resource(catalog.COMPARISON_NAMESPACE) == {
        "service.namespace": "naver-sms",
        "service.name": "comparison",
    }
    assert set(NAMESPACES) == {m.namespace for m in catalog.METRICS}
    for namespace in NAMESPACES:
        assert awsemf_namespace(catalog.namespace_resource(namespace)) == namespace


@pytest.mark.parametrize("bad", ["", "/x", "x/"])
def test_namespace_resource_refuses_what_no_resource_can_say(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot be split"):
        catalog.namespace_resource(bad)


def _collected(resource: Resource) -> MetricsData:
    """Points from a real SDK: two scopes, both namespaces and one metric outside the catalog."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(resource=resource, metric_readers=[reader], shutdown_on_exit=False)
    flow = provider.get_meter("naver-sms")
    flow.create_counter("sms_sent").add(2, {"sms_type": "confirm"})
    flow.create_counter("sms_sent_old").add(3, {"sms_type": "confirm"})
    flow.create_counter("uncatalogued").add(1)
    provider.get_meter("naver-sms.comparison").create_counter("discrepancies").add(4)
    data = reader.get_metrics_data()
    assert data is not None
    return data


def test_split_ignores_service_name_and_namespace_from_the_environment() -> None:
    """OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES end up on the base resource; the metrics
    still land in the catalog's namespaces, and every other attribute is kept."""
    base = Resource(
        {
            "service.name": "naver-sms-prod",
            "service.namespace": "acme",
            "service.version": "1.2.3",
            "faas.name": "naver-sms-prod",
        }
    )
    split = split_by_namespace(_collected(base), NamespaceResources())

    assert _by_namespace(split) == {
        "naver-sms": {"sms_sent", "uncatalogued"},
        "naver-sms/comparison": {"sms_sent_old", "discrepancies"},
    }
    for rm in split.resource_metrics:
        assert rm.resource.attributes["service.version"] == "1.2.3"
        assert rm.resource.attributes["faas.name"] == "naver-sms-prod"
    operational = next(
        rm for rm in split.resource_metrics if rm.resource.attributes["service.name"] == "naver-sms"
    )
    assert "service.namespace" not in operational.resource.attributes
    # Scopes are kept: the comparison resource holds a piece of each.
    comparison = next(
        rm
        for rm in split.resource_metrics
        if rm.resource.attributes["service.name"] == "comparison"
    )
    assert sorted(sm.scope.name for sm in comparison.scope_metrics) == [
        "naver-sms",
        "naver-sms.comparison",
    ]


def test_points_are_moved_not_copied() -> None:
    data = _collected(Resource({"service.name": "naver-sms"}))
    split = split_by_namespace(data, NamespaceResources())

    def points(d: MetricsData) -> list[tuple[str, Any]]:
        return sorted(
            (m.name, getattr(p, "value", None))
            for rm in d.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
            for p in m.data.data_points
        )

    assert points(split) == points(data)


def test_resources_are_built_once_per_base_resource() -> None:
    base = Resource({"service.name": "naver-sms"})
    resources = NamespaceResources()
    first = split_by_namespace(_collected(base), resources)
    second = split_by_namespace(_collected(base), resources)
    assert [rm.resource for rm in first.resource_metrics] == [
        rm.resource for rm in second.resource_metrics
    ]
    assert all(
        a.resource is b.resource
        for a, b in zip(first.resource_metrics, second.resource_metrics, strict=True)
    )
    other = Resource({"service.name": "naver-sms", "faas.name": "f2"})
    assert resources.get(other, catalog.NAMESPACE).attributes["faas.name"] == "f2"


def test_the_pipeline_flush_exports_one_resource_per_namespace(mem: MemoryExporters) -> None:
    instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="s1", mode="dry_run")
    instruments.record(catalog.COMPARISON_DISCREPANCIES, 2, channel="sms", kind="mismatch")
    state = setup.current()
    assert state is not None
    assert state.flush(300) is not None
    [batch] = mem.metric_batches()
    assert _by_namespace(batch) == {
        "naver-sms": {"sms_sent"},
        "naver-sms/comparison": {"discrepancies"},
    }
    instruments.record(catalog.SMS_SENT, sms_type="guide", store_id="s1", mode="dry_run")
    state.flush(300)
    again = mem.metric_batches()[1]
    assert again.resource_metrics[0].resource is batch.resource_metrics[0].resource
