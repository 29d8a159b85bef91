"""``naver-sms alarms simulate``: the deployed alarms replayed over a run's EMF datapoints.

Exit 0 with the transitions; 2 when an input is unreadable, Terraform cannot evaluate the
module, or an alarm uses something the simulation cannot evaluate exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final, TextIO

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2


def parse_variables(pairs: list[str] | None) -> dict[str, object]:
    """``--var NAME=VALUE``: a JSON value (list, number, object) as such, else the text."""
    variables: dict[str, object] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--var {pair!r}: expected NAME=VALUE")
        try:
            variables[name] = json.loads(value)
        except ValueError:
            variables[name] = value
    return variables


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    from naver_sms.ops.alarms.datapoints import DatapointError  # noqa: PLC0415
    from naver_sms.ops.alarms.definitions import AlarmDefinitionError  # noqa: PLC0415
    from naver_sms.ops.alarms.evaluation import SimulationError  # noqa: PLC0415
    from naver_sms.ops.alarms.report import text_report, write_notifications  # noqa: PLC0415
    from naver_sms.ops.alarms.simulation import run_simulation  # noqa: PLC0415
    from naver_sms.ops.terraform_values import TerraformError  # noqa: PLC0415

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        report = run_simulation(
            [Path(p) for p in args.emf],
            logs=[Path(p) for p in args.logs or []],
            aws_metrics=[Path(p) for p in args.aws_metrics or []],
            module=Path(args.terraform) if args.terraform else None,
            variables=parse_variables(args.var),
        )
    except (
        DatapointError,
        AlarmDefinitionError,
        SimulationError,
        TerraformError,
        ValueError,
    ) as exc:
        err.write(f"naver-sms alarms simulate: {exc}\n")
        return EXIT_INVALID
    if args.notifications:
        write_notifications(report, Path(args.notifications))
    if args.format == "json":
        out.write(json.dumps(report.transitions(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(text_report(report))
    return EXIT_OK
