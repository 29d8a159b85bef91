"""``naver-sms dashboard render --emf EMF.jsonl --out DIR``: the deployed dashboard from a run's
data, as DIR/dashboard.html and DIR/dashboard.png. Exit 2 on unusable input or a missing
browser; the widgets without data are listed on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final, TextIO

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    from naver_sms.ops.alarms.command import parse_variables  # noqa: PLC0415
    from naver_sms.ops.alarms.datapoints import DatapointError  # noqa: PLC0415
    from naver_sms.ops.alarms.definitions import AlarmDefinitionError  # noqa: PLC0415
    from naver_sms.ops.alarms.evaluation import SimulationError  # noqa: PLC0415
    from naver_sms.ops.dashboard.render import render_dashboard  # noqa: PLC0415
    from naver_sms.ops.screenshot import ScreenshotUnavailable  # noqa: PLC0415
    from naver_sms.ops.terraform_values import TerraformError  # noqa: PLC0415

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        rendered = render_dashboard(
            Path(args.out),
            [Path(p) for p in args.emf],
            logs=[Path(p) for p in args.logs or []],
            aws_metrics=[Path(p) for p in args.aws_metrics or []],
            module=Path(args.terraform) if args.terraform else None,
            variables=parse_variables(args.var),
            png=not args.no_png,
        )
    except (
        DatapointError,
        AlarmDefinitionError,
        SimulationError,
        TerraformError,
        ScreenshotUnavailable,
        ValueError,
    ) as exc:
        err.write(f"naver-sms dashboard render: {exc}\n")
        return EXIT_INVALID
    out.write(f"wrote {rendered.html_path}\n")
    if rendered.png_path is not None:
        out.write(f"wrote {rendered.png_path}\n")
    if rendered.shot is not None and (rendered.shot.errors or not rendered.shot.offline):
        err.write(f"naver-sms dashboard render: the page misbehaved: {rendered.shot.errors}\n")
        return EXIT_INVALID
    for widget in rendered.empty_widgets:
        err.write(f"naver-sms dashboard render: no data for {widget}\n")
    return EXIT_OK
