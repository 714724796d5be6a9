"""The county chart's SVG geometry: one horizontal bar per group, its length the term's
attendance rate, with the organisation's groups side by side. Pure arithmetic; the template
templates/oversight/_chart.html draws it, so it prints as the page does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
ROW_HEIGHT = 22
LABEL_WIDTH = 200
TOP = 24
RIGHT_MARGIN = 56


@dataclass(frozen=True)
class GroupBar:
    name: str
    rate: Decimal | None
    y: float
    width: float
    label_y: float
    value_x: float


@dataclass(frozen=True)
class CountyChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    bars: list[GroupBar]
    gridlines: list[tuple[int, float]]


def county_chart(rows) -> CountyChart:
    """Bars for rows (GroupRow: .group.name, .attendance_rate), in the rows' order; a group with
    no rate gets no bar, only its name and an em dash."""
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN
    span = plot_right - plot_left
    bars = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        rate = row.attendance_rate
        width = float(rate) / 100 * span if rate is not None else 0.0
        bars.append(
            GroupBar(
                name=row.group.name,
                rate=rate,
                y=y + 4,
                width=width,
                label_y=y + ROW_HEIGHT / 2 + 4,
                value_x=plot_left + width + 4,
            )
        )
    height = TOP + len(rows) * ROW_HEIGHT + 8
    gridlines = [(pct, plot_left + span * pct / 100) for pct in (0, 25, 50, 75, 100)]
    return CountyChart(
        width=WIDTH,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        bars=bars,
        gridlines=gridlines,
    )
