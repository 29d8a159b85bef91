"""Each CloudWatch namespace's metrics on a resource of their own, so one `awsemf` routes them.

The ADOT Lambda collector has no processors or connectors to route metrics by name, and two
`awsemf` exporters in one pipeline each print the metrics they do not declare as plain JSON
(every value twice in the function's log group). So the collector runs one `awsemf` exporter
without a `namespace`: it takes each ResourceMetrics' namespace from the resource's
`service.namespace`/`service.name`. The metric store
(:mod:`naver_sms.telemetry.aggregation`) drains each catalog namespace's metrics onto the
base resource with those two keys replaced by
:func:`naver_sms.telemetry.catalog.namespace_resource`.

The per-namespace resources are built once per base resource (fixed for the process) and
reused, which also keeps the OTLP encoder's per-resource cache warm.
"""

from __future__ import annotations

from naver_sms.telemetry.catalog import (
    METRICS,
    NAMESPACE,
    NAMESPACE_RESOURCE_KEYS,
    namespace_resource,
)
from naver_sms.telemetry.resource import Resource

_NAMESPACE_OF: dict[str, str] = {spec.name: spec.namespace for spec in METRICS}
# Catalog namespaces, operational first.
NAMESPACES: tuple[str, ...] = tuple(dict.fromkeys((NAMESPACE, *_NAMESPACE_OF.values())))


def metric_namespace(name: str) -> str:
    """The catalog namespace of a metric; a metric outside the catalog stays operational
    (no `awsemf` declaration selects it, so it is not turned into a CloudWatch metric)."""
    return _NAMESPACE_OF.get(name, NAMESPACE)


def namespaced_resource(base: Resource, namespace: str) -> Resource:
    """`base` with `service.namespace`/`service.name` set so `awsemf` writes `namespace`."""
    attributes = {k: v for k, v in base.attributes.items() if k not in NAMESPACE_RESOURCE_KEYS}
    attributes.update(namespace_resource(namespace))
    return Resource(attributes, base.schema_url)


class NamespaceResources:
    """The per-namespace resources of one base resource, built once and then reused."""

    def __init__(self) -> None:
        self._base: Resource | None = None
        self._by_namespace: dict[str, Resource] = {}

    def get(self, base: Resource, namespace: str) -> Resource:
        if base is not self._base:
            self._by_namespace = {ns: namespaced_resource(base, ns) for ns in NAMESPACES}
            self._base = base
        found = self._by_namespace.get(namespace)
        if found is None:
            found = self._by_namespace[namespace] = namespaced_resource(base, namespace)
        return found
