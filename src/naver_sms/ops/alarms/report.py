"""A simulation as text (the command's table), as Markdown (the campaign evidence), and as
files (each notification exactly as sent: Slack JSON, Telegram HTML, e-mail text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from naver_sms.ops.alarms.definitions import AlarmDefinition
from naver_sms.ops.alarms.evaluation import AlarmRun, evaluation_range, iso
from naver_sms.ops.alarms.notifications import Notification
from naver_sms.ops.alarms.simulation import SimulationReport


def describe(alarm: AlarmDefinition) -> str:
    result = alarm.result
    if result.metric is not None and len(alarm.queries) == 1:
        metric = result.metric
        what = f"{metric.stat} of {metric.namespace} {metric.metric_name}"
        if metric.dimensions:
            what += " (" + ", ".join(f"{k}={v}" for k, v in metric.dimensions) + ")"
    else:
        what = f"{result.expression}"
    operator = {
        "GreaterThanThreshold": ">",
        "GreaterThanOrEqualToThreshold": ">=",
        "LessThanThreshold": "<",
        "LessThanOrEqualToThreshold": "<=",
    }[alarm.comparison_operator]
    return (
        f"{what} {operator} {alarm.threshold:g} in {alarm.datapoints_to_alarm} of "
        f"{alarm.evaluation_periods} period(s) of {alarm.period}s; missing data: "
        f"{alarm.treat_missing_data}"
    )


def _sources(report: SimulationReport) -> list[str]:
    lines = [f"{namespace}: {source}" for namespace, source in sorted(report.store.sources.items())]
    if report.store.skipped_lines:
        lines.append(f"{report.store.skipped_lines} non-EMF line(s) skipped")
    return lines


def _run_notes(run: AlarmRun) -> list[str]:
    notes = []
    if run.treatment != run.alarm.treat_missing_data:
        notes.append(f"missing data treated as {run.treatment} (AWS/DynamoDB alarms always ignore)")
    if run.metrics_without_data:
        notes.append("no datapoints for: " + "; ".join(run.metrics_without_data))
    if run.alarm.extra.get("active_hours"):
        notes.append(
            "its actions are on only in its active hours (EventBridge Scheduler): the simulation "
            "renders every transition's notification, whatever the hour"
        )
    return notes


def headline(notification: Notification) -> str:
    return str(notification.slack.get("text", ""))


def text_report(report: SimulationReport) -> str:
    lines = ["data: " + "; ".join(_sources(report)) if _sources(report) else "data: none", ""]
    by_transition = {(n.transition.alarm, n.transition.at_ms): n for n in report.notifications}
    for run in report.runs:
        lines.append(f"{run.alarm.name}: {describe(run.alarm)}")
        for t in run.transitions:
            value = "—" if t.value is None else f"{t.value:g}"
            lines.append(f"  {iso(t.at_ms)}  {t.from_state} -> {t.to_state}  value {value}")
            lines.append(f"    {t.reason}")
            notification = by_transition.get((t.alarm, t.at_ms))
            if notification is not None:
                lines.append(f"    slack: {headline(notification)}")
                first = notification.telegram_html.splitlines()[0]
                lines.append(f"    telegram: {re.sub(r'<[^>]+>', '', first)}")
                lines.append(f"    email: {notification.email_subject}")
        lines.append(
            f"  final state {run.state} after {run.evaluations} evaluations "
            f"(range {evaluation_range(run.alarm.evaluation_periods)} periods)"
        )
        lines += [f"  note: {note}" for note in _run_notes(run)]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(report: SimulationReport) -> str:
    """Transitions table per alarm, then every notification as sent."""
    out = ["Data: " + ("; ".join(_sources(report)) or "none") + ".", ""]
    out += [
        "| alarm | definition | final state | transitions |",
        "|---|---|---|---|",
    ]
    for run in report.runs:
        out.append(
            f"| `{run.alarm.name}` | {_md(describe(run.alarm))} | **{run.state}** | "
            f"{len(run.transitions)} |"
        )
    out += ["", "| at (UTC) | alarm | from | to | value | reason |", "|---|---|---|---|---|---|"]
    for row in report.transitions():
        value = "—" if row["value"] is None else f"{row['value']:g}"
        out.append(
            f"| {row['at']} | `{row['alarm']}` | {row['from']} | **{row['to']}** | {value} | "
            f"{_md(str(row['reason']))} |"
        )
    notes = [f"- `{run.alarm.name}`: {note}" for run in report.runs for note in _run_notes(run)]
    if notes:
        out += ["", *notes]
    out += ["", f"Notifications sent (ALARM and OK transitions): {len(report.notifications)}.", ""]
    for n in report.notifications:
        t = n.transition
        out += [
            "<details>",
            f"<summary>{iso(t.at_ms)} {t.alarm}: {t.from_state} → {t.to_state}</summary>",
            "",
            "Slack (incoming webhook payload):",
            "",
            "```json",
            json.dumps(n.slack, ensure_ascii=False, indent=2),
            "```",
            "",
            "Telegram (HTML parse mode):",
            "",
            "```html",
            n.telegram_html,
            "```",
            "",
            "E-mail:",
            "",
            "```text",
            f"Subject: {n.email_subject}",
            "",
            n.email_body.rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)


def write_notifications(report: SimulationReport, directory: Path) -> None:
    """One folder per notification: slack.json, telegram.html, email.txt, sns-message.json."""
    directory.mkdir(parents=True, exist_ok=True)
    for index, n in enumerate(report.notifications, 1):
        stamp = iso(n.transition.at_ms).replace(":", "")
        folder = directory / f"{index:03d}-{stamp}-{n.transition.alarm}-{n.transition.to_state}"
        folder.mkdir(exist_ok=True)
        (folder / "slack.json").write_text(
            json.dumps(n.slack, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (folder / "telegram.html").write_text(n.telegram_html + "\n", encoding="utf-8")
        (folder / "email.txt").write_text(
            f"Subject: {n.email_subject}\n\n{n.email_body}", encoding="utf-8"
        )
        (folder / "sns-message.json").write_text(
            json.dumps(n.sns_message, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
