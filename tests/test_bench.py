"""The bench reads each run's phase log: its parser and the log's format agree."""

from __future__ import annotations

import time

from pipeline import bench, run


def test_bench_reads_the_phase_log_the_run_prints(capsys):
    timer = run.PhaseTimer(True)
    time.sleep(0.02)
    timer.mark("scan", "read; 3 cleaned ahead")
    timer._emit("pipeline load", 1.25, None, None, "in this process, while the workers scan")
    timer.mark("write tables")
    parsed = bench.phases(capsys.readouterr().err)
    assert abs(parsed["scan"] - timer.phases[0][1]) <= 0.0051 and parsed["scan"] >= 0.02
    assert parsed["pipeline load"] == 1.25 and "write tables" in parsed
    assert set(parsed) <= {"start-up", "scan", "pipeline load", "write tables"}
    assert bench.phases("no log here\n") == {}


def test_bench_flatness_is_the_spread_over_sizes_from_200_up():
    # 50 reports are left out (start-up dominates there); 200 vs the fastest of 1000/5000
    assert bench.flatness({50: 17.4, 200: 29.8, 1000: 34.1, 5000: 36.0}) == (36.0 - 29.8) / 36.0
    assert bench.flatness({50: 10.0, 200: 30.0}) is None
    assert bench.flatness({200: 30.0, 5000: 30.0}) == 0.0
