"""The development overlay `collector/inspect.yaml` that `make demo` merges over local.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support.collector import INSPECT_OVERLAY, LOCAL_CONFIG, validate

pytestmark = pytest.mark.collector


def test_overlay_merged_over_local_config_validates(collector_binary: Path) -> None:
    result = validate(LOCAL_CONFIG, {"NAVER_SMS_INSPECT_PORT": "4999"}, overlays=[INSPECT_OVERLAY])
    assert result.returncode == 0, result.stderr


def test_overlay_keeps_every_local_exporter_and_adds_only_otlphttp(
    collector_binary: Path,
) -> None:
    local = yaml.safe_load(LOCAL_CONFIG.read_text(encoding="utf-8"))
    overlay = yaml.safe_load(INSPECT_OVERLAY.read_text(encoding="utf-8"))
    assert set(overlay["exporters"]) == {"otlphttp/inspect"}
    for name, pipeline in local["service"]["pipelines"].items():
        merged = overlay["service"]["pipelines"][name]["exporters"]
        assert merged == [*pipeline["exporters"], "otlphttp/inspect"]
