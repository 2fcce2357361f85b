"""CPU seconds by process, for every process a benchmark started (its children, theirs,
and itself), named by role: ``orders``, ``routing``, ... for services, ``mongod``,
``kafka``, ``load`` for the benchmark's own process. Read from Linux ``/proc``.

On a box where everything shares the same cores, the sum over a run is what bounds it:
at ``cores / (CPU-seconds per item)`` items a second the box is busy all the time.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    return _stat(pid)[1]


def by_role(root: int | None = None) -> dict[str, float]:
    """CPU seconds used so far by ``root`` (this process by default) and every process
    under it, summed per role. A process that ends between two readings drops out, so
    compare readings of processes that live through the span."""
    root = root or os.getpid()
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent, _ = _stat(int(entry.name))
            except OSError:
                continue  # ended meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    totals: dict[str, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            role = _role(pid, root)
            totals[role] = totals.get(role, 0.0) + _stat(pid)[1]
        except OSError:
            continue
    return totals


def spent(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """CPU seconds per role between two ``by_role`` readings, the largest first."""
    used = {role: cpu - before.get(role, 0.0) for role, cpu in after.items()}
    return dict(sorted(used.items(), key=lambda item: -item[1]))


def box_bound(used: dict[str, float], items: int, unit: str = "order") -> float:
    """Prints the CPU each role spent per item, and returns the rate at which that would
    keep every core of the box busy: the bound of a box that runs all of them."""
    items = max(items, 1)
    per_item = sum(used.values()) / items
    shares = ", ".join(f"{role} {cpu / items * 1e6:,.0f}" for role, cpu in used.items())
    cores = os.cpu_count() or 1
    print(f"  CPU per {unit}, µs: {shares}; all {per_item * 1e6:,.0f}")
    print(f"  the box's {cores} cores are all busy at {cores / per_item:,.0f} {unit}s/s")
    return cores / per_item


def _stat(pid: int) -> tuple[int, float]:
    """The parent's pid and the CPU seconds of ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "load"
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    if "-m" in argv:
        module = argv[argv.index("-m") + 1]
        return module.removeprefix("services.").split(".")[0]
    joined = " ".join(argv)
    if "kafka.Kafka" in joined:
        return "kafka"
    return Path(argv[0]).name or "other"
