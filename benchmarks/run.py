"""`make bench`: every variant, same run, same machine, alternating order.

    .venv/bin/python -m benchmarks.run            # full run (~10 min on 2 cores)
    BENCH_QUICK=1 .venv/bin/python -m benchmarks.run   # a few minutes, fewer samples
    .venv/bin/python -m benchmarks.run --variants baseline --tiny --out /tmp/x  # harness smoke

Phases (each variant runs in its own process, in its own virtualenv, see :mod:`benchmarks.envs`):
1. cold start: fresh process, Lambda-like environment, time from spawn to the end of the first
   invocation, its flush included (one invocation per process, many processes per variant);
2. warm reference workload: per-invocation time over many invocations, and the peak RSS of
   the process after them (1,000 invocations in the full run);
3. the real handler over 20 bookings per invocation against the local stack (moto server,
   local SENS and Telegram), live mode (SMS really POSTed to the local SENS);
4. profiles of naver-sms: `-X importtime` (cold) and pyinstrument (warm).

Results: `benchmarks/results/latest.json` (raw samples) and `docs/benchmarks.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import envs, report, stats
from benchmarks.services import Collector, Downstream, PyReceiver, UdpSink

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BOOKINGS = ROOT / "examples" / "bookings-2026-11-20.json"
REAL_NOW = "2026-11-20T09:00:00+09:00"
FUNCTION = "naver-sms"
REGION = "ap-northeast-2"
LOG_STREAM = "2026/11/27/[$LATEST]0123456789abcdef"

# What the ADOT Python layer's otel-instrument disables unless OTEL_AWS_LAMBDA_FAST_START is set
# (aws-otel-python-instrumentation/lambda-layer/src/otel-instrument), plus aws-lambda, which its
# otel_wrapper instruments itself.
ADOT_DISABLED = (
    "aio-pika,aiohttp-client,aiohttp-server,aiopg,asgi,asyncio,asyncpg,boto,boto3,cassandra,"
    "celery,confluent_kafka,dbapi,django,falcon,fastapi,flask,grpc_client,grpc_server,"
    "grpc_aio_client,grpc_aio_server,httpx,jinja2,kafka,logging,mysql,mysqlclient,pika,psycopg,"
    "psycopg2,pymemcache,pymongo,pymysql,pyramid,redis,remoulade,requests,sklearn,sqlalchemy,"
    "sqlite3,starlette,system_metrics,threading,tornado,tortoiseorm,wsgi,openai_agents,"
    "aws_openai_agents,aws_crewai,aws_langchain,aws_mcp,aws_llama-index,aws-lambda"
)


@dataclass(frozen=True)
class Variant:
    name: str
    family: str
    ref: str
    real: str
    description: str
    diagnostic: bool = False

    @property
    def auto_instrumented(self) -> bool:
        """Runs under a layer's `opentelemetry-instrument` (the ADOT variants, and naver-sms
        deployed with the ADOT layer)."""
        return self.family.startswith("adot")


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "baseline",
        "naver-sms",
        "benchmarks.variants.ref_baseline.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "no telemetry: stdlib logging (real handler: NAVER_SMS_TELEMETRY=off)",
    ),
    Variant(
        "naver-sms",
        "naver-sms",
        "benchmarks.variants.ref_naver_sms.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "naver-sms telemetry on the OpenTelemetry SDK, OTLP/HTTP (JSON) to the collector on "
        "loopback, flush every invocation",
    ),
    Variant(
        "naver-sms-emf",
        "naver-sms",
        "benchmarks.variants.ref_naver_sms.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "naver-sms fast mode: spans OTLP/HTTP to the collector, metrics as EMF on stdout "
        "(OTEL_METRICS_EXPORTER=emf)",
    ),
    Variant(
        "naver-sms-noexport",
        "naver-sms",
        "benchmarks.variants.ref_naver_sms.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "diagnostic: naver-sms with OTEL_*_EXPORTER=none (instrumentation cost, no export)",
        diagnostic=True,
    ),
    Variant(
        "naver-sms-xray",
        "naver-sms",
        "benchmarks.variants.ref_naver_sms.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "naver-sms collector-less mode: spans as OTLP datagrams to the X-Ray daemon address "
        "(OTEL_TRACES_EXPORTER=xray_udp), metrics as EMF on stdout (OTEL_METRICS_EXPORTER=emf)",
    ),
    Variant(
        "naver-sms-adot",
        "adot-layer",
        "benchmarks.variants.ref_naver_sms.handler",
        "benchmarks.variants.real_naver_sms.handler",
        "naver-sms under the ADOT layer wrapper: the adot-layer style's opentelemetry-instrument "
        "(aws-lambda, botocore, urllib) with naver-sms's telemetry on, joining the layer's "
        "providers",
    ),
    Variant(
        "powertools",
        "powertools",
        "benchmarks.variants.ref_powertools.handler",
        "benchmarks.variants.real_powertools.handler",
        "Powertools Logger + Metrics (EMF) + Tracer, X-Ray UDP to a local sink",
    ),
    Variant(
        "adot-layer",
        "adot-layer",
        "benchmarks.variants.ref_otel_api.handler",
        "benchmarks.variants.real_otel_api.handler",
        "opentelemetry-instrument (aws-lambda, botocore, urllib), OTLP/HTTP to the collector",
    ),
    Variant(
        "adot-distro",
        "adot-distro",
        "benchmarks.variants.ref_otel_api.handler",
        "benchmarks.variants.real_otel_api.handler",
        "aws-opentelemetry-distro, Lambda configuration: spans OTLP/UDP, metrics EMF on stdout",
    ),
)


@dataclass
class Config:
    cold_runs: int
    warm_rounds: int
    warm_invocations: int
    warm_discard: int
    real_rounds: int
    real_invocations: int
    bookings_per_invocation: int
    profile: bool
    mode: str


FULL = Config(30, 3, 1000, 50, 3, 15, 20, True, "full")
QUICK = Config(8, 1, 300, 30, 1, 5, 20, True, "quick")
TINY = Config(2, 1, 30, 5, 1, 2, 20, False, "tiny")


@dataclass
class World:
    downstream: Downstream
    udp: UdpSink
    receiver: Collector | PyReceiver
    stack: Any | None
    work: Path
    envs: dict[str, envs.Env]
    log: list[dict[str, Any]] = field(default_factory=list)


def alternate(items: tuple[Variant, ...], index: int) -> list[Variant]:
    """Round `index`'s order: rotated by the round, reversed on odd rounds."""
    shift = index % len(items)
    order = list(items[shift:] + items[:shift])
    return order[::-1] if index % 2 else order


def lambda_env(world: World) -> dict[str, str]:
    """What the Lambda runtime sets for every function (plus PYTHONPATH to find the harness)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": str(ROOT),
        "LAMBDA_TASK_ROOT": str(ROOT),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION}",
        "AWS_LAMBDA_LOG_STREAM_NAME": LOG_STREAM,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_XRAY_DAEMON_ADDRESS": world.udp.address,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": f"Root=1-00000000-{'0' * 24};Parent={'0' * 16};Sampled=1",
    }


def variant_env(variant: Variant, workload: str, world: World) -> tuple[list[str], dict[str, str]]:
    """The command and environment of one variant's process, as its layer / docs set them up."""
    env = lambda_env(world)
    handler = variant.ref if workload == "ref" else variant.real
    if workload == "ref":
        env["BENCH_DOWNSTREAM_URL"] = world.downstream.url
    else:
        assert world.stack is not None
        env.update(world.stack.env())
        env["SMS_SENDING_ENABLED"] = "true"
    python = str(world.envs[variant.family].python)
    command = [python, "-m", "benchmarks.runner"]
    env["_HANDLER"] = handler
    if variant.name == "baseline" and workload == "real":
        env["NAVER_SMS_TELEMETRY"] = "off"
    elif variant.name.startswith("naver-sms") and not variant.auto_instrumented:
        env["OTEL_SERVICE_NAME"] = FUNCTION
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = world.receiver.endpoint
        if variant.name in ("naver-sms-emf", "naver-sms-xray"):
            env["OTEL_METRICS_EXPORTER"] = "emf"
        if variant.name == "naver-sms-xray":
            env["OTEL_TRACES_EXPORTER"] = "xray_udp"
        if variant.name == "naver-sms-noexport":
            env["OTEL_TRACES_EXPORTER"] = "none"
            env["OTEL_METRICS_EXPORTER"] = "none"
    elif variant.name == "powertools":
        env["POWERTOOLS_SERVICE_NAME"] = FUNCTION
        env["POWERTOOLS_METRICS_NAMESPACE"] = FUNCTION
        if workload == "real":
            env["NAVER_SMS_TELEMETRY"] = "off"
    elif variant.auto_instrumented:
        if workload == "real" and variant.name != "naver-sms-adot":
            env["NAVER_SMS_TELEMETRY"] = "off"
        resource = (
            f"cloud.region={REGION},cloud.provider=aws,faas.name={FUNCTION},"
            f"faas.version=$LATEST,faas.instance={LOG_STREAM}"
        )
        env["OTEL_SERVICE_NAME"] = FUNCTION
        env["ORIG_HANDLER"] = handler
        command = [str(world.envs[variant.family].bin("opentelemetry-instrument")), *command]
        if variant.family == "adot-layer":
            # opentelemetry-lambda python/src/otel/otel_sdk/otel-instrument
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf"
            env["OTEL_PROPAGATORS"] = "tracecontext,baggage,xray"
            env["OTEL_RESOURCE_ATTRIBUTES"] = resource
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = world.receiver.endpoint
            env["OTEL_TRACES_EXPORTER"] = "otlp"
            env["OTEL_METRICS_EXPORTER"] = "otlp"
            env["OTEL_LOGS_EXPORTER"] = "none"
            env["_HANDLER"] = "benchmarks.layers.otel_wrapper.lambda_handler"
        else:
            # aws-otel-python-instrumentation lambda-layer/src/otel-instrument, with metrics
            # switched to EMF on stdout (OTEL_METRICS_EXPORTER=awsemf; the layer default is none).
            env["OTEL_RESOURCE_ATTRIBUTES"] = (
                resource.replace(
                    "cloud.provider=aws", "cloud.platform=aws_lambda,cloud.provider=aws"
                )
                + f",aws.log.group.names=/aws/lambda/{FUNCTION}"
            )
            env["OTEL_PROPAGATORS"] = "baggage,xray,tracecontext"
            env["OTEL_AWS_APPLICATION_SIGNALS_RUNTIME_ENABLED"] = "false"
            env["OTEL_METRICS_EXPORTER"] = "awsemf"
            env["OTEL_LOGS_EXPORTER"] = "none"
            env["OTEL_AWS_LAMBDA_FAST_START"] = "false"
            env["OTEL_AWS_APPLICATION_SIGNALS_ENABLED"] = "true"
            env["OTEL_PYTHON_DISTRO"] = "aws_distro"
            env["OTEL_PYTHON_CONFIGURATOR"] = "aws_configurator"
            env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = ADOT_DISABLED
            env["OTEL_EXPORTER_OTLP_LOGS_HEADERS"] = f"x-aws-metric-namespace={FUNCTION}"
            env["_HANDLER"] = "benchmarks.layers.adot_otel_wrapper.lambda_handler"
    return command, env


def spawn(
    world: World,
    variant: Variant,
    workload: str,
    invocations: int,
    tag: str,
    extra_args: tuple[str, ...] = (),
    bookings: int = 20,
) -> dict[str, Any]:
    """Run one variant process to completion; its result plus what it emitted."""
    command, env = variant_env(variant, workload, world)
    if extra_args:
        command = [*command[:-2], *extra_args, *command[-2:]]
    result_path = world.work / f"{tag}.json"
    spec = {
        "workload": "real" if workload == "real" else "ref",
        "invocations": invocations,
        "result": str(result_path),
        "bookings": str(BOOKINGS),
        "bookings_per_invocation": bookings,
        "now": REAL_NOW,
        "run_id": tag,
    }
    env["BENCH_SPEC"] = json.dumps(spec)
    out_path = world.work / f"{tag}.stdout"
    err_path = world.work / f"{tag}.stderr"
    udp_before = world.udp.snapshot()
    received_before = world.receiver.received()
    downstream_before = dict(world.downstream.counts)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        env["BENCH_SPAWN_NS"] = str(time.monotonic_ns())
        done = subprocess.run(
            command, env=env, cwd=ROOT, stdout=out, stderr=err, timeout=600, check=False
        )
    if done.returncode != 0 or not result_path.exists():
        tail = err_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{variant.name} ({workload}) failed rc={done.returncode}:\n{tail}")
    result: dict[str, Any] = json.loads(result_path.read_text())
    time.sleep(0.05)  # let the UDP sink drain the last datagrams
    udp_after = world.udp.snapshot()
    received_after = world.receiver.received()
    lines = out_path.read_text(errors="replace").splitlines()
    result["emitted"] = {
        "stdout_lines": len(lines),
        "emf_documents": sum(1 for line in lines if '"_aws"' in line),
        "udp_datagrams": udp_after[0] - udp_before[0],
        "udp_bytes": udp_after[1] - udp_before[1],
        "otlp": {k: received_after.get(k, 0) - received_before.get(k, 0) for k in received_after},
        "downstream_requests": sum(world.downstream.counts.values())
        - sum(downstream_before.values()),
        "stderr_lines": len(err_path.read_text(errors="replace").splitlines()),
    }
    if not os.environ.get("BENCH_KEEP_LOGS"):
        out_path.unlink(missing_ok=True)
    return result


class Driven:
    """A variant process that runs invocations in batches on command (see runner.py)."""

    def __init__(self, world: World, variant: Variant, workload: str, tag: str, bookings: int):
        self.world, self.variant, self.tag = world, variant, tag
        command, env = variant_env(variant, workload, world)
        read_fd, write_fd = os.pipe()
        self.result_path = world.work / f"{tag}.json"
        self.out_path = world.work / f"{tag}.stdout"
        self.err_path = world.work / f"{tag}.stderr"
        env["BENCH_SPEC"] = json.dumps(
            {
                "workload": "real" if workload == "real" else "ref",
                "invocations": 0,
                "result": str(self.result_path),
                "bookings": str(BOOKINGS),
                "bookings_per_invocation": bookings,
                "now": REAL_NOW,
                "run_id": tag,
                "reply_fd": write_fd,
            }
        )
        self.emitted: dict[str, Any] = {
            "udp_datagrams": 0,
            "udp_bytes": 0,
            "otlp": {},
            "downstream_requests": 0,
        }
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            env["BENCH_SPAWN_NS"] = str(time.monotonic_ns())
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                pass_fds=(write_fd,),
                text=True,
            )
        os.close(write_fd)
        self.reply = os.fdopen(read_fd, "r")
        self._expect("ready")

    def _expect(self, word: str) -> None:
        line = self.reply.readline().strip()
        if line != word:
            self.process.kill()
            tail = self.err_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.variant.name}: expected {word!r}, got {line!r}:\n{tail}")

    def run(self, count: int) -> None:
        world = self.world
        udp0, otlp0 = world.udp.snapshot(), world.receiver.received()
        down0 = sum(world.downstream.counts.values())
        assert self.process.stdin is not None
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        self._expect("ok")
        time.sleep(0.02)  # let the UDP sink drain
        udp1, otlp1 = world.udp.snapshot(), world.receiver.received()
        self.emitted["udp_datagrams"] += udp1[0] - udp0[0]
        self.emitted["udp_bytes"] += udp1[1] - udp0[1]
        for key, value in otlp1.items():
            self.emitted["otlp"][key] = self.emitted["otlp"].get(key, 0) + value - otlp0.get(key, 0)
        self.emitted["downstream_requests"] += sum(world.downstream.counts.values()) - down0

    def finish(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write("end\n")
        self.process.stdin.close()
        self.process.wait(timeout=120)
        self.reply.close()
        if self.process.returncode != 0 or not self.result_path.exists():
            tail = self.err_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.variant.name} failed rc={self.process.returncode}:\n{tail}")
        result: dict[str, Any] = json.loads(self.result_path.read_text())
        lines = self.out_path.read_text(errors="replace").splitlines()
        self.emitted["stdout_lines"] = len(lines)
        self.emitted["emf_documents"] = sum(1 for line in lines if '"_aws"' in line)
        self.emitted["stderr_lines"] = len(self.err_path.read_text(errors="replace").splitlines())
        result["emitted"] = self.emitted
        if not os.environ.get("BENCH_KEEP_LOGS"):
            self.out_path.unlink(missing_ok=True)
        return result


def interleaved(
    world: World,
    variants: tuple[Variant, ...],
    workload: str,
    warmup: int,
    batches: list[int],
    tag: str,
    bookings: int = 20,
) -> dict[str, list[dict[str, Any]]]:
    """One process per variant; batches run round-robin, order alternating every round."""
    procs: dict[str, Driven] = {}
    try:
        for v in variants:
            procs[v.name] = Driven(world, v, workload, f"{tag}-{v.name}", bookings)
        for v in variants:
            if warmup:
                procs[v.name].run(warmup)
        for index, count in enumerate(batches):
            for v in alternate(variants, index):
                procs[v.name].run(count)
        return {name: [proc.finish()] for name, proc in procs.items()}
    except BaseException:
        for proc in procs.values():
            if proc.process.poll() is None:
                proc.process.kill()
        raise


def _progress(message: str) -> None:
    print(f"bench [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def phase_cold(
    world: World, variants: tuple[Variant, ...], cfg: Config
) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {v.name: [] for v in variants}
    for v in variants:  # warm the page cache and bytecode; not recorded
        spawn(world, v, "ref", 1, f"cold-warmup-{v.name}")
    for index in range(cfg.cold_runs):
        for v in alternate(variants, index):
            samples[v.name].append(spawn(world, v, "ref", 1, f"cold-{index}-{v.name}"))
        if index % 5 == 4 or index == cfg.cold_runs - 1:
            _progress(f"cold start: {index + 1}/{cfg.cold_runs} rounds")
    return samples


def phase_warm(
    world: World, variants: tuple[Variant, ...], cfg: Config
) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {v.name: [] for v in variants}
    batch = 50
    count = cfg.warm_invocations - cfg.warm_discard
    batches = [batch] * (count // batch) + ([count % batch] if count % batch else [])
    for index in range(cfg.warm_rounds):
        done = interleaved(world, variants, "ref", cfg.warm_discard, batches, f"warm-{index}")
        for name, procs in done.items():
            samples[name].extend(procs)
        _progress(f"warm reference workload: {index + 1}/{cfg.warm_rounds} rounds")
    return samples


def phase_real(
    world: World, variants: tuple[Variant, ...], cfg: Config
) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {v.name: [] for v in variants}
    for index in range(cfg.real_rounds):
        done = interleaved(
            world,
            variants,
            "real",
            1,
            [1] * (cfg.real_invocations - 1),
            f"real-{index}",
            bookings=cfg.bookings_per_invocation,
        )
        for name, procs in done.items():
            samples[name].extend(procs)
        _progress(f"real handler: {index + 1}/{cfg.real_rounds} rounds")
    return samples


def source_state() -> dict[str, Any]:
    """Which naver-sms was measured: the commit, and whether src/ differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_uncommitted_changes": bool(git("status", "--porcelain", "--", "src")),
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError, IndexError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average_at_start": list(os.getloadavg()),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (also BENCH_QUICK=1)")
    parser.add_argument("--tiny", action="store_true", help="a few seconds: harness smoke test")
    parser.add_argument("--variants", help="comma list (default: all)")
    parser.add_argument("--phases", default="cold,warm,real", help="comma list of cold,warm,real")
    parser.add_argument("--out", type=Path, help="write results here instead of the repo")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--skip-install",
        action="store_true",
        help="use the existing .venv-bench environments as they are",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="run the naver-sms family in this interpreter's environment (smoke test only)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = TINY if args.tiny else QUICK if (args.quick or os.environ.get("BENCH_QUICK")) else FULL
    wanted = set(args.variants.split(",")) if args.variants else None
    variants = tuple(v for v in VARIANTS if wanted is None or v.name in wanted)
    if not variants:
        raise SystemExit(f"no such variant in {[v.name for v in VARIANTS]}")
    phases = set(args.phases.split(","))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="naver-sms-bench-"))
    _progress(f"mode {cfg.mode}; variants {', '.join(v.name for v in variants)}; work dir {work}")

    families = sorted({v.family for v in variants})
    if args.in_place:
        if families != ["naver-sms"]:
            raise SystemExit("--in-place only runs the naver-sms family (baseline, naver-sms)")
        environments = {"naver-sms": envs.Env("naver-sms", Path(sys.prefix))}
    else:
        wheel = None if args.skip_install else envs.build_wheel(work / "wheel")
        environments = {
            f: envs.ensure(f, wheel) if wheel else envs.Env(f, envs.VENVS / f) for f in families
        }
    for env in environments.values():
        if not env.python.exists():
            raise SystemExit(f"{env.path} is missing; run without --skip-install")
    versions = {f: envs.versions(e) for f, e in environments.items()}
    _progress("environments ready")

    downstream, udp = Downstream(), UdpSink()
    receiver: Collector | PyReceiver
    if envs.ROOT.joinpath("collector/_build/otelcol/otelcol-adot-lambda").exists():
        receiver = Collector(work / "collector.log")
    else:
        receiver = PyReceiver()
    stack = None
    results: dict[str, Any] = {}
    try:
        downstream.start()
        udp.start()
        receiver.start()
        if "real" in phases:
            from naver_sms.devstack.stack import LocalStack  # noqa: PLC0415

            stack = LocalStack(log_dir=work, handle_signals=True)
            stack.start()
            stack.set_switch("sms_sending", True)
            stack.set_approval("bench@example.com")
        world = World(downstream, udp, receiver, stack, work, environments)
        if "cold" in phases:
            results["cold"] = phase_cold(world, variants, cfg)
        if "warm" in phases:
            results["warm"] = phase_warm(world, variants, cfg)
        if "real" in phases:
            results["real"] = phase_real(world, variants, cfg)
        profiles: dict[str, Any] = {}
        if cfg.profile and not args.no_profile and any(v.name == "naver-sms" for v in variants):
            from benchmarks import profiling  # noqa: PLC0415

            baseline = next(v for v in VARIANTS if v.name == "baseline")
            naver = next(v for v in VARIANTS if v.name == "naver-sms")
            profiles = profiling.run(world, baseline, naver, variant_env)
            from benchmarks import microbench  # noqa: PLC0415

            _, naver_env = variant_env(naver, "ref", world)
            profiles["cost_model"] = microbench.run(
                world.envs["naver-sms"].python, naver_env, world.work
            )
            if "adot-distro" in world.envs:
                profiles["adot_distro_footprint"] = microbench.distro_footprint(
                    world.envs["adot-distro"].python, world.work
                )
            _progress("profiles done")
    finally:
        footprint = receiver.footprint() if isinstance(receiver, Collector) else {}
        if stack is not None:
            stack.stop()
        receiver.stop()
        udp.stop()
        downstream.stop()

    summary = stats.summarise(results, variants, cfg)
    document = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": cfg.mode,
        "config": cfg.__dict__,
        "duration_s": round(time.monotonic() - started, 1),
        "machine": machine(),
        "source": source_state(),
        "receiver": receiver.description,
        "collector_footprint": footprint,
        "variants": {
            v.name: {"family": v.family, "description": v.description, "diagnostic": v.diagnostic}
            for v in variants
        },
        "versions": versions,
        "summary": summary,
        "profiles": profiles,
    }
    out_dir = args.out or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "latest.json"
    json_path.write_text(json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8")
    # Every sample (per-invocation times, per-process figures), compact: one line per process.
    samples_path = out_dir / "latest-samples.jsonl"
    with samples_path.open("w", encoding="utf-8") as samples:
        for phase, per_variant in results.items():
            for name, processes in per_variant.items():
                for process in processes:
                    proc = {
                        **process,
                        "invocation_ms": [round(x, 4) for x in process["invocation_ms"]],
                        "invocation_cpu_ms": [
                            round(x, 4) for x in process.get("invocation_cpu_ms", [])
                        ],
                    }
                    samples.write(
                        json.dumps({"phase": phase, "variant": name, **proc}, default=str) + "\n"
                    )
    md_path = (args.out / "benchmarks.md") if args.out else ROOT / "docs" / "benchmarks.md"
    md_path.write_text(report.render(document, json_path), encoding="utf-8")
    _progress(f"wrote {json_path} and {md_path} in {document['duration_s']} s")
    print(report.console(document))
    if not os.environ.get("BENCH_KEEP_LOGS"):
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
