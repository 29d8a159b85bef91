"""Where naver-sms's cold start and warm invocation time goes.

- Cold: `python -X importtime` of the naver-sms and baseline reference handlers in the
  naver-sms bench environment; the modules only naver-sms imports, by self time and grouped
  by package, are its import cost. pyinstrument over the import + first invocation as well.
- Warm: pyinstrument over a few hundred reference invocations (in the project's .venv, which
  has the same runtime versions as the deployed lock plus pyinstrument): the top frames, and
  how much of the invocation the end-of-invocation flush takes.

`run()` is called by :mod:`benchmarks.run`; `python -m benchmarks.profiling` is the child.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAIN_PYTHON = ROOT / ".venv" / "bin" / "python"
IMPORTTIME_RUNS = 5


def parse_importtime(text: str) -> dict[str, tuple[int, int]]:
    """module -> (self us, cumulative us) from `-X importtime` output."""
    modules: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        try:
            self_us, cumulative_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        modules[parts[2].strip()] = (self_us, cumulative_us)
    return modules


def _group(module: str) -> str:
    parts = module.split(".")
    if parts[0] in ("opentelemetry", "google", "naver_sms") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def _importtime(
    world: Any, variant: Any, variant_env: Callable[..., Any]
) -> list[dict[str, tuple[int, int]]]:
    runs = []
    for index in range(IMPORTTIME_RUNS):
        command, env = variant_env(variant, "ref", world)
        result = world.work / f"importtime-{variant.name}-{index}.json"
        env["BENCH_SPEC"] = json.dumps({"workload": "ref", "invocations": 1, "result": str(result)})
        env["BENCH_SPAWN_NS"] = str(time.monotonic_ns())
        command = [command[0], "-X", "importtime", *command[1:]]
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"importtime run failed: {done.stderr[-2000:]}")
        runs.append(parse_importtime(done.stderr))
    return runs


def _median_modules(runs: list[dict[str, tuple[int, int]]]) -> dict[str, tuple[float, float]]:
    names = set().union(*runs)
    out = {}
    for name in names:
        selfs = [r[name][0] for r in runs if name in r]
        cums = [r[name][1] for r in runs if name in r]
        out[name] = (statistics.median(selfs), statistics.median(cums))
    return out


def importtime_report(
    base_runs: list[dict[str, tuple[int, int]]], ours_runs: list[dict[str, tuple[int, int]]]
) -> dict[str, Any]:
    base = _median_modules(base_runs)
    ours = _median_modules(ours_runs)
    extra = {name: value for name, value in ours.items() if name not in base}
    groups: dict[str, float] = {}
    for name, (self_us, _) in extra.items():
        groups[_group(name)] = groups.get(_group(name), 0.0) + self_us
    top = sorted(extra.items(), key=lambda item: item[1][0], reverse=True)[:20]
    return {
        "runs": len(ours_runs),
        "baseline_total_self_ms": sum(v[0] for v in base.values()) / 1000,
        "naver_sms_total_self_ms": sum(v[0] for v in ours.values()) / 1000,
        "extra_modules": len(extra),
        "extra_self_ms": sum(v[0] for v in extra.values()) / 1000,
        "by_package_ms": dict(
            sorted(((k, v / 1000) for k, v in groups.items()), key=lambda kv: kv[1], reverse=True)[
                :15
            ]
        ),
        "top_modules_ms": [
            {"module": name, "self_ms": s / 1000, "cumulative_ms": c / 1000} for name, (s, c) in top
        ],
    }


def _pyinstrument(
    world: Any, naver: Any, variant_env: Callable[..., Any], mode: str
) -> dict[str, Any]:
    _, env = variant_env(naver, "ref", world)
    out = world.work / f"pyinstrument-{mode}.json"
    env["BENCH_PROFILE"] = json.dumps({"mode": mode, "out": str(out), "invocations": 400})
    done = subprocess.run(
        [str(MAIN_PYTHON), "-m", "benchmarks.profiling"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        return {"error": done.stderr[-2000:]}
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def run(world: Any, baseline: Any, naver: Any, variant_env: Callable[..., Any]) -> dict[str, Any]:
    profiles: dict[str, Any] = {}
    profiles["importtime"] = importtime_report(
        _importtime(world, baseline, variant_env), _importtime(world, naver, variant_env)
    )
    if MAIN_PYTHON.exists():
        profiles["pyinstrument_cold"] = _pyinstrument(world, naver, variant_env, "cold")
        profiles["pyinstrument_warm"] = _pyinstrument(world, naver, variant_env, "warm")
    return profiles


# --- child side ------------------------------------------------------------------------------


def _frame_totals(
    frame: Any, totals: dict[str, float], selfs: dict[str, float], parent: str = "?"
) -> None:
    """Total time per frame, and self time (pyinstrument's synthetic `[self]` leaves and
    real leaves count for the frame that owns them)."""
    if frame.is_synthetic:
        selfs[parent] = selfs.get(parent, 0.0) + frame.time
        return
    key = f"{frame.function} ({Path(frame.file_path or '?').name}:{frame.line_no})"
    totals[key] = totals.get(key, 0.0) + frame.time
    if not frame.children:
        selfs[key] = selfs.get(key, 0.0) + frame.time
    for child in frame.children:
        _frame_totals(child, totals, selfs, key)


def _summarise(profiler: Any, invocations: int) -> dict[str, Any]:
    from pyinstrument.renderers import ConsoleRenderer  # noqa: PLC0415

    session = profiler.last_session
    root = session.root_frame()
    totals: dict[str, float] = {}
    selfs: dict[str, float] = {}
    if root is not None:
        _frame_totals(root, totals, selfs)
    total = session.duration
    flush = sum(t for k, t in totals.items() if k.startswith("_flush (handler.py"))
    text = profiler.output(
        ConsoleRenderer(unicode=False, color=False, show_all=False, short_mode=True)
    )
    return {
        "duration_s": total,
        "invocations": invocations,
        "flush_share": flush / total if total else None,
        "flush_ms_per_invocation": flush * 1000 / invocations if invocations else None,
        "top_self": [
            {"frame": k, "ms": v * 1000}
            for k, v in sorted(selfs.items(), key=lambda kv: kv[1], reverse=True)[:15]
        ],
        "tree": "\n".join(text.splitlines()[:80]),
    }


def child() -> None:
    import importlib  # noqa: PLC0415

    from pyinstrument import Profiler  # noqa: PLC0415

    from benchmarks.runner import LambdaContext, trace_header  # noqa: PLC0415

    spec = json.loads(os.environ["BENCH_PROFILE"])
    module_name, _, attr = os.environ["_HANDLER"].rpartition(".")
    if spec["mode"] == "cold":
        profiler = Profiler(interval=0.0002)
        profiler.start()
        handler = getattr(importlib.import_module(module_name), attr)
        os.environ["_X_AMZN_TRACE_ID"] = trace_header()
        handler({}, LambdaContext())
        profiler.stop()
        result = _summarise(profiler, 1)
    else:
        handler = getattr(importlib.import_module(module_name), attr)
        for _ in range(30):
            os.environ["_X_AMZN_TRACE_ID"] = trace_header()
            handler({}, LambdaContext())
        profiler = Profiler(interval=0.0002)
        count = int(spec["invocations"])
        profiler.start()
        for _ in range(count):
            os.environ["_X_AMZN_TRACE_ID"] = trace_header()
            handler({}, LambdaContext())
        profiler.stop()
        result = _summarise(profiler, count)
    Path(spec["out"]).write_text(json.dumps(result), encoding="utf-8")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    child()
