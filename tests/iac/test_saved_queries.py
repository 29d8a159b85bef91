"""Every query file under docs/ops/queries/ becomes a saved Logs Insights query.

`queries.tf.json` is generated from the directory (`make iac-generate`, the same pattern as
`catalog.tf.json`); Terraform reads it as `local.saved_queries` and the module creates one
`aws_cloudwatch_query_definition` per entry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from naver_sms_tools import terraform_contract as contract
from support.terraform import (
    MONITORING_MODULE,
    MONITORING_PURE_FILES,
    ROOT,
    evaluate,
    module_blocks,
)

pytestmark = pytest.mark.iac

VARIABLES = {
    "aws_region": "ap-northeast-2",
    "function_name": "naver-sms",
    "table_name": "naver-sms-bookings",
    "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:naver-sms-alarms",
    "log_group_names": ["/aws/lambda/naver-sms"],
}


def _files(directory: Path) -> dict[str, str]:
    return {
        path.name.removesuffix(".insights"): path.read_text(encoding="utf-8").strip()
        for path in sorted(directory.glob("*.insights"))
    }


def test_the_generated_file_is_current() -> None:
    generated = ROOT / contract.QUERIES_PATH
    assert generated.read_text(encoding="utf-8") == contract.render_queries(
        ROOT / contract.QUERIES_DIR
    ), f"{contract.QUERIES_PATH} is stale: run `make iac-generate`"
    checked = subprocess.run(
        [sys.executable, "-m", "naver_sms_tools.terraform_contract", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_every_query_file_is_deployed(tmp_path: Path) -> None:
    deployed = evaluate(
        MONITORING_MODULE,
        MONITORING_PURE_FILES,
        VARIABLES,
        {"queries": "local.saved_queries"},
        tmp_path,
    )["queries"]
    assert deployed == _files(ROOT / contract.QUERIES_DIR)
    (resource,) = module_blocks(
        MONITORING_MODULE, "resource", "aws_cloudwatch_query_definition"
    ).values()
    assert resource["for_each"] == "${local.saved_queries}"
    assert resource["query_string"] == "${each.value}"
    assert resource["name"] == "${var.name}/${each.key}"
    assert resource["log_group_names"] == "${var.log_group_names}"


QUERIES = {
    "booking-timeline": (
        "fields @timestamp, event, booking_id, sms_type\n"
        '| filter booking_id = "2200229"\n| sort @timestamp asc'
    ),
    "sens-errors-latency": 'filter event = "sens_retry"\n| stats count(*) by outcome, status',
}


def test_the_generator_turns_query_files_into_what_terraform_deploys(tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    for name, text in QUERIES.items():
        (queries / f"{name}.insights").write_text(text + "\n\n", encoding="utf-8")
    (queries / "README.md").write_text("not a query", encoding="utf-8")
    module = tmp_path / "monitoring"
    module.mkdir()
    for name in MONITORING_PURE_FILES:
        shutil.copy(MONITORING_MODULE / name, module / name)
    generated = module / "queries.tf.json"
    written = contract.main(
        [
            "--write",
            "--queries-dir",
            str(queries),
            "--queries-path",
            str(generated),
            "--path",
            str(tmp_path / "catalog.tf.json"),
        ]
    )
    assert written == 0
    deployed = evaluate(
        module, MONITORING_PURE_FILES, VARIABLES, {"queries": "local.saved_queries"}, tmp_path
    )["queries"]
    assert deployed == QUERIES
    # ...and --check sees the directory change.
    (queries / "cold-starts.insights").write_text("stats count(*)", encoding="utf-8")
    arguments = ["--queries-dir", str(queries), "--queries-path", str(generated)]
    arguments += ["--path", str(tmp_path / "catalog.tf.json")]
    assert contract.main(["--check", *arguments]) == 1
    assert contract.main(["--write", *arguments]) == 0
    assert contract.main(["--check", *arguments]) == 0
    assert set(json.loads(generated.read_text(encoding="utf-8"))["locals"]["saved_queries"]) == {
        *QUERIES,
        "cold-starts",
    }


def test_a_missing_directory_deploys_no_query(tmp_path: Path) -> None:
    assert contract.saved_queries(tmp_path / "absent") == {}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Bad_Name", "stats count(*)", "lowercase letters, digits and '-'"),
        ("empty", "  \n", "empty query"),
        ("latin1", b"filter x = '\xe9'", "not UTF-8"),
        ("huge", "x" * 10_001, "CloudWatch accepts 10000"),
    ],
)
def test_a_bad_query_file_is_named_with_its_fault(
    name: str, content: Any, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{name}.insights"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(contract.QueryFileError, match=message) as raised:
        contract.saved_queries(tmp_path)
    assert str(path) in str(raised.value)
    assert contract.main(["--check", "--queries-dir", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
