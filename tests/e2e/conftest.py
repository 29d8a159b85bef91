"""`make demo` once per session: test_demo.py checks the day itself, test_ops_on_demo.py the
operations tools on its artefacts (queries, alarm simulation, dashboard, evidence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.demo import run_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out)
