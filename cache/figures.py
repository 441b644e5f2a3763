"""Numbers shown to people, drawn one way everywhere: byte sizes and per-week sparklines.

The CLI (`stats`, `sync`), the reader's activity view and the fetcher's failure reasons all use these,
so a size reads the same in a reason and a summary, and the CLI's bars compare with the TUI's.
"""

from __future__ import annotations

from collections.abc import Sequence

SPARK_LEVELS = " ▁▂▃▄▅▆▇█"
SPARK_NONE = "·"  # a week without items: visible, unlike a blank


def format_size(n: int) -> str:
    """5242880 -> '5 MB', 1536 -> '1.5 KB', 12 -> '12 bytes' (1 KB = 1024 bytes)."""
    mib = 1024 * 1024
    if n >= mib:
        return f"{n // mib} MB" if n % mib == 0 else f"{n / mib:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB" if n % 1024 == 0 else f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def sparkline(series: Sequence[int], top: int) -> str:
    """One block character per value, scaled to `top` — pass the largest value over every row shown,
    so rows compare. A value above zero never draws as blank; zero draws as `·`."""
    if top <= 0:
        return SPARK_NONE * len(series)
    steps = len(SPARK_LEVELS) - 1
    return "".join(SPARK_LEVELS[max(1, min(steps, round(value / top * steps)))] if value > 0 else SPARK_NONE
                   for value in series)


def spark_top(rows: Sequence[dict]) -> int:
    """The common scale for `stats` rows (docs/cli.md's `recent_series`): the busiest week of any district."""
    return max((max(row["recent_series"], default=0) for row in rows), default=0)
