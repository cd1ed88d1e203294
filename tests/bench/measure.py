"""Small probes shared by the benchmark children (no heavy imports: they run in the floor's
process too)."""

from __future__ import annotations

import resource

SIZE = (120, 36)  # the terminal every benchmark uses


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    """User + system time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
