"""Horizontal bar charts as SVG, drawn on the server (no script, no external library)."""
from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import Markup

LABEL_W, BAR_W, ROW_H = 240, 260, 24
COLOURS = ("#1f6feb", "#b3261e", "#2e7d32", "#8a5a00", "#6a3fb5", "#00796b", "#c2185b", "#455a64",
           "#ef6c00", "#5d4037", "#0097a7")


def bar_chart(rows: list[tuple[str, int]], title: str) -> Markup:
    """One bar per (label, value) row, the value written at the end of the bar; the same values follow as a
    visually hidden table, the chart's text equivalent for screen readers."""
    top = max((value for _label, value in rows), default=0) or 1
    height = ROW_H * max(len(rows), 1) + 8
    width = LABEL_W + BAR_W + 50
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_H
        bar = BAR_W * value / top
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1b1f24">'
                     f'{escape(short)}<title>{escape(label)}</title></text>'
                     f'<rect x="{LABEL_W}" y="{y + 3}" width="{bar:.1f}" height="{ROW_H - 8}" '
                     f'fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{LABEL_W + bar + 6:.1f}" y="{y + 15}" font-size="12" fill="#1b1f24">{value}</text>')
    parts.append(f'</svg><div class="visually-hidden"><table><caption>{escape(title)}</caption><tbody>')
    parts.extend(f'<tr><th scope="row">{escape(label)}</th><td>{value}</td></tr>' for label, value in rows)
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))
