"""The operations section of a campaign's VALIDATION.md: proof, from the run itself, that the
queries answer, the alarms fire, the dashboard shows the data, and history is kept.

Written by ``naver-sms replay`` (from its own logs) and rewritten by ``make demo`` (with the
collector's EMF and the whole day's logs). Each part that cannot be produced (no terraform, no
browser) says why in its place instead of failing the campaign.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from naver_sms.ops.paths import unique_paths

MARKER: Final = "<!-- operations evidence: written by naver_sms.ops.evidence -->"
MAX_ROWS: Final = 25


@dataclass
class EvidenceInputs:
    out: Path
    """The campaign folder (VALIDATION.md, report.html; screenshots are written here)."""
    logs: list[Path]
    emf: list[Path]
    aws_metrics: list[Path] = field(default_factory=list)
    produced_by: str = "naver-sms replay"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def retention_section() -> list[str]:
    from naver_sms.ops.retention import REQUIRED_DAYS, retention_in_force  # noqa: PLC0415
    from naver_sms.ops.terraform_values import TerraformError  # noqa: PLC0415

    out = ["### Log retention in force", ""]
    try:
        found = retention_in_force()
    except TerraformError as exc:
        return [*out, f"Not evaluated: {exc}", ""]
    out += [
        "Evaluated by Terraform from the modules and `examples/complete` (not written by hand):",
        "",
        "| module | log group | retention (days) | set by | ≥ 7 days |",
        "|---|---|---|---|---|",
    ]
    for r in found:
        days = "never expire" if r.days is None else str(r.days)
        out.append(
            f"| {r.module} | `{r.log_group}` | {days} | `{r.source}` | "
            f"{'yes' if r.sufficient else '**NO**'} |"
        )
    verdict = all(r.sufficient for r in found) and bool(found)
    out += [
        "",
        f"At least {REQUIRED_DAYS} days of logs (and the EMF documents in them) are kept: "
        f"**{'yes' if verdict else 'NO'}**. CloudWatch keeps the metrics themselves by its own "
        "fixed schedule (15 months; 1-minute data for 15 days), which Terraform does not set.",
        "",
    ]
    return out


def queries_section(inputs: EvidenceInputs) -> list[str]:
    from naver_sms.ops.insights.engine import run_query  # noqa: PLC0415
    from naver_sms.ops.insights.errors import QueryError  # noqa: PLC0415
    from naver_sms.ops.insights.render import markdown  # noqa: PLC0415
    from naver_sms.ops.query_catalog import for_run, saved_queries  # noqa: PLC0415

    files = unique_paths([*inputs.logs, *inputs.emf])
    out = [
        "### Logs Insights queries",
        "",
        "Each saved query of `docs/ops/queries/` run by `naver-sms logs-query` over "
        + ", ".join(f"`{_rel(p, inputs.out)}`" for p in files)
        + " (one log group).",
        "",
    ]
    for query in saved_queries():
        text, note = for_run(query, inputs.logs)
        out += [f"#### {query.name}", "", query.purpose, "", "```", text.rstrip(), "```", ""]
        if note:
            out += [f"Parameter: {note}.", ""]
        try:
            result = run_query(text, files)
        except (QueryError, ValueError) as exc:
            out += [f"Not run: {exc}", ""]
            continue
        shown = result
        if len(result.rows) > MAX_ROWS:
            shown = type(result)(result.columns, result.rows[:MAX_ROWS], result.events)
        out += [markdown(shown).rstrip()]
        more = len(result.rows) - len(shown.rows)
        out += [
            "",
            f"{len(result.rows)} row(s) from {result.events} log events"
            + (f"; the first {MAX_ROWS} shown." if more > 0 else "."),
            "",
        ]
    return out


def alarms_and_dashboard_sections(inputs: EvidenceInputs) -> list[str]:
    from naver_sms.ops.alarms.report import markdown_report  # noqa: PLC0415
    from naver_sms.ops.alarms.simulation import run_simulation  # noqa: PLC0415
    from naver_sms.ops.dashboard.render import render_dashboard  # noqa: PLC0415
    from naver_sms.ops.monitoring import load_monitoring  # noqa: PLC0415
    from naver_sms.ops.terraform_values import TerraformError  # noqa: PLC0415

    out = ["### Alarm simulation", ""]
    try:
        monitoring = load_monitoring()
        report = run_simulation(
            inputs.emf, logs=inputs.logs, aws_metrics=inputs.aws_metrics, monitoring=monitoring
        )
    except (TerraformError, ValueError) as exc:
        return [*out, f"Not simulated: {exc}", ""]
    out += [
        "`naver-sms alarms simulate` over this run: the alarms of "
        "`infrastructure/terraform/modules/monitoring` as Terraform computes them, the run's "
        "datapoints through CloudWatch's alarm semantics (docs/ops/alarms-simulate.md), each "
        "ALARM and OK transition rendered by the alert forwarder in dry run.",
        "",
        markdown_report(report),
        "### Dashboard",
        "",
    ]
    rendered = render_dashboard(
        inputs.out,
        inputs.emf,
        logs=inputs.logs,
        aws_metrics=inputs.aws_metrics,
        monitoring=monitoring,
        simulation=report,
        png=False,
    )
    shots = _screenshots(inputs, rendered.html_path)
    if isinstance(shots, str):
        out += [f"Screenshots not taken: {shots}", ""]
    else:
        dashboard, _ = shots
        rendered.png_path, rendered.shot = dashboard.path, dashboard
        problems = "" if not dashboard.errors else f" (console errors: {dashboard.errors})"
        out += [f"![dashboard](dashboard.png){problems}", ""]
    out += [
        "`naver-sms dashboard render`: `local.dashboard_body` drawn from this run's data "
        "(`dashboard.html`, `dashboard.png`).",
        "",
        "| widget | type | datapoints shown |",
        "|---|---|---|",
        *[
            f"| {title.lstrip('# ').replace('|', '/')} | {kind} | {points} |"
            for kind, title, points in rendered.widgets
        ],
        "",
    ]
    if rendered.empty_widgets:
        out += ["Widgets without data in this run: " + "; ".join(rendered.empty_widgets) + ".", ""]
    return out


def _screenshots(inputs: EvidenceInputs, dashboard_html: Path) -> tuple[Any, Any] | str:
    """The dashboard's and the report's PNG in one browser session, or why not."""
    from naver_sms.ops.dashboard.render import PAGE_WIDTH  # noqa: PLC0415
    from naver_sms.ops.screenshot import ScreenshotUnavailable, screenshots  # noqa: PLC0415

    report = inputs.out / "report.html"
    pages = [(dashboard_html, inputs.out / "dashboard.png", PAGE_WIDTH)]
    if report.exists():
        pages.append((report, inputs.out / "report.png", 1200))
    try:
        shots = screenshots(pages)
    except ScreenshotUnavailable as exc:
        return str(exc)
    return shots[0], (shots[1] if len(shots) > 1 else None)


def report_screenshot_section(inputs: EvidenceInputs) -> list[str]:
    out = ["### Report screenshot", ""]
    if not (inputs.out / "report.html").exists():
        return [*out, "No report.html in this folder.", ""]
    if not (inputs.out / "report.png").exists():
        return [*out, "Not taken (see the dashboard section).", ""]
    return [*out, "`report.html` in headless Chromium:", "", "![report](report.png)", ""]


def render_section(inputs: EvidenceInputs) -> str:
    files = unique_paths([*inputs.logs, *inputs.emf, *inputs.aws_metrics])
    lines = [
        MARKER,
        "## Operations evidence",
        "",
        f"Produced by `{inputs.produced_by}` from this run's own artefacts:",
        "",
        *[f"- `{_rel(p, inputs.out)}` (sha256 {_sha(p)}…)" for p in files if p.exists()],
        "",
        *retention_section(),
        *queries_section(inputs),
        *alarms_and_dashboard_sections(inputs),
        *report_screenshot_section(inputs),
    ]
    return "\n".join(lines) + "\n"


def write_operations_evidence(validation: Path, inputs: EvidenceInputs) -> None:
    """Replace (or add) the operations section at the end of `validation`."""
    text = validation.read_text(encoding="utf-8") if validation.exists() else ""
    head = text.split(MARKER, 1)[0].rstrip("\n")
    section = render_section(inputs)
    validation.write_text((head + "\n\n" if head else "") + section, encoding="utf-8")
