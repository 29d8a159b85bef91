"""The deployment zip carries what the function's environment points at.

Built here without dependencies (offline); `make lambda-package` adds the wheels of
requirements/lambda.lock for the target architecture from PyPI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.terraform import ROOT

pytestmark = pytest.mark.iac

TASK_ROOT = "/var/task/"


def _build(out: Path) -> Path:
    """Run the packager (no dependencies) into `out`; raises if it fails."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "infrastructure/package_lambda.py"),
            "--no-deps",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("package") / "naver-sms-lambda.zip")


def test_the_zip_holds_the_collector_configs_where_the_uri_points(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        for uri in ("/var/task/collector/config.yaml", "/var/task/collector/otlp.yaml"):
            member = uri.removeprefix(TASK_ROOT)
            assert member in names, f"{member} missing from the package"
            assert archive.read(member) == (ROOT / member).read_bytes()
    assert "collector/local.yaml" not in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "naver_sms/app/handler.py" in names
    assert "naver_sms/booking/stores.json" in names  # package data the code loads


def test_the_handler_imports_from_the_unpacked_zip(package: Path, tmp_path: Path) -> None:
    """Lambda unpacks the zip to /var/task and puts it first on sys.path; do the same."""
    task = tmp_path / "task"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task)
    code = (
        "import naver_sms.app.handler as h, sys; "
        "assert h.__file__.startswith(sys.argv[1]), h.__file__; "
        "assert callable(h.lambda_handler)"
    )
    env = dict(os.environ, PYTHONPATH=str(task))
    result = subprocess.run(
        [sys.executable, "-c", code, str(task)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_build_is_reproducible(package: Path, tmp_path: Path) -> None:
    again = _build(tmp_path / "again.zip")
    # Same bytes, so Terraform's source_code_hash changes only when the content does.
    assert again.read_bytes() == package.read_bytes()


def test_an_included_file_lands_where_the_function_reads_it(tmp_path: Path) -> None:
    legacy = ROOT / "examples" / "legacy-capture-2026-11-20.jsonl"
    out = tmp_path / "with-capture.zip"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "infrastructure/package_lambda.py"),
            "--no-deps",
            "--include",
            f"{legacy}=captures/legacy.jsonl",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(out) as archive:
        assert archive.read("captures/legacy.jsonl") == legacy.read_bytes()
    refused = subprocess.run(
        [
            sys.executable,
            str(ROOT / "infrastructure/package_lambda.py"),
            "--no-deps",
            "--include",
            f"{legacy}=../escape.jsonl",
            "--out",
            str(tmp_path / "bad.zip"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "expected SOURCE=MEMBER" in refused.stderr


def test_the_forwarder_handler_imports_from_the_unpacked_zip(package: Path, tmp_path: Path) -> None:
    """The notifications module deploys naver_sms.alerts from the same zip."""
    task = tmp_path / "task"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task)
    code = "import naver_sms.alerts.handler as h; assert callable(h.lambda_handler)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(task)),
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
