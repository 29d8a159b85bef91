"""What the collector's `awsemf` exporters must say, derived from the telemetry catalog.

Dashboards and alarms match CloudWatch metrics by (namespace, name, dimensions, unit). The
collector configurations in `collector/` spell these out as `metric_declarations` and
`metric_descriptors`; this module computes what they must be from
:data:`naver_sms.telemetry.catalog.METRICS`, and :func:`check_emf_exporters` lists every
disagreement, so a test fails as soon as the catalog and a configuration drift apart.

Takes an already parsed configuration (a mapping): the Lambda package needs no YAML parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from naver_sms.telemetry.catalog import METRICS, MetricSpec

# One awsemf exporter instance per CloudWatch namespace (component ids in the collector config).
EMF_EXPORTERS: Final[Mapping[str, str]] = {
    "naver-sms": "awsemf/operational",
    "naver-sms/comparison": "awsemf/comparison",
}
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


def expected_emf_exporters(metrics: Iterable[MetricSpec] = METRICS) -> dict[str, dict[str, Any]]:
    """The catalog-derived settings of each awsemf exporter, keyed by component id."""
    expected: dict[str, dict[str, Any]] = {}
    for spec in metrics:
        component = EMF_EXPORTERS.get(spec.namespace)
        if component is None:
            raise ValueError(
                f"metric {spec.name!r}: no awsemf exporter for namespace {spec.namespace!r}"
            )
        entry = expected.setdefault(
            component,
            {
                "namespace": spec.namespace,
                "dimension_rollup_option": DIMENSION_ROLLUP,
                "metric_declarations": [],
                "metric_descriptors": [],
            },
        )
        entry["metric_declarations"].append(metric_declaration(spec))
        entry["metric_descriptors"].append(metric_descriptor(spec))
    return expected


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
    """Every way the awsemf exporters of a parsed collector config disagree with the catalog."""
    problems: list[str] = []
    exporters = config.get("exporters") or {}
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    metric_pipeline_exporters = {
        exporter
        for name, pipeline in pipelines.items()
        if name == "metrics" or str(name).startswith("metrics/")
        for exporter in (pipeline or {}).get("exporters") or ()
    }
    for component, want in expected_emf_exporters().items():
        have = exporters.get(component)
        if not isinstance(have, Mapping):
            problems.append(f"{where}: exporter {component!r} is missing")
            continue
        if component not in metric_pipeline_exporters:
            problems.append(f"{where}: exporter {component!r} is in no metrics pipeline")
        for key in ("namespace", "dimension_rollup_option"):
            if have.get(key) != want[key]:
                problems.append(
                    f"{where}: exporters.{component}.{key} is {have.get(key)!r}, "
                    f"the catalog needs {want[key]!r}"
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


def render_emf_exporter_yaml(component: str, indent: int = 2) -> str:
    """The declarations and descriptors of one exporter as YAML text, to paste into a config."""
    want = expected_emf_exporters()[component]
    pad = " " * indent
    lines = [f"{pad}metric_declarations:"]
    for decl in want["metric_declarations"]:
        dims = ", ".join("[" + ", ".join(d) + "]" for d in decl["dimensions"])
        lines.append(f'{pad}  - metric_name_selectors: ["{decl["metric_name_selectors"][0]}"]')
        lines.append(f"{pad}    dimensions: [{dims}]")
    lines.append(f"{pad}metric_descriptors:")
    for desc in want["metric_descriptors"]:
        name, unit = desc["metric_name"], desc["unit"]
        lines.append(f"{pad}  - {{metric_name: {name}, unit: {unit}, overwrite: true}}")
    return "\n".join(lines)
