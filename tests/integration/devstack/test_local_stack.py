"""LocalStack provisions what the Lambda reads, hands out its env, and stops everything."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from naver_sms.devstack import DEFAULT_SWITCHES, LocalStack, StackSecrets
from support.http_calls import post_json, sens_headers
from support.processes import alive, group_alive

pytestmark = pytest.mark.integration

ENV_KEYS = {
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EC2_METADATA_DISABLED",
    "SENS_BASE_URL",
    "SENS_ACCESS_KEY",
    "SENS_SECRET_KEY",
    "SENS_SERVICE_ID",
    "SENS_CALLER_NUMBER",
    "TELEGRAM_API_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_CHAT_ID",
    "BOOKINGS_TABLE",
    "NAVER_SMS_SWITCH_PREFIX",
    "NAVER_SMS_APPROVAL_PARAMETER",
}


def _sms_body(caller: str) -> dict[str, object]:
    return {"type": "SMS", "from": caller, "content": "확인", "messages": [{"to": "01012345678"}]}


def _send_with_env(env: dict[str, str]) -> tuple[int, int]:
    """One SENS request and one Telegram message built only from the Lambda's env."""
    path = f"/sms/v2/services/{env['SENS_SERVICE_ID']}/messages"
    signed = sens_headers(
        access_key=env["SENS_ACCESS_KEY"], secret_key=env["SENS_SECRET_KEY"], path=path
    )
    caller = "".join(c for c in env["SENS_CALLER_NUMBER"] if c.isdigit())
    sens = post_json(env["SENS_BASE_URL"] + path, _sms_body(caller), signed)
    telegram = post_json(
        f"{env['TELEGRAM_API_URL']}/bot{env['TELEGRAM_BOT_TOKEN']}/sendMessage",
        {"chat_id": env["TELEGRAM_CHAT_ID"], "text": "<b>ok</b>", "parse_mode": "HTML"},
    )
    return sens.status, telegram.status


def test_env_has_every_key_and_the_servers_accept_its_secrets(lambda_env: dict[str, str]) -> None:
    assert set(lambda_env) == ENV_KEYS
    for key in ("AWS_ENDPOINT_URL", "SENS_BASE_URL", "TELEGRAM_API_URL"):
        assert lambda_env[key].startswith("http://127.0.0.1:")
    assert lambda_env["AWS_REGION"] == lambda_env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert _send_with_env(lambda_env) == (202, 200)


def test_env_with_a_wrong_secret_is_refused(lambda_env: dict[str, str]) -> None:
    wrong = {**lambda_env, "SENS_SECRET_KEY": "x" + lambda_env["SENS_SECRET_KEY"]}
    wrong["TELEGRAM_BOT_TOKEN"] = "1:" + lambda_env["TELEGRAM_BOT_TOKEN"]
    assert _send_with_env(wrong) == (401, 401)


def test_table_and_switches_are_provisioned_without_approval(clean_stack: LocalStack) -> None:
    table = clean_stack.dynamodb.describe_table(TableName=clean_stack.table_name)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "booking_id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "booking_id", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    params = clean_stack.ssm.get_parameters_by_path(Path="/naver-sms/switches/")["Parameters"]
    assert {p["Name"]: p["Value"] for p in params} == {
        "/naver-sms/switches/sms_sending": "off",
        "/naver-sms/switches/telemetry": "on",
        "/naver-sms/switches/comparison": "off",
    }
    assert clean_stack.approval() is None


def test_switch_and_approval_helpers_write_what_the_lambda_reads(
    lambda_env: dict[str, str], clean_stack: LocalStack
) -> None:
    ssm = boto3.client("ssm")  # as the Lambda sees it, from the env
    clean_stack.set_switch("sms_sending", True)
    clean_stack.set_switch("telemetry", "off")
    prefix = lambda_env["NAVER_SMS_SWITCH_PREFIX"]
    assert ssm.get_parameter(Name=prefix + "sms_sending")["Parameter"]["Value"] == "on"
    assert clean_stack.switch("telemetry") == "off"

    approved_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    written = clean_stack.set_approval(
        "owner@example.com", approved_at=approved_at, expires_at=approved_at + timedelta(days=7)
    )
    stored = ssm.get_parameter(Name=lambda_env["NAVER_SMS_APPROVAL_PARAMETER"])["Parameter"]
    assert (
        json.loads(stored["Value"])
        == written
        == {
            "approved_by": "owner@example.com",
            "approved_at": "2026-11-01T09:00:00+00:00",
            "expires_at": "2026-11-08T09:00:00+00:00",
        }
    )
    assert clean_stack.set_approval()["expires_at"] is None
    clean_stack.clear_approval()
    clean_stack.clear_approval()  # idempotent
    assert clean_stack.approval() is None


def test_reset_returns_to_the_provisioned_state(local_stack: LocalStack) -> None:
    local_stack.reset()
    local_stack.dynamodb.put_item(
        TableName=local_stack.table_name, Item={"booking_id": {"S": "B-9"}}
    )
    local_stack.set_switch("sms_sending", True)
    local_stack.set_approval()
    local_stack.ssm.put_parameter(Name="/leftover", Value="x", Type="String")
    assert _send_with_env(local_stack.env()) == (202, 200)
    local_stack.sens.inject(500, times=5)

    local_stack.reset()

    assert local_stack.table_items() == []
    assert {n: local_stack.switch(n) for n in DEFAULT_SWITCHES} == DEFAULT_SWITCHES
    assert local_stack.approval() is None
    assert local_stack.ssm.get_parameters(Names=["/leftover"])["InvalidParameters"] == ["/leftover"]
    assert local_stack.sens.exchanges == local_stack.telegram.exchanges == []
    assert local_stack.sens.messages == local_stack.telegram.messages == []
    assert local_stack.sens.faults.pending() == 0


def test_secrets_come_from_the_environment_else_are_generated() -> None:
    secrets = StackSecrets.from_environment({"SENS_SECRET_KEY": "from-env", "TELEGRAM_CHAT_ID": ""})
    assert secrets.sens_secret_key == "from-env"
    assert secrets.telegram_chat_id.startswith("-100")  # empty counts as unset
    assert secrets.sens_caller_number.isdigit()
    other = StackSecrets.generate()
    assert other.sens_secret_key != StackSecrets.generate().sens_secret_key
    assert "from-env" not in repr(secrets)
    assert set(secrets.env()) == {
        "SENS_ACCESS_KEY",
        "SENS_SECRET_KEY",
        "SENS_SERVICE_ID",
        "SENS_CALLER_NUMBER",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_CHAT_ID",
    }


def _refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


def test_any_secret_values_work_and_stop_leaves_nothing_running() -> None:
    odd = StackSecrets(
        sens_access_key="AK with spaces/+=",
        sens_secret_key='비밀 🔑 "quoted" \\ secret',
        sens_service_id="ncp:sms:kr:1:odd-service",
        sens_caller_number="02-555-0100",
        telegram_bot_token="42:tok_with-odd~chars",
        telegram_chat_id="@owner_channel",
    )
    with LocalStack(secrets=odd, handle_signals=False) as stack:
        env = stack.env()
        assert _send_with_env(env) == (202, 200)
        moto_pid = stack.moto.pid
    assert not alive(moto_pid)
    assert not group_alive(moto_pid)
    for key in ("AWS_ENDPOINT_URL", "SENS_BASE_URL", "TELEGRAM_API_URL"):
        assert _refused(env[key]), f"{key} still answers after stop"


def _fail_inside(stack: LocalStack, error: type[BaseException], pids: list[int]) -> None:
    with stack:
        pids.append(stack.moto.pid)
        raise error("boom")


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_stack_stops_on_exception_and_interrupt(error: type[BaseException]) -> None:
    stack = LocalStack(secrets=StackSecrets.generate())
    pids: list[int] = []
    with pytest.raises(error):
        _fail_inside(stack, error, pids)
    assert not alive(pids[0])
    assert not stack.sens.running
    assert not stack.telegram.running


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signalled_run_stops_the_stack_before_exiting(signum: signal.Signals) -> None:
    script = textwrap.dedent(
        """
        import time
        from naver_sms.devstack import LocalStack
        try:
            with LocalStack() as stack:
                print(stack.moto.pid, flush=True)
                time.sleep(60)
        except KeyboardInterrupt:
            print("stopped", stack.moto.running, flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert child.stdout is not None
        moto_pid = int(child.stdout.readline())
        child.send_signal(signum)
        out, _ = child.communicate(timeout=30)
        assert out.strip() == "stopped False"
        assert not alive(moto_pid)  # gone at once: stopped by the stack, not by the orphan watch
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
