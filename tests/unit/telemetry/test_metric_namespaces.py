"""Each catalog namespace's metrics on their own resource, as the collector's one awsemf needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.aggregation import MetricsData, MetricStore
from naver_sms.telemetry.exporters import MemoryExporters
from naver_sms.telemetry.metric_namespaces import NAMESPACES, NamespaceResources
from naver_sms.telemetry.resource import SCOPE, Resource


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


UNCATALOGUED = replace(catalog.INVOCATION_ERRORS, name="uncatalogued")


def _drained(store: MetricStore) -> MetricsData:
    """Points in both catalog namespaces and one metric outside the catalog, then drained."""
    store.add(catalog.SMS_SENT, 2, {"sms_type": "confirm", "store_id": "s1", "mode": "live"})
    store.add(catalog.COMPARISON_SMS_SENT_OLD, 3, {"sms_type": "confirm", "store_id": "s1"})
    store.add(UNCATALOGUED, 1, {})
    store.add(catalog.COMPARISON_DISCREPANCIES, 4, {"channel": "sms", "kind": "mismatch"})
    return store.drain()


def _store(base: Resource) -> MetricStore:
    store = MetricStore()
    store.resource = base
    return store


def test_drain_ignores_service_name_and_namespace_from_the_environment() -> None:
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
    drained = _drained(_store(base))

    assert _by_namespace(drained) == {
        "naver-sms": {"sms_sent", "uncatalogued"},
        "naver-sms/comparison": {"sms_sent_old", "discrepancies"},
    }
    # Operational first, then comparison: one resource per namespace, in catalog order.
    assert [awsemf_namespace(rm.resource.attributes) for rm in drained.resource_metrics] == [
        "naver-sms",
        "naver-sms/comparison",
    ]
    for rm in drained.resource_metrics:
        assert rm.resource.attributes["service.version"] == "1.2.3"
        assert rm.resource.attributes["faas.name"] == "naver-sms-prod"
        # One instrumentation scope (this package's) per resource.
        assert [sm.scope for sm in rm.scope_metrics] == [SCOPE]
    operational = next(
        rm
        for rm in drained.resource_metrics
        if rm.resource.attributes["service.name"] == "naver-sms"
    )
    assert "service.namespace" not in operational.resource.attributes
    # The base resource itself is left as it was.
    assert base.attributes["service.name"] == "naver-sms-prod"
    assert base.attributes["service.namespace"] == "acme"


def test_every_point_lands_once_in_its_namespace_and_leaves_the_store() -> None:
    store = _store(Resource({"service.name": "naver-sms"}))
    drained = _drained(store)

    def points(d: MetricsData) -> list[tuple[str, str, Any]]:
        return sorted(
            (awsemf_namespace(rm.resource.attributes), m.name, getattr(p, "value", None))
            for rm in d.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
            for p in m.data.data_points
        )

    assert points(drained) == [
        ("naver-sms", "sms_sent", 2),
        ("naver-sms", "uncatalogued", 1),
        ("naver-sms/comparison", "discrepancies", 4),
        ("naver-sms/comparison", "sms_sent_old", 3),
    ]
    assert store.pending() == 0
    assert store.drain().resource_metrics == []


def test_a_namespace_outside_the_catalog_gets_its_own_resource_after_the_catalog_ones() -> None:
    store = _store(Resource({"service.name": "naver-sms"}))
    store.add(replace(catalog.INVOCATION_ERRORS, name="elsewhere", namespace="acme/other"), 1, {})
    store.add(catalog.INVOCATION_ERRORS, 1, {})
    drained = store.drain()
    assert [awsemf_namespace(rm.resource.attributes) for rm in drained.resource_metrics] == [
        "naver-sms",
        "acme/other",
    ]
    assert _by_namespace(drained) == {
        "naver-sms": {"invocation_errors"},
        "acme/other": {"elsewhere"},
    }


def test_resources_are_built_once_per_base_resource() -> None:
    base = Resource({"service.name": "naver-sms"})
    store = _store(base)
    first = _drained(store)
    second = _drained(store)
    assert [rm.resource for rm in first.resource_metrics] == [
        rm.resource for rm in second.resource_metrics
    ]
    assert len(first.resource_metrics) == 2
    assert all(
        a.resource is b.resource
        for a, b in zip(first.resource_metrics, second.resource_metrics, strict=True)
    )
    # A new base resource: new per-namespace resources that carry its attributes.
    store.resource = Resource({"service.name": "naver-sms", "faas.name": "f2"})
    third = _drained(store)
    assert all(rm.resource.attributes["faas.name"] == "f2" for rm in third.resource_metrics)
    assert all(
        a.resource is not b.resource
        for a, b in zip(first.resource_metrics, third.resource_metrics, strict=True)
    )
    resources = NamespaceResources()
    other = Resource({"service.name": "naver-sms", "faas.name": "f3"})
    assert resources.get(other, catalog.NAMESPACE).attributes["faas.name"] == "f3"
    assert resources.get(other, catalog.NAMESPACE) is resources.get(other, catalog.NAMESPACE)


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
