from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from naver_sms.cli import main
from naver_sms.telemetry import catalog
from naver_sms_tools import coldstart, docs_gen

REPO = Path(__file__).resolve().parents[3]


def test_committed_telemetry_doc_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert docs_gen.check(), "docs/telemetry.md is stale: run `naver-sms docs --write`"


def test_every_catalog_entry_is_documented() -> None:
    text = docs_gen.render()
    for metric in catalog.METRICS:
        assert f"| `{metric.name}` |" in text
        assert metric.description in text
    for span in catalog.SPANS:
        assert f"| `{span.name}` | {span.kind} |" in text
    for log_field in catalog.LOG_FIELDS:
        assert f"| `{log_field.name}` |" in text
    assert "## Cold-start cost" in text


def test_check_fails_on_a_stale_file_and_write_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(write=False, check=True, measure=False)
    assert docs_gen.run(args) == 1
    assert "stale" in capsys.readouterr().err
    Path("docs").mkdir()
    Path("docs/telemetry.md").write_text(docs_gen.render() + "edited by hand\n")
    assert docs_gen.run(args) == 1
    assert docs_gen.main(["--write"]) == 0
    assert docs_gen.main(["--check"]) == 0


def test_cold_start_section_reports_the_measured_differences() -> None:
    data = {
        "runs": 3,
        "python": "3.11",
        "machine": "test",
        "import_handler_ms": {
            "otlp": {"median": 200.0, "min": 190.0, "max": 210.0},
            "otlp_protobuf": {"median": 220.0, "min": 205.0, "max": 230.0},
            "xray_udp_emf": {"median": 185.0, "min": 171.5, "max": 199.0},
            "no_export": {"median": 170.0, "min": 165.0, "max": 180.0},
            "telemetry_off": {"median": 130.0, "min": 128.0, "max": 140.0},
        },
        "importtime_ms": {
            "otlp": {
                "structlog": 50.0,
                "opentelemetry.exporter.otlp.json.http.trace_exporter": 6.5,
            },
            "xray_udp_emf": {"structlog": 51.0, "naver_sms.telemetry.exporters.emf": 1.2},
        },
        "sdk_modules_when_off": [],
    }
    text = docs_gen.render(data)
    assert "the SDK set-up adds **37.0 ms** over telemetry off" in text
    assert "OTLP/HTTP JSON exporters **25.0 ms**, the protobuf ones **40.0 ms**" in text
    assert "(with the upstream protobuf encoder) **6.5 ms**" in text
    assert "With telemetry off no SDK module is imported" in text
    assert "| Module | `otlp` ms | `xray_udp_emf` ms |" in text
    assert "| `structlog` | 50.0 | 51.0 |" in text
    assert "| `opentelemetry.exporter.otlp.json.http.trace_exporter` | 6.5 | — |" in text
    assert "| `naver_sms.telemetry.exporters.emf` | — | 1.2 |" in text
    # Only what was measured is listed.
    assert "`naver_sms.telemetry.exporters.xray_udp`" not in text.split("-X importtime")[-1]


def test_cold_start_section_marks_an_unmeasured_variant() -> None:
    data = {
        "runs": 1,
        "python": "3.11",
        "machine": "test",
        "import_handler_ms": {
            "otlp": {"median": 200.0, "min": 190.0, "max": 210.0},
            "telemetry_off": {"median": 130.0, "min": 128.0, "max": 140.0},
        },
        "importtime_ms": {"otlp": {}},
    }
    text = docs_gen.render(data)
    assert "the OTLP/HTTP JSON exporters **? ms**" in text
    assert "With telemetry off no SDK module is imported" in text


def test_cold_start_section_reports_sdk_modules_loaded_with_telemetry_off() -> None:
    data = {
        "runs": 1,
        "python": "3.11",
        "machine": "test",
        "import_handler_ms": {"otlp": {"median": 200.0, "min": 190.0, "max": 210.0}},
        "importtime_ms": {"otlp": {}},
        "sdk_modules_when_off": ["opentelemetry.sdk.trace"],
    }
    text = docs_gen.render(data)
    assert "**SDK modules were imported with telemetry off**" in text
    assert "`opentelemetry.sdk.trace`" in text
    assert "With telemetry off no SDK module is imported" not in text


def test_the_committed_cold_start_figures_load_no_sdk_with_telemetry_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    data = json.loads(docs_gen.COLD_START_PATH.read_text(encoding="utf-8"))
    assert set(data["import_handler_ms"]) == set(coldstart.VARIANTS)
    measured = {m for modules in data["importtime_ms"].values() for m in modules}
    assert measured <= set(coldstart.REPORTED_MODULES)
    assert data["sdk_modules_when_off"] == []
    # The exporters are imported only by the variants that chose them.
    assert (
        "opentelemetry.exporter.otlp.json.http.trace_exporter"
        not in data["importtime_ms"]["xray_udp_emf"]
    )
    assert "opentelemetry.sdk.trace" not in data["importtime_ms"]["telemetry_off"]


def test_naver_sms_docs_subcommand_checks_the_committed_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["docs", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
