"""What every benchmark reports: its figure, the ceiling that bounds it (measured in the
same run) and the target, gathered into one table at the end of ``make bench``.

``BENCH_SHORT=1`` (``make bench-short``) makes every benchmark smaller, so the whole set
runs in a few minutes; the figures are noisier, the ratios hold."""

from __future__ import annotations

import os
from dataclasses import dataclass

SHORT = os.environ.get("BENCH_SHORT") == "1"


def scaled(full: float, short: float) -> float:
    """A duration or a count: the full run's, or the short run's."""
    return short if SHORT else full


@dataclass(frozen=True)
class Figure:
    benchmark: str
    what: str
    value: float
    unit: str
    target: str
    ceiling_name: str = ""
    ceiling: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.ceiling if self.ceiling else None


FIGURES: list[Figure] = []


def record(figure: Figure) -> None:
    FIGURES.append(figure)


def table(figures: list[Figure]) -> str:
    """A Markdown table, ready for docs/PERFORMANCE.md."""
    lines = [
        "| benchmark | figure | value | target | bounded by (same run) | ratio |",
        "|---|---|---:|---|---|---:|",
    ]
    for f in figures:
        ceiling = f"{f.ceiling_name} {_number(f.ceiling)}" if f.ceiling is not None else ""
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
        lines.append(
            f"| {f.benchmark} | {f.what} | {_number(f.value)} {f.unit} | {f.target} | {ceiling} "
            f"| {ratio} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
