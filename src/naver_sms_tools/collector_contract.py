"""What the collector's `awsemf` exporter must say, derived from the telemetry catalog.

Dashboards and alarms match CloudWatch metrics by (namespace, name, dimensions, unit). The
collector configurations in `collector/` spell these out as `metric_declarations` and
`metric_descriptors` of ONE `awsemf` exporter; this module computes what they must be from
:data:`naver_sms.telemetry.catalog.METRICS`, and :func:`check_emf_exporters` lists every
disagreement, so a test fails as soon as the catalog and a configuration drift apart.

One exporter, with no `namespace`: it takes each metric's namespace from its resource, which
the telemetry pipeline sets per catalog namespace (:mod:`naver_sms.telemetry.metric_namespaces`).
A second `awsemf` exporter in the same pipeline would print every metric it does not declare as
a plain JSON line (upstream behaviour): each value twice in the log group.

Takes an already parsed configuration (a mapping): the Lambda package needs no YAML parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from naver_sms.telemetry.catalog import METRICS, MetricSpec, namespace_resource

# The one awsemf exporter (its component id in the collector configs).
EMF_EXPORTER: Final = "awsemf"
# Every dimension set is declared explicitly; any rollup would add sets nobody alarms on.
DIMENSION_ROLLUP: Final = "NoDimensionRollup"


def name_selector(metric_name: str) -> str:
    """The anchored regex for exactly one metric (`sms_sent` must not match `sms_sent_old`)."""
    return f"^{re.escape(metric_name)}$"


def metric_declaration(spec: MetricSpec) -> dict[str, Any]:
    """One `metric_declarations` entry: this metric, with exactly the catalog's dimension sets."""
    return {
        "dimensions": [sorted(dims) for dims in spec.dimension_sets],
        "metric_name_selectors": [name_selector(spec.name)],
    }


def metric_descriptor(spec: MetricSpec) -> dict[str, Any]:
    """One `metric_descriptors` entry; `overwrite` because awsemf drops unit `1` and keeps `%`."""
    return {"metric_name": spec.name, "unit": spec.cloudwatch_unit, "overwrite": True}


def expected_emf_exporter(metrics: Iterable[MetricSpec] = METRICS) -> dict[str, Any]:
    """The catalog-derived settings of the `awsemf` exporter (it has no `namespace`)."""
    expected: dict[str, Any] = {
        "dimension_rollup_option": DIMENSION_ROLLUP,
        "metric_declarations": [],
        "metric_descriptors": [],
    }
    namespace_of: dict[str, str] = {}
    for spec in metrics:
        # Declarations select by name only, whatever the namespace: a name used in two
        # namespaces would get the dimension sets of both.
        if namespace_of.setdefault(spec.name, spec.namespace) != spec.namespace:
            raise ValueError(
                f"metric {spec.name!r} is in namespaces {namespace_of[spec.name]!r} and "
                f"{spec.namespace!r}: one awsemf exporter cannot tell them apart"
            )
        namespace_resource(spec.namespace)  # raises when no resource can say this namespace
        expected["metric_declarations"].append(metric_declaration(spec))
        expected["metric_descriptors"].append(metric_descriptor(spec))
    return expected


def _is_awsemf(component: object) -> bool:
    return str(component).split("/", 1)[0] == "awsemf"


def _normalise_declaration(
    raw: Mapping[str, Any],
) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    selectors = frozenset(str(s) for s in raw.get("metric_name_selectors") or ())
    dims = frozenset(
        tuple(sorted(str(d) for d in dim_set)) for dim_set in raw.get("dimensions") or ()
    )
    return selectors, dims


def _normalise_descriptor(raw: Mapping[str, Any]) -> tuple[str, str, bool]:
    return str(raw.get("metric_name")), str(raw.get("unit")), bool(raw.get("overwrite", False))


def check_emf_exporters(config: Mapping[str, Any], where: str = "collector config") -> list[str]:
    """Every way the awsemf exporter of a parsed collector config disagrees with the catalog."""
    problems: list[str] = []
    exporters = config.get("exporters") or {}
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    metric_pipeline_exporters = {
        exporter
        for name, pipeline in pipelines.items()
        if name == "metrics" or str(name).startswith("metrics/")
        for exporter in (pipeline or {}).get("exporters") or ()
    }
    component = EMF_EXPORTER
    for other in sorted(str(c) for c in {*exporters, *metric_pipeline_exporters}):
        if _is_awsemf(other) and other != component:
            problems.append(
                f"{where}: exporter {other!r}: use the one {component!r} exporter; a second "
                "awsemf prints every metric it does not declare as a plain JSON log line"
            )
    have = exporters.get(component)
    if not isinstance(have, Mapping):
        problems.append(f"{where}: exporter {component!r} is missing")
        return problems
    want = expected_emf_exporter()
    if component not in metric_pipeline_exporters:
        problems.append(f"{where}: exporter {component!r} is in no metrics pipeline")
    if have.get("namespace"):
        problems.append(
            f"{where}: exporters.{component}.namespace is {have.get('namespace')!r}; leave it "
            "unset: awsemf then takes each metric's namespace from its resource "
            "(service.namespace/service.name, set per catalog namespace by the telemetry pipeline)"
        )
    if have.get("dimension_rollup_option") != want["dimension_rollup_option"]:
        problems.append(
            f"{where}: exporters.{component}.dimension_rollup_option is "
            f"{have.get('dimension_rollup_option')!r}, the catalog needs "
            f"{want['dimension_rollup_option']!r}"
        )
    have_decls = {_normalise_declaration(d) for d in have.get("metric_declarations") or ()}
    want_decls = {_normalise_declaration(d) for d in want["metric_declarations"]}
    for selectors, dims in sorted(want_decls - have_decls, key=repr):
        problems.append(
            f"{where}: exporters.{component}.metric_declarations lacks "
            f"{sorted(selectors)} with dimensions {sorted(dims)}"
        )
    for selectors, dims in sorted(have_decls - want_decls, key=repr):
        problems.append(
            f"{where}: exporters.{component}.metric_declarations has "
            f"{sorted(selectors)} with dimensions {sorted(dims)}, not in the catalog"
        )
    have_descs = {_normalise_descriptor(d) for d in have.get("metric_descriptors") or ()}
    want_descs = {_normalise_descriptor(d) for d in want["metric_descriptors"]}
    for name, unit, overwrite in sorted(want_descs - have_descs):
        problems.append(
            f"{where}: exporters.{component}.metric_descriptors lacks "
            f"{{metric_name: {name}, unit: {unit}, overwrite: {str(overwrite).lower()}}}"
        )
    for name, unit, overwrite in sorted(have_descs - want_descs):
        problems.append(
            f"{where}: exporters.{component}.metric_descriptors has "
            f"{{metric_name: {name}, unit: {unit}, overwrite: {str(overwrite).lower()}}}, "
            "not in the catalog"
        )
    return problems


def render_emf_exporter_yaml(indent: int = 4) -> str:
    """The exporter's declarations and descriptors as YAML text, to paste into a config
    (a comment line opens each namespace's metrics)."""
    want = expected_emf_exporter()
    pad = " " * indent
    lines = [f"{pad}metric_declarations:"]
    namespace = None
    for spec, decl in zip(METRICS, want["metric_declarations"], strict=True):
        if spec.namespace != namespace:
            namespace = spec.namespace
            lines.append(f"{pad}  # namespace {namespace}")
        dims = ", ".join("[" + ", ".join(d) + "]" for d in decl["dimensions"])
        lines.append(f'{pad}  - metric_name_selectors: ["{decl["metric_name_selectors"][0]}"]')
        lines.append(f"{pad}    dimensions: [{dims}]")
    lines.append(f"{pad}metric_descriptors:")
    for desc in want["metric_descriptors"]:
        name, unit = desc["metric_name"], desc["unit"]
        lines.append(f"{pad}  - {{metric_name: {name}, unit: {unit}, overwrite: true}}")
    return "\n".join(lines)
