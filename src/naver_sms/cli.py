"""The ``naver-sms`` console script.

Each subcommand registers its arguments here and imports its implementation only when run,
so ``naver-sms --help`` stays instant and one subcommand's dependencies never load for another.
Add a subcommand: write ``_add_<name>(subparsers)`` setting ``handler`` to a ``"module:function"``
path whose function takes the parsed ``argparse.Namespace`` and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from naver_sms import __version__


def _add_compare(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare a legacy capture with a new one (docs/comparison.md)",
        description="Compare two capture files booking by booking, as "
        "spec/capture-format.md defines. Exit 0 when the comparison ran, 1 with "
        "--fail-on-discrepancy and discrepancies, 2 on an invalid capture or no bookings.",
    )
    parser.add_argument("old", help="legacy capture (JSON Lines)")
    parser.add_argument("new", help="new Lambda capture (JSON Lines)")
    parser.add_argument("--json", metavar="REPORT.json", help="write the JSON report here")
    parser.add_argument("--html", metavar="REPORT.html", help="write the HTML report here")
    parser.add_argument(
        "--fail-on-discrepancy", action="store_true", help="exit 1 when there are discrepancies"
    )
    parser.add_argument(
        "--skip-invalid", action="store_true", help="skip invalid lines, count them"
    )
    parser.add_argument(
        "--show", type=int, default=20, metavar="N", help="records shown on stdout (default 20)"
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="index both files in this process (default: in parallel for large files)",
    )
    parser.set_defaults(handler="naver_sms.comparison.command:run_compare")


def _add_docs(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from naver_sms_tools import docs_gen  # noqa: PLC0415 - light; only its options

    parser = subparsers.add_parser(
        "docs", help="generate or check docs/telemetry.md from the telemetry catalog"
    )
    docs_gen.add_arguments(parser)
    parser.set_defaults(handler="naver_sms_tools.docs_gen:run")


def _add_replay(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="the validation campaign: replay captured invocations, compare with the legacy",
        description="Replay captured invocations (JSON Lines of {now, bookings}) through the "
        "new Lambda handler on the embedded local stack in comparison mode (dry run), compare "
        "with the legacy capture and write report.json, report.html, VALIDATION.md, "
        "capture.jsonl and logs.jsonl into OUT. Exit codes as `compare`.",
    )
    parser.add_argument("bookings", help="captured invocations (JSON Lines)")
    parser.add_argument("--legacy", required=True, help="legacy capture (JSON Lines)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--batch-size", type=int, default=100, metavar="N", help="bookings per invocation"
    )
    parser.add_argument(
        "--fail-on-discrepancy", action="store_true", help="exit 1 when there are discrepancies"
    )
    parser.add_argument(
        "--skip-invalid", action="store_true", help="skip invalid legacy lines, count them"
    )
    parser.add_argument(
        "--no-ops-evidence",
        action="store_true",
        help="leave the operations evidence (queries, alarms, dashboard) out of VALIDATION.md",
    )
    parser.set_defaults(handler="naver_sms.comparison.replay:replay")


def _add_logs_query(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "logs-query",
        help="run a CloudWatch Logs Insights query over JSON-lines logs (docs/ops/logs-query.md)",
        description="Run the Logs Insights query in QUERY_FILE over the JSON-lines LOGFILEs, "
        "translated to SQL and run by DuckDB. Syntax it cannot run exactly is an error naming "
        "the token and its position (exit 2), never an approximate answer.",
    )
    parser.add_argument("query_file", metavar="QUERY_FILE", help="a .insights query file")
    parser.add_argument("logfiles", metavar="LOGFILE", nargs="+", help="JSON Lines log files")
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json: an array of row objects keyed by the result columns",
    )
    parser.set_defaults(handler="naver_sms.ops.insights.command:run")


def _add_alarms(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "alarms",
        help="the Terraform alarms, offline (docs/ops/alarms-simulate.md)",
        description="Work with the alarms the Terraform monitoring module deploys.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    simulate = actions.add_parser(
        "simulate",
        help="replay a run's EMF datapoints through the deployed alarms",
        description="Evaluate local.alarms of the monitoring module with terraform (offline), "
        "replay the run's datapoints through CloudWatch's alarm semantics and print each "
        "alarm's state transitions; each ALARM/OK transition is rendered by the alert "
        "forwarder into its Slack, Telegram and e-mail messages. Exit 2 on unusable input.",
    )
    simulate.add_argument(
        "--emf", required=True, nargs="+", metavar="EMF.jsonl", help="EMF documents of the run"
    )
    simulate.add_argument(
        "--logs",
        nargs="+",
        metavar="LOG.jsonl",
        help="the function's logs: AWS/Lambda metrics derived from its platform.report records",
    )
    simulate.add_argument(
        "--aws-metrics",
        nargs="+",
        metavar="FILE.jsonl",
        help="other AWS metrics: JSON lines {namespace, metric_name, dimensions, timestamp, value}",
    )
    simulate.add_argument(
        "--terraform", metavar="DIR", help="monitoring module (default: infrastructure/...)"
    )
    simulate.add_argument(
        "--var", action="append", metavar="NAME=VALUE", help="a module input (repeatable)"
    )
    simulate.add_argument("--format", choices=("table", "json"), default="table")
    simulate.add_argument(
        "--notifications", metavar="DIR", help="write every rendered notification here"
    )
    simulate.set_defaults(handler="naver_sms.ops.alarms.command:run")


def _add_dashboard(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dashboard",
        help="the Terraform dashboard, offline (docs/ops/dashboard-render.md)",
        description="Work with the dashboard the Terraform monitoring module deploys.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    render = actions.add_parser(
        "render",
        help="draw the deployed dashboard from a run's EMF data (HTML + PNG)",
        description="Evaluate local.dashboard_body of the monitoring module with terraform "
        "(offline) and draw every widget, in its layout, from the run's data into "
        "OUT/dashboard.html and a PNG taken in headless Chromium (OUT/dashboard.png).",
    )
    render.add_argument("--emf", required=True, nargs="+", metavar="EMF.jsonl")
    render.add_argument(
        "--logs", nargs="+", metavar="LOG.jsonl", help="logs: AWS/Lambda metrics, log widgets"
    )
    render.add_argument("--aws-metrics", nargs="+", metavar="FILE.jsonl")
    render.add_argument("--out", required=True, metavar="DIR")
    render.add_argument("--terraform", metavar="DIR", help="monitoring module directory")
    render.add_argument("--var", action="append", metavar="NAME=VALUE")
    render.add_argument("--no-png", action="store_true", help="write the HTML only")
    render.set_defaults(handler="naver_sms.ops.dashboard.command:run")


COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    _add_alarms,
    _add_compare,
    _add_dashboard,
    _add_docs,
    _add_logs_query,
    _add_replay,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="naver-sms", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"naver-sms {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded by audit reports
    module_name, _, function_name = args.handler.partition(":")
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(module_name), function_name
    )
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
