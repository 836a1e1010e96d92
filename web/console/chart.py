"""The dashboard chart: stacked bars of questions per day, one colour per language, laid out as numbers an
inline SVG template (`chart.svg.html`) draws; no JavaScript, and a text description for screen readers."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from assistant import SUPPORTED_LANGUAGES

LANGUAGE_COLOURS = {"fr": "#0072b2", "es": "#d55e00", "en": "#009e73"}  # Okabe-Ito: safe for colour-blindness
OTHER_COLOUR = "#777777"


@dataclass(slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    language: str
    count: int


@dataclass(slots=True)
class Column:
    day: str
    total: int
    label: str
    x: float
    width: float
    segments: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Chart:
    """Stacked bars of questions per day, one colour per language, laid out for an inline SVG."""

    width: int
    height: int
    top: int
    left: int
    bottom: int
    peak: int
    ticks: list[tuple[float, int]]
    columns: list[Column]
    labels: list[tuple[float, str]]
    languages: list[tuple[str, str, int]]  # (code, colour, questions)
    description: str


def build_chart(per_day: list[dict], days: int, today: date | None = None) -> Chart:
    """`per_day` as `Store.stats()` gives it ({date, language, channel, count}), summed over channels."""
    width, height, left, top, bottom = 640, 220, 36, 12, 28
    today = today or datetime.now(UTC).date()
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in per_day:
        counts[row["date"]][row["language"]] += row["count"]
    dates = {(today - timedelta(days=i)).isoformat() for i in range(days)} | set(counts)
    ordered = sorted(dates)
    totals: Counter = Counter()
    for day in counts.values():
        totals.update(day)
    languages = [lang for lang in SUPPORTED_LANGUAGES if totals[lang]] + sorted(
        lang for lang in totals if lang not in SUPPORTED_LANGUAGES
    )
    peak = max((sum(day.values()) for day in counts.values()), default=0)
    scale_top = max(_nice_ceiling(peak), 1)
    plot_height = height - top - bottom
    slot = (width - left - 8) / max(len(ordered), 1)
    bar = max(slot * 0.7, 1.0)
    columns = []
    for i, day in enumerate(ordered):
        x = left + i * slot + (slot - bar) / 2
        y = float(height - bottom)
        parts = [(lang, counts[day][lang]) for lang in languages if counts[day][lang]]
        label = f"{day}: " + (", ".join(f"{lang} {n}" for lang, n in parts) if parts else "no questions")
        column = Column(day, sum(n for _, n in parts), label, round(left + i * slot, 2), round(slot, 2))
        for lang, n in parts:
            h = n / scale_top * plot_height
            y -= h
            column.segments.append(
                Segment(round(x, 2), round(y, 2), round(bar, 2), round(h, 2), _colour(lang), lang, n)
            )
        columns.append(column)
    ticks = [(round(height - bottom - v / scale_top * plot_height, 2), v) for v in _ticks(scale_top)]
    step = max(1, math.ceil(len(ordered) / 6))
    labels = [(round(left + i * slot + slot / 2, 2), day[5:]) for i, day in enumerate(ordered) if i % step == 0]
    summary = ", ".join(f"{lang} {totals[lang]}" for lang in languages) or "none"
    total = sum(totals.values())
    description = f"{total} question{'' if total == 1 else 's'} from {ordered[0]} to {ordered[-1]} ({summary})."
    return Chart(
        width=width,
        height=height,
        top=top,
        left=left,
        bottom=bottom,
        peak=peak,
        ticks=ticks,
        columns=columns,
        labels=labels,
        languages=[(lang, _colour(lang), totals[lang]) for lang in languages],
        description=description,
    )


def _colour(lang: str) -> str:
    return LANGUAGE_COLOURS.get(lang, OTHER_COLOUR)


def _nice_ceiling(value: int) -> int:
    """The smallest 'round' number (1, 2, 5 × 10^n) at or above `value`."""
    if value <= 0:
        return 0
    magnitude = 10 ** (len(str(value)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def _ticks(top: int) -> list[int]:
    return [0, top // 2, top] if top % 2 == 0 else [0, top]
