"""Server-rendered SVG charts: no script, no external asset, readable without colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["Series", "line_chart", "stacked_bars"]

PALETTE = ["#0b4f6c", "#a4161a", "#1e6b35", "#8a6100", "#5b3f8c", "#2b6f7f", "#333333"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4"]


@dataclass
class Series:
    label: str
    points: list[tuple[int, int | None]]  # (year, value); None = withheld or conflicting
    colour_key: str = ""  # series with the same key share a colour (e.g. a participant)
    dash_key: str = ""  # and the same key, a line pattern (e.g. a source)


def line_chart(series: list[Series], *, title: str, width: int = 720, height: int = 320) -> str:
    """A line chart of yearly counts; withheld values leave a gap, never a made-up point."""
    years = sorted({y for s in series for y, _v in s.points})
    values = [v for s in series for _y, v in s.points if v is not None]
    if not years or not values:
        return ""
    left, right, top, bottom = 48, 150, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    high = max(values) or 1
    step = max(1, round(high / 4))
    y_ticks = list(range(0, high + step, step))
    high = y_ticks[-1] or 1

    def x(year):
        return left + (plot_w * (years.index(year) / max(1, len(years) - 1)))

    def y(value):
        return top + plot_h - plot_h * value / high

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in y_ticks:
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#4a5560">{tick}</text>'
        )
    label_every = max(1, len(years) // 8)
    for index, year in enumerate(years):
        if index % label_every == 0 or index == len(years) - 1:
            parts.append(
                f'<text x="{x(year):.1f}" y="{height - 12}" text-anchor="middle" '
                f'font-size="11" fill="#4a5560">{year}</text>'
            )
    colour_keys = list(dict.fromkeys(s.colour_key or s.label for s in series))
    dash_keys = list(dict.fromkeys(s.dash_key for s in series))
    for number, s in enumerate(series):
        colour = PALETTE[colour_keys.index(s.colour_key or s.label) % len(PALETTE)]
        dash = DASHES[dash_keys.index(s.dash_key) % len(DASHES)]
        segment: list[str] = []
        segments = []
        for year, value in sorted(s.points):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(year):.1f},{y(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
                    f'stroke-dasharray="{dash}" points="{" ".join(points)}"/>'
                )
            for point in points:
                cx, cy = point.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        legend_y = top + 16 * number
        parts.append(
            f'<line x1="{left + plot_w + 12}" x2="{left + plot_w + 36}" y1="{legend_y}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2.5" '
            f'stroke-dasharray="{dash}"/>'
        )
        parts.append(
            f'<text x="{left + plot_w + 40}" y="{legend_y + 4}" font-size="12" '
            f'fill="#1b1f24">{escape(s.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(
    rows: list[tuple[str, list[int | None]]], *, keys: list[str], title: str, width: int = 720
) -> str:
    """Horizontal stacked bars, one per row, one segment per key; a withheld segment is left out
    and the row is marked, so a bar is never longer or shorter than what was published."""
    totals = [sum(v for v in values if v is not None) for _label, values in rows]
    if not rows or not any(totals):
        return ""
    left, right, top, bar, gap = 150, 40, 36, 20, 10
    height = top + len(rows) * (bar + gap) + 12
    plot_w = width - left - right
    high = max(totals) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    x = left
    for number, key in enumerate(keys):
        colour = PALETTE[number % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 16}" y="18" font-size="12" fill="#1b1f24">{escape(key)}</text>'
        )
        x += 32 + 8 * len(key)
    for index, (label, values) in enumerate(rows):
        y = top + index * (bar + gap)
        withheld = any(v is None for v in values)
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12" '
            f'fill="#1b1f24">{escape(label)}{" *" if withheld else ""}</text>'
        )
        start = left
        for number, value in enumerate(values):
            if not value:
                continue
            length = plot_w * value / high
            colour = PALETTE[number % len(PALETTE)]
            parts.append(
                f'<rect x="{start:.1f}" y="{y}" width="{length:.1f}" height="{bar}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
            )
            start += length
        if start > left:  # nothing published: no bar and no made-up zero
            parts.append(
                f'<text x="{min(start + 4, width - right):.1f}" y="{y + 14}" font-size="11" '
                f'fill="#4a5560">{totals[index]}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
