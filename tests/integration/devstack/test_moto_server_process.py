"""moto runs as a real server process reached over HTTP, and never outlives its owner."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import boto3
import pytest

from naver_sms.devstack import LocalStack, MotoServer, MotoServerError
from naver_sms.devstack import moto_server as moto_module
from support.processes import alive, group_alive, wait_gone

pytestmark = pytest.mark.integration


def _request_lines(stack: LocalStack) -> int:
    assert stack.moto.log_path is not None
    return stack.moto.log_path.read_text(errors="replace").count('"POST / HTTP/1.1"')


def test_boto3_from_the_lambda_env_reaches_moto_over_http(
    lambda_env: dict[str, str], clean_stack: LocalStack
) -> None:
    before = _request_lines(clean_stack)
    # No endpoint or credentials passed: boto3 takes them from AWS_ENDPOINT_URL & co.
    dynamodb = boto3.client("dynamodb")
    ssm = boto3.client("ssm")
    assert dynamodb.meta.endpoint_url == lambda_env["AWS_ENDPOINT_URL"]
    assert dynamodb.meta.region_name == "ap-northeast-2"
    dynamodb.put_item(
        TableName=lambda_env["BOOKINGS_TABLE"],
        Item={"booking_id": {"S": "B-1"}, "sent": {"SS": ["confirm"]}},
    )
    assert clean_stack.table_items() == [{"booking_id": {"S": "B-1"}, "sent": {"SS": ["confirm"]}}]
    switch = ssm.get_parameter(Name=lambda_env["NAVER_SMS_SWITCH_PREFIX"] + "sms_sending")
    assert switch["Parameter"]["Value"] == "off"
    # The calls arrived at the moto process as HTTP requests (its werkzeug access log).
    assert _request_lines(clean_stack) >= before + 3


def test_conditional_write_is_enforced_by_moto(clean_stack: LocalStack) -> None:
    db = clean_stack.dynamodb
    item = {"booking_id": {"S": "B-2"}}
    db.put_item(TableName=clean_stack.table_name, Item=item)
    with pytest.raises(db.exceptions.ConditionalCheckFailedException):
        db.put_item(
            TableName=clean_stack.table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(booking_id)",
        )


def test_stop_ends_the_process_and_its_group() -> None:
    server = MotoServer().start()
    pid = server.pid
    assert alive(pid)
    assert server.endpoint_url.startswith("http://127.0.0.1:")
    server.stop()
    assert not alive(pid)
    assert not group_alive(pid)
    assert server not in moto_module._live
    server.stop()  # idempotent


def test_a_child_that_cannot_start_is_reported_and_cleaned_up() -> None:
    server = MotoServer(python="/bin/false")
    with pytest.raises(MotoServerError, match="exited with code 1 before it was ready"):
        server.start()
    assert not server.running
    assert server not in moto_module._live


def test_moto_exits_by_itself_when_its_parent_dies_without_cleanup() -> None:
    script = textwrap.dedent(
        """
        import os
        from naver_sms.devstack import MotoServer
        server = MotoServer().start()
        print(server.pid, flush=True)
        os._exit(0)  # no atexit, no stop(): like a SIGKILLed test run
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    moto_pid = int(done.stdout.strip())
    assert wait_gone(moto_pid, timeout=10), "orphaned moto server kept running"
