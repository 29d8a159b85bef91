"""One virtualenv per variant family under `.venv-bench/<family>/` (git-ignored).

Powertools, the ADOT distro and the contrib instrumentations pin OpenTelemetry / protobuf
versions that conflict with naver-sms's, so each family gets its own environment made exactly
from a pinned requirements file (`uv pip sync`), plus naver-sms itself installed `--no-deps`
(as a built wheel, like a deployment package, not an editable install) for the real-handler
workload. The `naver-sms` family (baseline and naver-sms variants) is the deployed function's
own lock, `requirements/lambda.lock`.

Regenerate the pinned files after editing a `.in` file:
    cd benchmarks/requirements && ../../.venv/bin/uv pip compile <family>.in \
        -c constraints.txt -o <family>.txt --python-version 3.11
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv-bench"
REQUIREMENTS = Path(__file__).resolve().parent / "requirements"
UV = ROOT / ".venv" / "bin" / "uv"

LOCKS: dict[str, Path] = {
    "naver-sms": ROOT / "requirements" / "lambda.lock",
    "powertools": REQUIREMENTS / "powertools.txt",
    "adot-layer": REQUIREMENTS / "adot-layer.txt",
    "adot-distro": REQUIREMENTS / "adot-distro.txt",
}


@dataclass(frozen=True)
class Env:
    family: str
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name


def _run(args: list[str], quiet: bool = True) -> str:
    done = subprocess.run(args, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"command failed ({done.returncode}): {' '.join(args)}")
    return done.stdout


def build_wheel(out_dir: Path) -> Path:
    """naver-sms as a wheel, built once per run and installed into every family."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("naver_sms-*.whl"):
        old.unlink()
    _run([str(UV), "build", "--wheel", "--quiet", "--out-dir", str(out_dir), str(ROOT)])
    wheels = sorted(out_dir.glob("naver_sms-*.whl"))
    if not wheels:
        raise RuntimeError("uv build produced no naver_sms wheel")
    return wheels[-1]


def ensure(family: str, wheel: Path | None, log: bool = True) -> Env:
    """Create or refresh `.venv-bench/<family>` from its lock (a no-op when already in sync)."""
    lock = LOCKS[family]
    env = Env(family, VENVS / family)
    stamp = env.path / ".bench-lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not env.python.exists():
        if log:
            print(f"bench: creating {env.path.relative_to(ROOT)} from {lock.relative_to(ROOT)}")
        _run([str(UV), "venv", "--quiet", "--python", sys.executable, str(env.path)])
    if not stamp.exists() or stamp.read_text() != digest:
        if log:
            print(f"bench: syncing {env.path.relative_to(ROOT)} with {lock.relative_to(ROOT)}")
        _run([str(UV), "pip", "sync", "--quiet", "--python", str(env.python), str(lock)])
        stamp.write_text(digest)
    if wheel is not None:
        _run(
            [
                str(UV),
                "pip",
                "install",
                "--quiet",
                "--python",
                str(env.python),
                "--no-deps",
                "--reinstall-package",
                "naver-sms",
                str(wheel),
            ]
        )
    # Bytecode for everything, as a deployment package / layer ships it.
    _run([str(env.python), "-m", "compileall", "-q", "-j", "0", str(env.path / "lib")])
    return env


def versions(env: Env) -> dict[str, str]:
    """Every installed distribution and its version (for the report)."""
    out = _run([str(UV), "pip", "freeze", "--python", str(env.python)])
    pins: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pins[name.strip().lower()] = version.strip()
        elif " @ " in line:
            pins[line.split(" @ ")[0].strip().lower()] = "local wheel"
    return pins
