"""What every benchmark says about the machine it ran on: a 2-core VM's figures depend on it."""
from __future__ import annotations

import os
import time
from pathlib import Path


def cpu_steal() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs so far, from /proc/stat (Linux); steal is time the VM did not get."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return (values[7] if len(values) > 7 else 0), sum(values[:8])


def closing_line(started: float, steal_before: tuple[int, int] | None) -> str:
    """Run time, load average and the CPU steal since `steal_before`, for the last line of a report."""
    steal_after, steal = cpu_steal(), ""
    if steal_before and steal_after and steal_after[1] > steal_before[1]:
        share = (steal_after[0] - steal_before[0]) / (steal_after[1] - steal_before[1])
        steal = f"; CPU steal (time the hypervisor gave elsewhere) {share:.1%}"
    return (f"\nWhole benchmark: {time.perf_counter() - started:.0f} s; "
            f"load average after: {os.getloadavg()[0]:.2f} (this benchmark included){steal}")
