"""The attendance chart's SVG geometry: one bar per session, in a fixed width, drawn by
templates/reports/_attendance_chart.html. Pure arithmetic on the sessions' rates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class RatedSession(Protocol):
    """What the chart reads of a session (reports.selectors.summary_types.SessionRow)."""

    id: int
    date: dt.date
    rate: Decimal | None


@dataclass(frozen=True)
class ChartBar:
    session_id: int
    date: dt.date
    rate: Decimal
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float
    show_date: bool = True

    @property
    def band_x1(self) -> float:
        """Where the white band behind the value above the bar starts (and below, ends)."""
        return self.label_x - _VALUE_LABEL_WIDTH / 2

    @property
    def band_x2(self) -> float:
        return self.label_x + _VALUE_LABEL_WIDTH / 2

    @property
    def band_y(self) -> float:
        return self.value_y - 3.5


@dataclass(frozen=True)
class AttendanceChart:
    """Bar geometry for the inline SVG: one bar per session, its height the attendance rate.

    The chart keeps its width whatever the number of sessions: bars get narrower, values above
    the bars are left out when they no longer fit (each bar's tooltip and the table keep them),
    and date labels turn and thin out. The dashed line is the group's own attendance rule.
    """

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    axis_label_x: int
    date_label_y: int
    bars: tuple[ChartBar, ...]
    gridlines: tuple[tuple[int, float], ...]
    rule: Decimal | None = None
    rule_y: float | None = None
    show_values: bool = True
    rotate_dates: bool = False
    legend_y: float = 0


CHART_WIDTH = 600
# Widths (in the chart's units, 10-unit type) a label needs: "100.0%" and "12月31日".
_VALUE_LABEL_WIDTH = 34
_DATE_LABEL_WIDTH = 46
_ROTATED_LABEL_PITCH = 13


def attendance_chart(
    sessions: Sequence[RatedSession], *, rule: Decimal | None = None
) -> AttendanceChart:
    """Bars for the sessions with attendance recorded, scaled to 0–100%, in a fixed width."""
    rated = [s for s in sessions if s.rate is not None]
    plot_left, plot_top, plot_bottom, plot_right = 40, 24, 184, CHART_WIDTH - 8
    plot_height = plot_bottom - plot_top
    step = (plot_right - plot_left) / max(len(rated), 1)
    bar_width = min(step * 0.65, 40)
    show_values = step >= _VALUE_LABEL_WIDTH
    rotate_dates = step < _DATE_LABEL_WIDTH
    # Every date when there is room, else every second, third… so that labels never overlap.
    every = math.ceil(_ROTATED_LABEL_PITCH / step) if rotate_dates else 1
    bars = []
    for i, s in enumerate(rated):
        height = float(s.rate) * plot_height / 100
        center = plot_left + step * (i + 0.5)
        bars.append(
            ChartBar(
                session_id=s.id,
                date=s.date,
                rate=s.rate,
                x=center - bar_width / 2,
                y=plot_bottom - height,
                width=bar_width,
                height=height,
                label_x=center,
                value_y=plot_bottom - height - 3,
                show_date=i % every == 0,
            )
        )
    date_label_y = plot_bottom + (10 if rotate_dates else 15)
    legend_y = plot_bottom + (58 if rotate_dates else 34)
    gridlines = tuple((p, plot_bottom - p * plot_height / 100) for p in (0, 50, 100))
    return AttendanceChart(
        width=CHART_WIDTH,
        height=int(legend_y + 8),
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        plot_left=plot_left,
        plot_right=plot_right,
        axis_label_x=plot_left - 4,
        date_label_y=date_label_y,
        bars=tuple(bars),
        gridlines=gridlines,
        rule=rule,
        rule_y=None if rule is None else plot_bottom - float(rule) * plot_height / 100,
        show_values=show_values,
        rotate_dates=rotate_dates,
        legend_y=legend_y,
    )
