from __future__ import annotations

import json
import subprocess
import sys

import pytest

import naver_sms.telemetry as telemetry
from naver_sms.telemetry.handler import instrument_handler
from naver_sms.telemetry.setup import configure


def test_public_names_resolve_to_their_modules() -> None:
    assert telemetry.instrument_handler is instrument_handler
    assert telemetry.configure is configure
    assert set(telemetry.__all__) == {
        "configure",
        "configure_logging",
        "flush",
        "in_memory",
        "instrument_handler",
        "register_secrets",
    }
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = telemetry.nope


@pytest.mark.parametrize("module", ["naver_sms.telemetry", "naver_sms.telemetry.catalog"])
def test_importing_the_package_or_catalog_loads_no_opentelemetry_or_structlog(module: str) -> None:
    code = (
        f"import sys, json\nimport {module}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('opentelemetry', "
        "'structlog')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []
