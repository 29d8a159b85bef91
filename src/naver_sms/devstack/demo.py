"""`make demo`: one day of bookings through the real Lambda handler on the local stack.

What it does, in order:
1. starts moto server (DynamoDB, SSM), the local SENS and Telegram servers and, when built, the
   OpenTelemetry Collector with `collector/local.yaml` (EMF + X-Ray to local sinks);
2. phase 1, dry run: the 08:00 run over the sample day — SMS are built and captured, none sent;
3. the owner's approval is recorded in SSM and the `sms_sending` switch turned on;
4. phase 2, live: runs through the day (09:00 … 19:00) in a new execution environment:
   confirms, cancellations and visit reminders reach the local SENS, the owner gets Telegram.
   The 09:00 run meets the faults operations must see (:func:`inject_live_faults`): DynamoDB
   throttling, SENS 503 and 429 (retried), a SENS answer lost after sending (held as
   uncertain), Telegram 500s (retried next run); the collector answers 503 at 11:00;
5. prints a summary and writes every artefact under `--out` (default `out/demo/`), then the
   operations evidence (queries, alarm simulation, dashboard) into the campaign's VALIDATION.md.
Every process it started is stopped on exit, on failure and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from naver_sms.clients.sms import mask_phone
from naver_sms.devstack.collector import InspectedCollector
from naver_sms.devstack.fault_proxy import FaultProxy
from naver_sms.devstack.faults import Fault
from naver_sms.devstack.stack import LocalStack
from naver_sms.sources.file import read_bookings

REPO = Path(__file__).resolve().parents[3]
SAMPLE_DAY = REPO / "examples" / "bookings-2026-11-20.json"
CAMPAIGN_INVOCATIONS = REPO / "examples" / "invocations-2026-11-20.jsonl"
CAMPAIGN_LEGACY = REPO / "examples" / "legacy-capture-2026-11-20.jsonl"
DAY = "2026-11-20"
DRY_RUN_TIMES = ("08:00",)
LIVE_TIMES = ("09:00", "11:00", "13:00", "15:00", "17:00", "19:00")
# Bookings cancelled during the day were confirmed until then: the booking source reports
# them as confirmed before this time, which is what gives them a confirm and then a cancel.
CANCELLED_AT = "13:00"


def day_events(bookings: list[Any], times: tuple[str, ...]) -> list[dict[str, Any]]:
    """One invocation event per run time, with each booking's status as of that time."""
    events = []
    for hhmm in times:
        now = f"{DAY}T{hhmm}:00+09:00"
        snapshot = []
        for booking in bookings:
            cancelled_later = (
                isinstance(booking, dict)
                and booking.get("status") == "cancelled"
                and hhmm < CANCELLED_AT
            )
            snapshot.append({**booking, "status": "confirmed"} if cancelled_later else booking)
        events.append({"bookings": snapshot, "now": now})
    return events


def invoke_phase(
    name: str, events: list[dict[str, Any]], env: dict[str, str], out: Path
) -> list[dict[str, Any]]:
    """Run one execution environment (a child process) over `events`; logs to logs.jsonl."""
    events_path = out / f"events-{name}.jsonl"
    events_path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    results_path = out / f"results-{name}.jsonl"
    with (out / "logs.jsonl").open("a", encoding="utf-8") as logs:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "naver_sms.devstack.invoke",
                str(events_path),
                "--results",
                str(results_path),
            ],
            env=env,
            stdout=logs,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=600,
        )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"phase {name}: the Lambda process failed:\n{proc.stderr[-2000:]}")
    return [json.loads(line) for line in results_path.read_text("utf-8").splitlines()]


def lambda_env(stack: LocalStack, out: Path, telemetry: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AWS_"))}
    env.update(stack.env())
    env.update(
        {
            "SMS_SENDING_ENABLED": "true",  # the deploy-time half of the gate; SSM holds the rest
            "CAPTURE_PATH": str(out / "capture.jsonl"),
            "NAVER_SMS_SWITCH_CACHE_SECONDS": "0",
            "AWS_LAMBDA_FUNCTION_NAME": "naver-sms",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/20/[$LATEST]demo",
            "NAVER_SMS_ENVIRONMENT": "demo",
            **telemetry,
        }
    )
    return env


@dataclass
class Proxies:
    """The fault proxies in front of moto's DynamoDB and the collector's OTLP endpoint."""

    dynamodb: FaultProxy
    otlp: FaultProxy

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb.base_url,
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.otlp.base_url,
        }


def inject_live_faults(stack: LocalStack, proxies: Proxies) -> None:
    """What the first live runs meet, in request order (docs/local-stack.md, the demo)."""
    # Every attempt boto3 makes (1 + 4 retries) throttled: the first booking fails and is
    # retried by the next run; boto3's adaptive mode then slows its own request rate.
    proxies.dynamodb.throttle_dynamodb(times=5)
    # SENS: a 503 then a 429 (each retried with success), then an answer lost after the
    # request was sent: that SMS may have gone out, so it is held as uncertain, never resent.
    for fault in (
        Fault(status=503),
        Fault(delay=0.001),  # the retry goes through
        Fault(status=429, retry_after=0),
        Fault(delay=0.001),
        Fault(disconnect=True),
    ):
        stack.sens.faults.push(fault)
    # Telegram down for one notice (all 3 attempts): the notice is retried by the next run.
    stack.telegram.inject(500, times=3)
    # The collector takes the 09:00 run's two exports (traces, metrics), then answers 503 to
    # the 11:00 run's: that run's spans and metrics are lost, the failures logged and counted
    # (the counts reach CloudWatch with the 13:00 export), then recovered.
    proxies.otlp.faults.push(Fault(delay=0.001, times=2))
    proxies.otlp.inject(503, times=2)


READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem"})


def _metric(namespace: str, name: str, dimensions: dict[str, str], at_ms: int, value: float) -> str:
    return json.dumps(
        {
            "namespace": namespace,
            "metric_name": name,
            "dimensions": dimensions,
            "timestamp": at_ms,
            "value": value,
        }
    )


def _item_bytes(exchange: Any) -> int:
    """The item's size as DynamoDB counts capacity, taken from the JSON bodies."""
    for raw in (exchange.response, exchange.body):
        try:
            body = json.loads(raw if isinstance(raw, str | bytes) else json.dumps(raw))
        except (TypeError, ValueError):
            continue
        if isinstance(body, dict):
            item = body.get("Item") or body.get("Attributes")
            if isinstance(item, dict):
                return len(json.dumps(item, ensure_ascii=False).encode("utf-8"))
    return 0


def dynamodb_metrics(proxy: FaultProxy) -> list[str]:
    """AWS/DynamoDB's metrics for the requests the proxy saw, counted as DynamoDB counts them.

    A throttling answer is one ThrottledRequests (TableName, Operation) and one Read- or
    WriteThrottleEvents (TableName); a served request consumes capacity by DynamoDB's
    documented rounding: a strongly consistent read 1 unit per 4 KB, a write 1 unit per 1 KB,
    at least 1 (a failed conditional write too).
    """
    lines = []
    for exchange in proxy.exchanges:
        operation = str(exchange.headers.get("x-amz-target", "")).rpartition(".")[2]
        try:
            table = str(json.loads(str(exchange.body)).get("TableName", ""))
        except (ValueError, AttributeError):
            table = ""
        at = int(exchange.received_at * 1000)
        read = operation in READ_OPERATIONS
        if exchange.injected and exchange.status == 400:
            kind = "ReadThrottleEvents" if read else "WriteThrottleEvents"
            lines.append(
                _metric(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": table, "Operation": operation},
                    at,
                    1,
                )
            )
            lines.append(_metric("AWS/DynamoDB", kind, {"TableName": table}, at, 1))
        elif not exchange.injected and exchange.status in (200, 400):
            size = _item_bytes(exchange)
            units = max(1, math.ceil(size / (4096 if read else 1024)))
            name = "ConsumedReadCapacityUnits" if read else "ConsumedWriteCapacityUnits"
            lines.append(_metric("AWS/DynamoDB", name, {"TableName": table}, at, units))
    return lines


def lambda_service_metrics(out: Path) -> list[str]:
    """What the Lambda service itself counts and the function's records cannot tell: this
    local runtime runs one execution environment at a time and never refuses an invocation,
    so each invocation is one concurrent execution and no throttle."""
    lines = []
    dimensions = {"FunctionName": "naver-sms"}
    for line in (out / "logs.jsonl").read_text("utf-8").splitlines():
        if '"platform.report"' not in line:
            continue
        report = json.loads(line)
        at = int(datetime.fromisoformat(report["time"].replace("Z", "+00:00")).timestamp() * 1000)
        lines.append(_metric("AWS/Lambda", "Throttles", dimensions, at, 0))
        lines.append(_metric("AWS/Lambda", "ConcurrentExecutions", dimensions, at, 1))
    return lines


def write_aws_metrics(proxy: FaultProxy, out: Path) -> int:
    """aws-metrics.jsonl: the AWS metrics of the day that are not in the function's EMF or
    logs; returns how many DynamoDB requests were throttled."""
    dynamodb = dynamodb_metrics(proxy)
    lines = dynamodb + lambda_service_metrics(out)
    (out / "aws-metrics.jsonl").write_text("".join(f"{x}\n" for x in lines), "utf-8")
    return sum(1 for x in dynamodb if '"ThrottledRequests"' in x)


def write_ops_evidence(out: Path) -> None:
    """The campaign's VALIDATION.md gets the operations evidence of the whole demo day."""
    from naver_sms.ops.evidence import EvidenceInputs, write_operations_evidence  # noqa: PLC0415

    campaign = out / "campaign"
    print("\noperations evidence: queries, alarm simulation, dashboard -> campaign/VALIDATION.md")
    write_operations_evidence(
        campaign / "VALIDATION.md",
        EvidenceInputs(
            out=campaign,
            logs=[out / "logs.jsonl", campaign / "logs.jsonl"],
            emf=[out / "emf.jsonl"],
            aws_metrics=[out / "aws-metrics.jsonl"],
            produced_by="make demo (python -m naver_sms.devstack.demo)",
        ),
    )


def run_campaign(env: dict[str, str], out: Path) -> int:
    """A small validation campaign over the shipped day with planted legacy discrepancies."""
    print(
        "\nvalidation campaign: replaying the day in comparison mode (dry run) against a legacy "
        f"capture with planted discrepancies ({CAMPAIGN_LEGACY.relative_to(REPO)})"
    )
    campaign_env = {
        **{k: v for k, v in env.items() if k not in ("CAPTURE_PATH", "AWS_ENDPOINT_URL")},
        # What the legacy Lambda sent as: compared character by character.
        "SENS_CALLER_NUMBER": "0215881234",
        "TELEGRAM_CHAT_ID": "-1001987654321",
    }
    campaign_env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)  # the replay has a stack of its own
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "naver_sms.cli",
            "replay",
            str(CAMPAIGN_INVOCATIONS),
            "--legacy",
            str(CAMPAIGN_LEGACY),
            "--out",
            str(out / "campaign"),
            "--no-ops-evidence",  # written after the day, with the collector's EMF
        ],
        env=campaign_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"the campaign failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    summary = proc.stdout.splitlines()
    for line in summary[:8] + [x for x in summary if x.startswith(("window", "reports"))]:
        print(f"  {line}")
    return proc.returncode


def print_table(title: str, results: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"  {'time (KST)':<11}{'mode':<9}{'processed':>10}{'sms':>6}{'invalid':>9}"
        f"{'failed':>8}{'notified':>10}{'ms':>8}"
    )
    for r in results:
        res = r.get("result") or {}
        when = (r.get("now") or "")[11:16]
        if "error" in r:
            print(f"  {when:<11}ERROR {r['error']['type']}: {r['error']['message']}")
            continue
        print(
            f"  {when:<11}{res.get('mode', ''):<9}{res.get('processed', 0):>10}"
            f"{res.get('sent', 0):>6}{res.get('invalid', 0):>9}{res.get('failed', 0):>8}"
            f"{res.get('notified', 0):>10}{r.get('duration_ms', 0):>8.0f}"
        )


def write_received(stack: LocalStack, out: Path) -> tuple[Counter[str], int]:
    by_type: Counter[str] = Counter()
    with (out / "sens-received.jsonl").open("w", encoding="utf-8") as f:
        for m in stack.sens.messages:
            by_type[m.type] += 1
            f.write(
                json.dumps(
                    {
                        "request_id": m.request_id,
                        "type": m.type,
                        "to": mask_phone(m.to),
                        "subject": m.subject,
                        "content": m.content,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    with (out / "telegram-received.jsonl").open("w", encoding="utf-8") as f:
        for t in stack.telegram.messages:
            f.write(
                json.dumps({"message_id": t.message_id, "text": t.text}, ensure_ascii=False) + "\n"
            )
    return by_type, len(stack.telegram.messages)


@contextmanager
def telemetry_sinks(out: Path) -> Iterator[dict[str, str]]:
    """The real collector (local.yaml + inspect overlay) and its local destinations."""
    print("starting the OpenTelemetry Collector (ADOT layer components, collector/local.yaml) ...")
    with InspectedCollector(out) as running:
        yield running.lambda_env()


def run_demo(out: Path) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    bookings = read_bookings(SAMPLE_DAY)  # the file adapter, as a replay reads its inputs
    print(
        f"naver-sms demo: {len(bookings)} bookings for {DAY} "
        f"({SAMPLE_DAY.relative_to(REPO)}), artefacts in {out}"
    )
    with ExitStack() as stack_of:
        print("starting the local stack: moto server (DynamoDB, SSM), SENS, Telegram ...")
        stack = stack_of.enter_context(LocalStack(log_dir=out))
        telemetry = stack_of.enter_context(telemetry_sinks(out))
        proxies = Proxies(
            dynamodb=stack_of.enter_context(
                FaultProxy(stack.moto.endpoint_url, name="dynamodb-proxy")
            ),
            otlp=stack_of.enter_context(
                FaultProxy(telemetry["OTEL_EXPORTER_OTLP_ENDPOINT"], name="otlp-proxy")
            ),
        )
        env = lambda_env(stack, out, telemetry) | proxies.env()

        dry = invoke_phase("dry-run", day_events(bookings, DRY_RUN_TIMES), env, out)
        print_table("phase 1 — dry run (no approval yet: nothing leaves the process)", dry)
        print(f"  reason: {dry[0].get('result', {}).get('mode_reason')}")
        print(
            f"  local SENS received {len(stack.sens.messages)} SMS, Telegram "
            f"{len(stack.telegram.messages)} messages"
        )

        approval = stack.set_approval(
            "owner@demo.example", approved_at=datetime.now(UTC) - timedelta(minutes=1)
        )
        stack.set_switch("sms_sending", True)
        print(
            f"\nowner approval recorded in SSM {stack.approval_parameter}: "
            f"{json.dumps(approval)}; switch sms_sending=on"
        )

        inject_live_faults(stack, proxies)
        print(
            "faults: DynamoDB throttling, SENS 503/429/lost answer, Telegram 500 at 09:00; "
            "collector 503 at 11:00"
        )
        live = invoke_phase("live", day_events(bookings, LIVE_TIMES), env, out)
        print_table("phase 2 — live", live)
        by_type, telegrams = write_received(stack, out)
        throttled = write_aws_metrics(proxies.dynamodb, out)
        print(
            f"  local SENS received {sum(by_type.values())} SMS "
            f"({', '.join(f'{t} {n}' for t, n in sorted(by_type.items()))}); "
            f"Telegram {telegrams} messages; DynamoDB throttled {throttled} requests"
        )
        errors = [r["result"]["errors"] for r in live if r.get("result")]
        invalid = errors[-1] if errors else []
        if invalid:
            print("  bad bookings, reported and skipped at every run:")
            for e in invalid:
                print(f"    {e['where']}: {e['field']}: {e['reason']}")
        faulted = [e for e in (errors[0] if errors else []) if e not in invalid]
        if faulted:
            print("  failed at 09:00 by the injected faults (retried next run, or held):")
            for e in faulted:
                print(f"    {e['where']}: {e['field']}: {e['reason'][:110]}")
        campaign = run_campaign(env, out)
    write_ops_evidence(out)  # the collector has written emf.jsonl now
    print(f"\nartefacts in {out}:")
    for path in sorted(out.iterdir()):
        if path.is_file():
            print(f"  {path.name:<28}{path.stat().st_size:>10,} bytes")
    print(f"  campaign/: {', '.join(sorted(p.name for p in (out / 'campaign').iterdir()))}")
    print(f"\nopen the validation report: {out / 'campaign' / 'report.html'}")
    failures = [r for r in dry + live if "error" in r]
    return 1 if failures or campaign not in (0, 1) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the naver-sms demo on the local stack.")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "demo")
    args = parser.parse_args(argv)
    try:
        return run_demo(args.out.resolve())
    except KeyboardInterrupt:
        print("\ninterrupted: every process the demo started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
