"""Decisions per second of ``PolicySet.evaluate_many`` on the benchmark scenarios.

For each scenario (``benches/data/seed.json``, ``benches/data/big100.json``), a pyarrow
table of N requests is made by repeating the scenario's cases, and timed through:

- ``table``: one ``evaluate_many`` call on the table (request building included), with
  the default ``threads`` (one per core for a table this large);
- ``table, threads=K``: the same call with ``threads=K``;
- ``objects``: one call on a list of prebuilt ``Request`` objects (no building);
- ``evaluate``: a Python loop of ``evaluate`` calls (per-call overhead).

Run from the repository root, with the package and pyarrow installed:

    python python/bench/evaluate_many.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa

import iam_eval

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ["seed", "big100"]


def requests_table(cases: list[dict[str, Any]], rows: int) -> pa.Table:
    """The scenario's requests, repeated to `rows` rows; one column per context key."""
    keys = sorted({k for c in cases for k in c["request"].get("context", {})})
    columns: dict[str, list[Any]] = {
        name: [] for name in ["principal", "action", "resource", "resource_account", *keys]
    }
    for i in range(rows):
        r = cases[i % len(cases)]["request"]
        for name in ["principal", "action", "resource", "resource_account"]:
            columns[name].append(r.get(name))
        for k in keys:
            columns[k].append(r.get("context", {}).get(k))
    return pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})


def best(f: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The shortest wall-clock and CPU times of `repeat` runs of `f`, in seconds.

    On a shared machine the process's CPU time is the steadier figure for one thread:
    it leaves out the time the process waited for a core.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = args.rows
    print("| scenario | input | rows | wall time | decisions/s (wall) | CPU time | decisions/s (CPU) | ns/decision (CPU) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in SCENARIOS:
        path = ROOT / "benches" / "data" / f"{name}.json"
        cases = json.loads(path.read_text())["cases"]
        test_file = iam_eval.TestFile.load(path)
        policy_set = test_file.policy_set
        table = requests_table(cases, rows)
        decisions = policy_set.evaluate_many(table)
        expected = [cases[i % len(cases)]["expect"] for i in range(len(cases))]
        got = decisions.to_list()[: len(cases)]
        assert got == expected, (name, got, expected)

        def report(label: str, n: int, times: tuple[float, float]) -> None:
            wall, cpu = times
            print(
                f"| {name} | {label} | {n:,} | {wall * 1e3:.0f} ms | {n / wall / 1e6:.2f} M | "
                f"{cpu * 1e3:.0f} ms | {n / cpu / 1e6:.2f} M | {cpu / n * 1e9:.0f} |"
            )

        report("table", rows, best(lambda: policy_set.evaluate_many(table), args.repeat))
        for k in (1, 2):
            report(
                f"table, threads={k}",
                rows,
                best(lambda: policy_set.evaluate_many(table, threads=k), args.repeat),
            )
        objects = [c.request for c in test_file.cases] * (rows // len(cases))
        report(
            "objects",
            len(objects),
            best(lambda: policy_set.evaluate_many(objects), args.repeat),
        )
        few = objects[: rows // 10]
        evaluate = policy_set.evaluate
        report("evaluate", len(few), best(lambda: [evaluate(r) for r in few], 1))


if __name__ == "__main__":
    main()
