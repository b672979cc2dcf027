"""Server-rendered SVG charts: geometry computed here, drawn by a template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.stats import Week

WIDTH = 640
HEIGHT = 200
GUTTER = 28
ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "columns" (one per week) or "rows" (one per topic)
    bars: tuple[Bar, ...]
    width: int
    height: int
    maximum: int


def week_chart(title: str, weeks: Sequence[Week], field: str) -> Chart:
    """One column per week."""
    values = [int(getattr(w, field)) for w in weeks]
    top = max(values, default=0) or 1
    step = (WIDTH - GUTTER) / max(len(values), 1)
    plot = HEIGHT - 2 * GUTTER
    bars = tuple(
        Bar(
            label=w.start.strftime("%d %b"),
            value=v,
            x=GUTTER + i * step + step * 0.15,
            y=GUTTER + plot - plot * v / top,
            width=step * 0.7,
            height=plot * v / top,
        )
        for i, (w, v) in enumerate(zip(weeks, values, strict=True))
    )
    return Chart(title, "columns", bars, WIDTH, HEIGHT, max(values, default=0))


def bar_chart(title: str, items: Sequence[tuple[str, int]]) -> Chart:
    """One horizontal bar per labelled count, largest first."""
    top = max((n for _, n in items), default=0) or 1
    label_width = WIDTH * 0.55
    span = WIDTH - label_width - 40
    bars = tuple(
        Bar(
            label=label,
            value=n,
            x=label_width,
            y=i * ROW + 4,
            width=max(span * n / top, 1),
            height=ROW - 8,
        )
        for i, (label, n) in enumerate(items)
    )
    height = max(len(items), 1) * ROW + 8
    return Chart(
        title, "rows", bars, WIDTH, height, max((n for _, n in items), default=0)
    )
