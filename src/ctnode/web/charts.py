"""Server-side SVG bar charts for the dashboard: no script, no style attribute (the CSP allows
neither inline), every value also in a table for screen readers and keyboard users."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 440, 150, 44, 12, 24


def bar_chart(chart_id: str, title: str, days: Sequence[date], values: Sequence[float | None],
              day_label: Callable[[date], str], value_label: Callable[[float], str]) -> Markup:
    """One series as bars, a day per bar; ``None`` is drawn as no bar (nothing measured)."""
    top = max((v for v in values if v is not None), default=0.0) or 1.0
    inner_w, inner_h = WIDTH - PAD_X - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(values), 1)
    bars = []
    for i, (d, v) in enumerate(zip(days, values, strict=True)):
        if v is None or v <= 0:
            continue
        h = max(inner_h * v / top, 1.0)
        x = PAD_X + i * step + step * 0.15
        y = PAD_TOP + inner_h - h
        bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}">'
                    f"<title>{escape(day_label(d))}: {escape(value_label(v))}</title></rect>")
    base = PAD_TOP + inner_h
    first, last = (day_label(days[0]), day_label(days[-1])) if days else ("", "")
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-t" direction="ltr">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<line class="axis" x1="{PAD_X}" y1="{base}" x2="{WIDTH - 8}" y2="{base}"/>'
        f'<line class="axis" x1="{PAD_X}" y1="{PAD_TOP}" x2="{PAD_X}" y2="{base}"/>'
        f'<text x="{PAD_X - 4}" y="{PAD_TOP + 10}" text-anchor="end">'
        f"{escape(value_label(top))}</text>"
        f'<text x="{PAD_X - 4}" y="{base}" text-anchor="end">0</text>'
        f'<text x="{PAD_X}" y="{HEIGHT - 6}">{escape(first)}</text>'
        f'<text x="{WIDTH - 8}" y="{HEIGHT - 6}" text-anchor="end">{escape(last)}</text>'
        f'<g class="bars">{"".join(bars)}</g></svg>'
    )
    return Markup(svg)  # noqa: S704  (every value above is escaped or a number we formatted)
