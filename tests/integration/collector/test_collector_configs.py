"""The collector configurations: accepted by the real collector, within the Lambda layer's
components, and in agreement with the telemetry catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from naver_sms_tools.collector_contract import EMF_EXPORTER, check_emf_exporters
from support.collector import (
    ALL_CONFIGS,
    COLLECTOR_DIR,
    LAMBDA_CONFIG,
    LOCAL_CONFIG,
    OTLP_CONFIG,
    validate,
)

pytestmark = pytest.mark.collector

# Component types per kind, as the manifest builds them (module path -> component type).
_TYPE_OF_MODULE = {
    "otlpreceiver": "otlp",
    "awsemfexporter": "awsemf",
    "awsxrayexporter": "awsxray",
    "prometheusremotewriteexporter": "prometheusremotewrite",
    "debugexporter": "debug",
    "otlpexporter": "otlp",
    "otlphttpexporter": "otlphttp",
    "sigv4authextension": "sigv4auth",
}
# What the ADOT Lambda layer v0.43.0 contains (collector/README.md lists the sources).
LAYER_COMPONENTS = {
    "receivers": {"otlp"},
    "exporters": {"awsemf", "awsxray", "prometheusremotewrite", "debug", "otlp", "otlphttp"},
    "extensions": {"sigv4auth"},
    "processors": set(),
    "connectors": set(),
}


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _manifest_components() -> dict[str, set[str]]:
    manifest = _load(COLLECTOR_DIR / "builder-config.yaml")
    built: dict[str, set[str]] = {}
    for kind in LAYER_COMPONENTS:
        modules = [entry["gomod"].split()[0] for entry in manifest.get(kind) or ()]
        built[kind] = {_TYPE_OF_MODULE[m.rsplit("/", 1)[-1]] for m in modules}
    return built


def _used_components(config: dict[str, Any]) -> dict[str, set[str]]:
    return {
        kind: {str(name).split("/", 1)[0] for name in (config.get(kind) or {})}
        for kind in LAYER_COMPONENTS
    }


def test_manifest_builds_exactly_the_layer_components() -> None:
    assert _manifest_components() == LAYER_COMPONENTS


def test_manifest_pins_one_upstream_release() -> None:
    manifest = _load(COLLECTOR_DIR / "builder-config.yaml")
    versions = {
        entry["gomod"].split()[1]
        for kind in ("receivers", "exporters", "extensions")
        for entry in manifest[kind]
    }
    assert versions == {"v0.117.0"}
    providers = {entry["gomod"].split()[1] for entry in manifest["providers"]}
    assert providers == {"v1.23.0", "v0.117.0"}  # core confmap providers are 1.x, s3 is contrib


@pytest.mark.parametrize("path", [LAMBDA_CONFIG, OTLP_CONFIG], ids=lambda p: p.name)
def test_lambda_configs_use_only_layer_components(path: Path) -> None:
    used = _used_components(_load(path))
    for kind, allowed in LAYER_COMPONENTS.items():
        assert used[kind] <= allowed, f"{path.name}: {kind} {sorted(used[kind] - allowed)}"
    assert not used["processors"]
    assert not used["connectors"]


def test_local_config_uses_only_layer_components() -> None:
    used = _used_components(_load(LOCAL_CONFIG))
    for kind, allowed in LAYER_COMPONENTS.items():
        assert used[kind] <= allowed, f"local.yaml: {kind} {sorted(used[kind] - allowed)}"


@pytest.mark.parametrize("path", ALL_CONFIGS, ids=lambda p: p.name)
def test_collector_validate_accepts_config(path: Path, collector_binary: Path) -> None:
    env = {
        "NAVER_SMS_OTLP_BACKEND_ENDPOINT": "https://otlp.example.invalid",
        "NAVER_SMS_OTLP_BACKEND_HEADERS": '{"api-key": "k"}',
    }
    result = validate(path, env)
    assert result.returncode == 0, result.stderr


def test_collector_validate_rejects_what_the_layer_lacks(
    tmp_path: Path, collector_binary: Path
) -> None:
    """`validate` is a real check: a processor (the layer has none) is refused."""
    config = _load(LAMBDA_CONFIG)
    config["processors"] = {"batch": {}}
    config["service"]["pipelines"]["traces"]["processors"] = ["batch"]
    broken = tmp_path / "with-batch.yaml"
    broken.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = validate(broken)
    assert result.returncode != 0
    assert "batch" in result.stderr


def test_otlp_swap_needs_its_endpoint(collector_binary: Path) -> None:
    result = validate(OTLP_CONFIG, {})
    assert result.returncode != 0
    assert "endpoint" in result.stderr


@pytest.mark.parametrize("path", [LAMBDA_CONFIG, LOCAL_CONFIG], ids=lambda p: p.name)
def test_emf_exporters_match_catalog(path: Path) -> None:
    assert check_emf_exporters(_load(path), path.name) == []


@pytest.mark.parametrize("path", [LAMBDA_CONFIG, LOCAL_CONFIG], ids=lambda p: p.name)
def test_one_emf_exporter_to_stdout_without_rollup_or_namespace(path: Path) -> None:
    """One awsemf: a second would print the metrics it does not declare as plain JSON lines.
    No `namespace`: it comes from each metric's resource (set per catalog namespace)."""
    config = _load(path)
    emf = [name for name in config["exporters"] if str(name).split("/", 1)[0] == "awsemf"]
    assert emf == [EMF_EXPORTER]
    assert [
        name
        for name in config["service"]["pipelines"]["metrics"]["exporters"]
        if str(name).split("/", 1)[0] == "awsemf"
    ] == [EMF_EXPORTER]
    settings = config["exporters"][EMF_EXPORTER]
    assert settings["output_destination"] == "stdout"
    assert settings["dimension_rollup_option"] == "NoDimensionRollup"
    assert "namespace" not in settings
    assert not settings.get("resource_to_telemetry_conversion", {}).get("enabled")


@pytest.mark.parametrize("path", [LAMBDA_CONFIG, LOCAL_CONFIG], ids=lambda p: p.name)
def test_xray_indexes_only_store_and_sms_type(path: Path) -> None:
    xray = _load(path)["exporters"]["awsxray"]
    assert xray["indexed_attributes"] == ["store.id", "sms.type"]
    assert xray.get("index_all_attributes", False) is False


def test_lambda_config_talks_to_no_local_endpoint() -> None:
    """In Lambda the exporters use the function's region and credentials, never local_mode."""
    for name, settings in _load(LAMBDA_CONFIG)["exporters"].items():
        assert "endpoint" not in (settings or {}), name
        assert not (settings or {}).get("local_mode"), name


def test_otlp_swap_is_synchronous_like_the_layer() -> None:
    """The layer's converter disables sending queues of otlp/otlphttp; the file says so too,
    so this local build (without that converter) behaves as the layer does."""
    otlphttp = _load(OTLP_CONFIG)["exporters"]["otlphttp"]
    assert otlphttp["sending_queue"]["enabled"] is False
    assert otlphttp["endpoint"] == "${env:NAVER_SMS_OTLP_BACKEND_ENDPOINT}"
    assert otlphttp["headers"] == "${env:NAVER_SMS_OTLP_BACKEND_HEADERS}"
