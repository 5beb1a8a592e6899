"""Server-rendered SVG charts: no script, no external asset, readable without colour alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

__all__ = ["Flow", "Series", "flow_chart", "line_chart", "stacked_bars"]

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


class Flow(NamedTuple):
    origin: str
    destination: str
    value: int | None  # None: withheld or disputed, listed and never drawn
    domestic: bool = False  # the destination's own citizens


def _node_label(label: str, known: int, partial: bool, at_least: str) -> tuple[str, str]:
    short = label if len(label) <= 28 else label[:27] + "\u2026"
    return escape(short), escape(at_least.format(value=known) if partial else str(known))


def flow_chart(
    flows: list[Flow] | list[tuple],
    *,
    title: str,
    description: str = "",
    headings: tuple[str, str] = ("Citizenship", "Identified in"),
    withheld_text: str = "Withheld, not drawn: {flows}",
    at_least_text: str = "at least {value}",
    withheld_word: str = "withheld",
    width: int = 720,
) -> str:
    """A two-column flow (Sankey) diagram: origins on the left, destinations on the right, each
    band as wide as its value. Nodes keep the order in which the flows first name them. A
    withheld flow (value None) is never drawn: it is listed under the diagram, and a node that
    misses one is labelled "at least" its known total."""
    flows = [Flow(*flow) for flow in flows]
    drawn = [f for f in flows if f.value]
    withheld = [f for f in flows if f.value is None]
    if not drawn and not withheld:
        return ""  # nothing published but zeros: no diagram, the table says it
    origins = list(dict.fromkeys(f.origin for f in drawn))
    destinations = list(dict.fromkeys(f.destination for f in drawn))
    totals: dict[tuple[int, str], int] = {}
    partial: set[tuple[int, str]] = set()
    for f in drawn:
        for key in ((0, f.origin), (1, f.destination)):
            totals[key] = totals.get(key, 0) + f.value
    for f in withheld:
        partial.update({(0, f.origin), (1, f.destination)})
    domestic = {f.origin for f in flows if f.domestic}

    label_w, node_w, top, slot, gap = 200, 12, 40, 18, 8
    x0, x1 = label_w, width - label_w - node_w
    total = sum(f.value for f in drawn)
    plot_h = min(260, max(100, 40 * max(len(origins), len(destinations))))
    scale = plot_h / total if total else 0  # pixels per person, the same for every band

    def place(nodes: list[str], side: int) -> tuple[dict, float]:
        """The top of each node's bar, each node taking at least one label's height."""
        y, placed = top, {}
        for node in nodes:
            height = totals[(side, node)] * scale
            room = max(height, slot)
            placed[node] = y + (room - height) / 2
            y += room + gap
        return placed, y

    left, left_end = place(origins, 0)
    right, right_end = place(destinations, 1)
    chart_bottom = max(left_end, right_end, top + slot)

    # Withheld flows, wrapped to lines of about the chart's width.
    lines: list[str] = []
    if withheld:
        # Break lines between flows only, never inside "origin → destination".
        items = [f"{f.origin} \u2192 {f.destination}" for f in withheld]
        pieces = withheld_text.format(flows="\0".join(items)).split("\0")
        line = pieces[0]
        for piece in pieces[1:]:
            if len(line) + 2 + len(piece) > width // 7:
                lines.append(line + ",")
                line = piece
            else:
                line = f"{line}, {piece}"
        lines.append(line)
    height = int(chart_bottom + 8 + 16 * len(lines) + 8)

    if not description:
        description = "; ".join(
            f"{f.origin} \u2192 {f.destination}: {withheld_word if f.value is None else f.value}"
            for f in flows
        )
    ident = "flow-" + hashlib.sha256(f"{title}|{description}".encode()).hexdigest()[:10]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" aria-describedby="{ident}-desc" class="chart flow-chart">',
        f"<title>{escape(title)}</title>",
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<text x="{x0 + node_w}" y="20" text-anchor="end" font-size="12" font-weight="bold" '
        f'fill="#1b1f24">{escape(headings[0])}</text>',
        f'<text x="{x1}" y="20" font-size="12" font-weight="bold" fill="#1b1f24">'
        f"{escape(headings[1])}</text>",
    ]
    colours = {}
    for origin in origins:
        colours[origin] = (
            "#4a5560" if origin in domestic else PALETTE[len(colours) % (len(PALETTE) - 1)]
        )
    # Bands: stacked inside each node in the order of the other side, to cross as little as can be.
    out_at, in_at = dict(left), dict(right)
    middle = (x0 + node_w + x1) / 2
    for f in sorted(
        drawn, key=lambda f: (origins.index(f.origin), destinations.index(f.destination))
    ):
        band = f.value * scale
        ya, yb = out_at[f.origin] + band / 2, in_at[f.destination] + band / 2
        out_at[f.origin] += band
        in_at[f.destination] += band
        parts.append(
            f'<path class="flow-band" d="M{x0 + node_w},{ya:.2f} C{middle:.1f},{ya:.2f} '
            f'{middle:.1f},{yb:.2f} {x1},{yb:.2f}" fill="none" stroke="{colours[f.origin]}" '
            f'stroke-opacity="0.5" stroke-width="{band:.3f}" data-origin="{escape(f.origin)}" '
            f'data-destination="{escape(f.destination)}" data-value="{f.value}">'
            f"<title>{escape(f.origin)} \u2192 {escape(f.destination)}: {f.value}</title></path>"
        )
    for side, nodes, placed in ((0, origins, left), (1, destinations, right)):
        for node in nodes:
            known = totals[(side, node)]
            y, bar = placed[node], known * scale
            colour = colours[node] if side == 0 else "#1b1f24"
            parts.append(
                f'<rect x="{x0 if side == 0 else x1}" y="{y:.2f}" width="{node_w}" '
                f'height="{bar:.3f}" fill="{colour}"/>'
            )
            name, number = _node_label(node, known, (side, node) in partial, at_least_text)
            anchor, tx = ("end", x0 - 6) if side == 0 else ("start", x1 + node_w + 6)
            parts.append(
                f'<text x="{tx}" y="{y + bar / 2 + 4:.1f}" text-anchor="{anchor}" font-size="12" '
                f'fill="#1b1f24">{name} <tspan font-weight="bold">{number}</tspan></text>'
            )
    for number, line in enumerate(lines):
        parts.append(
            f'<text x="8" y="{chart_bottom + 8 + 16 * number + 12:.1f}" font-size="12" '
            f'fill="#1b1f24" class="flow-withheld">{escape(line)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
