"""Server-made SVG bar charts of staffing (formasi versus filled seats per unit), no JavaScript.

A chart is a picture of the table printed beside it (which carries every number): it is `role="img"`
with a title and a description that say so. Colours meet 3:1 against white (WCAG 1.4.11) and the two
series differ in shape too (an outlined bar for formasi, a solid one for filled seats).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from projections.public import UnitStaffing

ROW, BAR, LABEL, WIDTH = 36, 14, 250, 640
FORMASI, FILLED, AFTER = "#0b0c0c", "#1d70b8", "#00703c"


def staffing_chart(chart_id: str, title: str, units: Sequence[UnitStaffing], after: bool) -> str:
    """An SVG of formasi and filled seats per unit; `after`: a second solid bar, after the round."""
    scale_max = max([1, *(max(u.formasi, u.filled, u.filled_after or 0) for u in units)])
    plot = WIDTH - LABEL - 50
    rows_height = ROW * (3 if after else 2) // 2 + 6
    height = 30 + rows_height * max(1, len(units))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">Diagram batang formasi dan jabatan terisi per unit kerja; angka lengkapnya '
        f"ada di tabel di sampingnya.</desc>",
        _legend(after),
    ]
    for index, unit in enumerate(units):
        top = 30 + index * rows_height
        parts.append(
            f'<text x="{LABEL - 8}" y="{top + BAR}" text-anchor="end" class="chart-label">'
            f"{escape(_short(unit.unit))}</text>"
        )
        bars = [("formasi", unit.formasi), ("terisi", unit.filled)]
        if after:
            bars.append(("sesudah", unit.filled_after or 0))
        for offset, (kind, value) in enumerate(bars):
            y, w = top + offset * (BAR + 2), plot * value / scale_max
            if kind == "formasi":
                parts.append(
                    f'<rect x="{LABEL}" y="{y}" width="{w:.1f}" height="{BAR}" fill="#ffffff" '
                    f'stroke="{FORMASI}" stroke-width="2"/>'
                )
            else:
                parts.append(
                    f'<rect x="{LABEL}" y="{y}" width="{w:.1f}" height="{BAR}" '
                    f'fill="{FILLED if kind == "terisi" else AFTER}"/>'
                )
            parts.append(f'<text x="{LABEL + w + 4:.1f}" y="{y + BAR - 2}" class="chart-value">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(after: bool) -> str:
    items = [
        ("Formasi", f'fill="#ffffff" stroke="{FORMASI}" stroke-width="2"'),
        ("Terisi" + (" (sebelum)" if after else ""), f'fill="{FILLED}"'),
    ]
    if after:
        items.append(("Terisi sesudah", f'fill="{AFTER}"'))
    out, x = [], 10
    for text, style in items:
        out.append(
            f'<rect x="{x}" y="6" width="14" height="12" {style}/>'
            f'<text x="{x + 20}" y="17" class="chart-label">{text}</text>'
        )
        x += 20 + 9 * len(text) + 20
    return "".join(out)


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
