"""The HTML comparison report: one self-contained file (inline CSS and SVG, no script, no network).

Charts: match percentage by day (when a booking -> day mapping is given) and by store,
discrepancies by channel and kind, SMS sent old vs new by type and by store. Then a
character-highlighted diff for every SMS mismatch, where invisible characters (spaces, CR,
LF, tabs, combining jamo of decomposed Hangul) are drawn as visible marks, and the list of
every discrepancy. Phone numbers and customer names are masked, as everywhere we write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from typing import Final

from naver_sms import __version__
from naver_sms.comparison.engine import (
    CHANNEL_ORDER,
    KINDS,
    ComparisonResult,
    DiscrepancyRecord,
    percentage,
)
from naver_sms.comparison.masking import mask_text, masked_positions
from naver_sms.comparison.textdiff import char_segments, difference_hints, is_invisible, visible

HTML_MAX_SEGMENTS: Final = 50
_OLD_COLOUR: Final = "#8a8f98"
_NEW_COLOUR: Final = "#2b6cb0"
_KIND_COLOURS: Final = {
    "missing_in_new": "#c53030",
    "extra_in_new": "#dd6b20",
    "mismatch": "#6b46c1",
}

_CSS: Final = """
body{font-family:system-ui,-apple-system,"Noto Sans KR",sans-serif;margin:24px;color:#1a202c;
max-width:1100px}
h1{font-size:1.5rem;margin-bottom:4px}h2{font-size:1.15rem;margin-top:32px;
border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.meta{color:#4a5568;font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #e2e8f0;border-radius:6px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:1.4rem}.card span{color:#4a5568;font-size:.8rem}
.verdict-ok{color:#276749}.verdict-bad{color:#c53030}
svg text{font-size:12px;fill:#2d3748}
.legend span{display:inline-block;margin-right:14px;font-size:.8rem}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.diff{border:1px solid #e2e8f0;border-radius:6px;margin:12px 0;padding:8px 12px}
.diff h3{font-size:.95rem;margin:0 0 6px}
.text{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;
word-break:break-all;background:#f7fafc;padding:6px;border-radius:4px;margin:4px 0}
del{background:#fed7d7;text-decoration:none;outline:1px solid #fc8181}
ins{background:#c6f6d5;text-decoration:none;outline:1px solid #68d391}
.ws{color:#b7791f;font-weight:bold}.hint{color:#975a16;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem;width:100%}
td,th{border-bottom:1px solid #edf2f7;padding:3px 6px;text-align:left}
.note{color:#718096;font-style:italic}
"""


def render_html(
    result: ComparisonResult,
    *,
    days: Mapping[str, str] | None = None,
    title: str = "naver-sms comparison report",
    generated_at: str | None = None,
) -> str:
    """The whole report as one HTML document (write it with ``report.write_text_atomic``)."""
    verdict_ok = result.discrepancies == 0
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ko"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">naver-sms {escape(__version__)}'
        + (f" · generated {escape(generated_at)}" if generated_at else "")
        + "</p>",
        '<section id="summary"><div class="cards">',
        _card("bookings compared", str(result.bookings_compared)),
        _card("bookings matched", str(result.bookings_matched)),
        _card(
            "match percentage",
            f"{result.match_percentage:.2f}%",
            "verdict-ok" if verdict_ok else "verdict-bad",
        ),
        _card("discrepancies", str(result.discrepancies)),
        _card("invalid lines", str(result.invalid_lines)),
        _card("SMS old / new", f"{result.sms_sent_old} / {result.sms_sent_new}"),
        _card("DynamoDB old / new", f"{result.dynamodb_writes_old} / {result.dynamodb_writes_new}"),
        _card("Telegram old / new", f"{result.telegram_old} / {result.telegram_new}"),
        "</div></section>",
        _match_by_day(result, days),
        _match_by_store(result),
        _discrepancies_by_channel(result),
        _sms_old_new(result),
        _sms_diffs(result.records),
        _record_table(result.records),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _card(label: str, value: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<div class="card"><b{cls}>{escape(value)}</b><span>{escape(label)}</span></div>'


# --- charts ------------------------------------------------------------------------------


def bar_chart(
    label: str,
    rows: Sequence[tuple[str, float, str]],
    *,
    maximum: float | None = None,
    unit: str = "",
) -> str:
    """Horizontal bars: ``(label, value, value text)`` per row, scaled to ``maximum``."""
    if not rows:
        return '<p class="note">no data</p>'
    top = maximum if maximum is not None else max(value for _, value, _ in rows) or 1.0
    # room on the right for the longest value text (about 7 px a character at 12 px)
    text_w = 7 * max(len(text) + len(unit) for _, _, text in rows) + 12
    width, label_w, row_h = 600 + text_w, 170, 24
    height = row_h * len(rows) + 10
    out = [
        f'<svg role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    span = width - label_w - text_w
    for i, (name, value, text) in enumerate(rows):
        y = 5 + i * row_h
        bar = 0.0 if top <= 0 else max(0.0, min(1.0, value / top)) * span
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" '
            f'fill="{_NEW_COLOUR}"><title>{escape(name)}: {escape(text)}{escape(unit)}</title>'
            f"</rect>"
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 15}">{escape(text)}{escape(unit)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def grouped_bar_chart(
    label: str,
    groups: Sequence[tuple[str, Sequence[tuple[str, int, str]]]],
) -> str:
    """Vertical grouped bars: per group ``(series name, value, colour)``."""
    if not groups:
        return '<p class="note">no data</p>'
    top = max((value for _, series in groups for _, value, _ in series), default=0) or 1
    per_group = max(len(series) for _, series in groups)
    # bars wide enough for their value printed above them
    bar_w = max(22, 7 * len(str(top)) + 6)
    gap, chart_h, base = 26, 160, 190
    # Each group is as wide as its bars or its label (about 7 px per character at 12 px).
    spans = [max(per_group * bar_w, 7 * len(group) + 4) for group, _ in groups]
    width = max(360, 40 + sum(spans) + gap * len(groups))
    out = [
        f'<svg role="img" aria-label="{escape(label)}" width="{width}" height="{base + 30}" '
        f'viewBox="0 0 {width} {base + 30}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line x1="30" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#a0aec0"/>',
    ]
    x = 40
    for (group, series), span in zip(groups, spans, strict=True):
        start = x
        x += (span - per_group * bar_w) // 2
        for name, value, colour in series:
            h = chart_h * value / top
            out.append(
                f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w - 4}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(group)} · {escape(name)}: {value}</title></rect>'
                f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{base - h - 4:.1f}" '
                f'text-anchor="middle">{value}</text>'
            )
            x += bar_w
        centre = start + span / 2
        out.append(
            f'<text x="{centre:.1f}" y="{base + 18}" text-anchor="middle">{escape(group)}</text>'
        )
        x = start + span + gap
    out.append("</svg>")
    return "".join(out)


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return (
        '<p class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{escape(n)}</span>' for n, c in items)
        + "</p>"
    )


def _match_rows(summary: Mapping[str, tuple[int, int]]) -> list[tuple[str, float, str]]:
    rows = []
    for name, (compared, matched) in summary.items():
        pct = percentage(matched, compared)
        rows.append((name, pct, f"{pct:.2f}% ({matched}/{compared})"))
    return rows


def _match_by_day(result: ComparisonResult, days: Mapping[str, str] | None) -> str:
    head = '<section id="match-by-day"><h2>Match percentage by day</h2>'
    if not days:
        return (
            head
            + '<p class="note">No booking-to-day mapping was given (replay supplies one).</p>'
            + "</section>"
        )
    rows = _match_rows(result.day_summary(days))
    return head + bar_chart("match percentage by day", rows, maximum=100.0) + "</section>"


def _match_by_store(result: ComparisonResult) -> str:
    rows = _match_rows(result.store_summary())
    return (
        '<section id="match-by-store"><h2>Match percentage by store</h2>'
        + bar_chart("match percentage by store", rows, maximum=100.0)
        + "</section>"
    )


def _discrepancies_by_channel(result: ComparisonResult) -> str:
    counts = result.discrepancy_counts()
    groups = [
        (channel, [(kind, counts.get((channel, kind), 0), _KIND_COLOURS[kind]) for kind in KINDS])
        for channel in CHANNEL_ORDER
    ]
    return (
        '<section id="discrepancies-by-channel"><h2>Discrepancies by channel and kind</h2>'
        + _legend([(kind, _KIND_COLOURS[kind]) for kind in KINDS])
        + grouped_bar_chart("discrepancies by channel and kind", groups)
        + "</section>"
    )


def _sms_old_new(result: ComparisonResult) -> str:
    by_type_old: Counter[str] = Counter()
    by_type_new: Counter[str] = Counter()
    by_store_old: Counter[str] = Counter()
    by_store_new: Counter[str] = Counter()
    for (store, sms_type), count in result.sms_old_by_store_type.items():
        by_type_old[sms_type] += count
        by_store_old[store] += count
    for (store, sms_type), count in result.sms_new_by_store_type.items():
        by_type_new[sms_type] += count
        by_store_new[store] += count

    def groups(
        old: Counter[str], new: Counter[str]
    ) -> list[tuple[str, list[tuple[str, int, str]]]]:
        return [
            (name, [("old", old[name], _OLD_COLOUR), ("new", new[name], _NEW_COLOUR)])
            for name in sorted(old.keys() | new.keys())
        ]

    legend = _legend([("old (legacy)", _OLD_COLOUR), ("new", _NEW_COLOUR)])
    return (
        '<section id="sms-old-new"><h2>SMS sent, old vs new</h2>'
        + legend
        + "<h3>By type</h3>"
        + grouped_bar_chart("SMS sent old vs new by type", groups(by_type_old, by_type_new))
        + "<h3>By store</h3>"
        + grouped_bar_chart("SMS sent old vs new by store", groups(by_store_old, by_store_new))
        + "</section>"
    )


# --- diffs -------------------------------------------------------------------------------


def _char_html(char: str, hidden: bool) -> str:
    if hidden:
        return "*"
    if char == "\n":
        return '<span class="ws" title="LF U+000A">\\n</span>\n'
    if is_invisible(char):
        return f'<span class="ws" title="U+{ord(char):04X}">{escape(visible(char))}</span>'
    return escape(char)


def highlighted_text(text: str, ranges: Sequence[tuple[int, int]], tag: str) -> str:
    """``text`` as HTML with ``ranges`` wrapped in ``<tag>``; invisibles drawn, PII masked."""
    hidden = masked_positions(text)
    marks = [False] * (len(text) + 1)
    for start, end in ranges:
        for i in range(start, end):
            marks[i] = True
    out: list[str] = []
    inside = False
    for i, char in enumerate(text):
        if marks[i] != inside:
            out.append(f"<{tag}>" if marks[i] else f"</{tag}>")
            inside = marks[i]
        out.append(_char_html(char, i in hidden))
    if inside:
        out.append(f"</{tag}>")
    return "".join(out)


def text_diff_html(old: str, new: str, first_diff_index: int | None) -> str:
    """Old and new texts with their differing segments highlighted (insert points marked)."""
    segments = char_segments(old, new, HTML_MAX_SEGMENTS)
    old_ranges = [(s.old_start, s.old_end) for s in segments if s.old_end > s.old_start]
    new_ranges = [(s.new_start, s.new_end) for s in segments if s.new_end > s.new_start]
    hints = "".join(f'<p class="hint">{escape(h)}</p>' for h in difference_hints(old, new))
    more = (
        f'<p class="note">first {HTML_MAX_SEGMENTS} differing segments highlighted</p>'
        if len(segments) >= HTML_MAX_SEGMENTS
        else ""
    )
    return (
        f'<p class="meta">first difference at code point {first_diff_index}; '
        f"{len(segments)} differing segment(s)</p>{hints}"
        f'<div class="text" data-side="old">old: {highlighted_text(old, old_ranges, "del")}</div>'
        f'<div class="text" data-side="new">new: {highlighted_text(new, new_ranges, "ins")}</div>'
        f"{more}"
    )


def _sms_diffs(records: Sequence[DiscrepancyRecord]) -> str:
    mismatches = [r for r in records if r.channel == "sms" and r.kind == "mismatch"]
    out = [
        '<section id="sms-diffs"><h2>SMS mismatches, character by character</h2>',
        '<p class="meta">Marks: <span class="ws">·</span> space, <span class="ws">\\r</span> CR, '
        '<span class="ws">\\n</span> LF, <span class="ws">\\t</span> tab, '
        '<span class="ws">&lt;U+XXXX&gt;</span> other invisible or combining character '
        "(decomposed Hangul shows as jamo code points). Removed text is red, added green.</p>",
    ]
    if not mismatches:
        out.append('<p class="note">No SMS mismatch.</p>')
    for record in mismatches:
        out.append(
            f'<div class="diff"><h3>{escape(record.booking_id)} · '
            f"{escape(record.store_id or '-')} · {escape(record.key)}</h3>"
            f'<p class="meta">differing fields: {escape(", ".join(record.fields))}</p>'
        )
        texts = record.texts()
        if texts is not None and "content" in record.fields:
            out.append(text_diff_html(texts[0], texts[1], record.first_diff_index))
        else:
            out.append('<p class="note">content is equal; other fields differ.</p>')
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _record_table(records: Sequence[DiscrepancyRecord]) -> str:
    out = [
        '<section id="records"><h2>All discrepancies</h2>',
        "<table><thead><tr><th>booking</th><th>store</th><th>channel</th><th>key</th>"
        "<th>kind</th><th>fields</th><th>first diff</th></tr></thead><tbody>",
    ]
    for r in records:
        index = "" if r.first_diff_index is None else str(r.first_diff_index)
        out.append(
            f"<tr><td>{escape(r.booking_id)}</td><td>{escape(r.store_id or '-')}</td>"
            f"<td>{r.channel}</td><td>{escape(mask_text(r.key))}</td><td>{r.kind}</td>"
            f"<td>{escape(', '.join(r.fields))}</td><td>{index}</td></tr>"
        )
    if not records:
        out.append('<tr><td colspan="7" class="note">none</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)
