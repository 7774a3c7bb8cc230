"""Per-stage timings of a demo build: CPU seconds of this process (stable on a busy machine) and wall
seconds (which include the database server's work and waiting for a core). `build_demo` prints one line
per stage and a table at the end; bench/demo_build.py prints the same table."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timings:
    say: Callable[[str], None] = lambda message: None
    rows: list[tuple[str, float, float]] = field(default_factory=list)  # (stage, cpu s, wall s)

    @contextmanager
    def stage(self, name: str):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            row = (name, time.process_time() - cpu, time.perf_counter() - wall)
            self.rows.append(row)
            self.say(f"  [{name}] CPU {row[1]:.1f} 秒,用时 {row[2]:.1f} 秒")

    def table(self) -> str:
        width = max([len(name) for name, _, _ in self.rows] + [5])
        lines = [f"{'stage':<{width}}  {'cpu_s':>7}  {'wall_s':>7}"]
        lines += [f"{name:<{width}}  {cpu:7.1f}  {wall:7.1f}" for name, cpu, wall in self.rows]
        lines.append(f"{'total':<{width}}  {sum(r[1] for r in self.rows):7.1f}  {sum(r[2] for r in self.rows):7.1f}")
        return "\n".join(lines)
