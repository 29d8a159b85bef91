"""Build the Lambda deployment zip: naver_sms, its pinned runtime dependencies, collector/*.yaml.

Lambda unpacks the zip under /var/task, so `collector/config.yaml` at the zip's root is the file
`OPENTELEMETRY_COLLECTOR_CONFIG_URI=/var/task/collector/config.yaml` names (set by the function
module). Dependencies come from requirements/lambda.lock as wheels for the target architecture
and Python 3.12 (the function's runtime), whatever machine builds the zip.

    python infrastructure/package_lambda.py --arch arm64 --out build/naver-sms-lambda.zip
    python infrastructure/package_lambda.py --no-deps --out /tmp/code-only.zip   # offline
    # comparison mode in AWS: the legacy capture at /var/task/captures/legacy.jsonl
    python infrastructure/package_lambda.py \
        --include examples/legacy-capture-2026-11-20.jsonl=captures/legacy.jsonl
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "naver_sms"
LOCK = ROOT / "requirements" / "lambda.lock"
# Collector configurations the function module may select (collector_config variable);
# local.yaml is for development and stays out of the package.
COLLECTOR_CONFIGS = ("collector/config.yaml", "collector/otlp.yaml")
PLATFORMS = {"arm64": "aarch64-manylinux2014", "x86_64": "x86_64-manylinux2014"}
# A fixed timestamp so the same inputs give the same zip (and the same source_code_hash).
EPOCH = (2020, 1, 1, 0, 0, 0)


def _install_dependencies(target: Path, arch: str) -> None:
    uv = Path(sys.executable).with_name("uv")
    command = [
        str(uv) if uv.exists() else "uv",
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        "--python-platform",
        PLATFORMS[arch],
        "--python-version",
        "3.12",
        "--only-binary",
        ":all:",
        "--no-deps",  # the lock already lists every package
        "-r",
        str(LOCK),
    ]
    subprocess.run(command, check=True)


def _files(base: Path) -> list[tuple[Path, str]]:
    return [
        (path, path.relative_to(base).as_posix())
        for path in sorted(base.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())


def _include(spec: str) -> tuple[Path, str]:
    """`SOURCE=MEMBER`: a file of this machine, and where it goes in the zip (under /var/task)."""
    source, sep, member = spec.partition("=")
    path = Path(source)
    member = member.strip("/")
    if not sep or not member or ".." in Path(member).parts:
        raise SystemExit(f"package_lambda: --include {spec!r}: expected SOURCE=MEMBER (relative)")
    if not path.is_file():
        raise SystemExit(f"package_lambda: --include {spec!r}: {source} is not a file")
    return path, member


def build(
    out: Path, arch: str, with_dependencies: bool, includes: tuple[str, ...] = ()
) -> list[str]:
    """Write the zip; returns its member names."""
    entries: list[tuple[Path, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        if with_dependencies:
            deps = Path(scratch) / "deps"
            _install_dependencies(deps, arch)
            entries += _files(deps)
        entries += [(path, f"naver_sms/{name}") for path, name in _files(PACKAGE)]
        entries += [(ROOT / name, name) for name in COLLECTOR_CONFIGS]
        entries += [_include(spec) for spec in includes]
        names = [name for _, name in entries]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise SystemExit(f"package_lambda: duplicate members {duplicates[:5]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w") as archive:
            for path, name in sorted(entries, key=lambda entry: entry[1]):
                _add(archive, path, name)
        shutil.move(partial, out)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the naver-sms Lambda deployment zip.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "naver-sms-lambda.zip")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="arm64")
    parser.add_argument(
        "--no-deps", action="store_true", help="code and collector configs only (offline)"
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="SOURCE=MEMBER",
        help="add a file, e.g. a legacy capture for comparison mode (repeatable)",
    )
    args = parser.parse_args(argv)
    names = build(args.out, args.arch, not args.no_deps, tuple(args.include))
    size = args.out.stat().st_size
    print(f"package_lambda: wrote {args.out} ({len(names)} files, {size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
