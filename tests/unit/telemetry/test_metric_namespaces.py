"""Each catalog namespace's metrics on their own resource, as the collector's one awsemf needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from opentelemetry import metrics
from opentelemetry.sdk.metrics.export import MetricsData
from opentelemetry.sdk.resources import Resource

from naver_sms.telemetry import catalog, instruments, setup
from naver_sms.telemetry.exporters.memory import MemoryExporters
from naver_sms.telemetry.setup.providers import namespaced_resource

NAMESPACES = tuple(dict.fromkeys(m.namespace for m in catalog.METRICS))


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


def _by_namespace(batches: list[MetricsData]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for data in batches:
        for rm in data.resource_metrics:
            names = found.setdefault(awsemf_namespace(rm.resource.attributes), set())
            names.update(m.name for sm in rm.scope_metrics for m in sm.metrics)
    return found


def test_namespaced_resources_ignore_service_name_and_namespace_from_the_environment() -> None:
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
    for namespace in NAMESPACES:
        resource = namespaced_resource(base, namespace)
        assert awsemf_namespace(resource.attributes) == namespace
        assert resource.attributes["service.version"] == "1.2.3"
        assert resource.attributes["faas.name"] == "naver-sms-prod"
    operational = namespaced_resource(base, catalog.NAMESPACE)
    assert "service.namespace" not in operational.attributes
    # The base resource itself is left as it was.
    assert base.attributes["service.name"] == "naver-sms-prod"
    assert base.attributes["service.namespace"] == "acme"


def test_every_point_lands_once_in_its_namespace(mem: MemoryExporters) -> None:
    instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="s1", mode="dry_run")
    instruments.record(catalog.COMPARISON_DISCREPANCIES, 2, channel="sms", kind="mismatch")
    # A metric of the handler's own, outside the catalog: the function's (operational) one.
    metrics.get_meter("user.code").create_counter("uncatalogued").add(1)
    state = setup.current()
    assert state is not None
    assert state.flush(300) is not None
    batches = mem.metric_batches()
    assert _by_namespace(batches) == {
        "naver-sms": {"sms_sent", "uncatalogued"},
        "naver-sms/comparison": {"discrepancies"},
    }
    assert sorted((name, value) for name, _, value in mem.metric_points()) == [
        ("discrepancies", 2),
        ("sms_sent", 1),
        ("uncatalogued", 1),
    ]
    for data in batches:
        for rm in data.resource_metrics:
            assert [sm.scope.name for sm in rm.scope_metrics if sm.scope.name != "user.code"] == [
                catalog.SCOPE_NAME
            ]
    # The next flush reuses the same resources (one provider per namespace, per process).
    instruments.record(catalog.SMS_SENT, sms_type="guide", store_id="s1", mode="dry_run")
    state.flush(300)
    again = mem.metric_batches()[-1]
    assert again.resource_metrics[0].resource is batches[0].resource_metrics[0].resource
