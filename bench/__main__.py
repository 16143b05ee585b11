"""`make bench`: cold imports, validation speed, write units per 1,000 samples, items read per query, query compute.

Counts come from the exact items written and read under moto, priced by AWS's rules
(polymetric.storage.capacity); timings are medians in this process, each beside a baseline run
here too. Prints a table, writes bench-results.json at the repository root (the figures and the
table's rows) and rewrites README.md's performance table from it (bench/report.py).
"""

import json
import os
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "PolymetricBench")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "polymetric")
    # The handler runs of the storage section publish no metric; Powertools would say so each time.
    warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
    from bench import alerts, anomaly, cold, composite, compute, report, snapshot, storage, validation

    results: dict[str, Any] = {}
    rows: list[tuple[str, str, str]] = []
    for section in (cold, validation, storage, compute, composite, alerts, anomaly, snapshot):
        section_results, section_rows = section.run(median_seconds)
        results.update(section_results)
        rows.extend(section_rows)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'polymetric':>14}  baseline")
    for name, ours, baseline in rows:
        print(f"{name:<{width}}  {ours:>14}  {baseline}")
    results["rows"] = [list(row) for row in rows]
    from bench.load import LOAD_KEYS

    # `make load`'s figures (bench/load.py) come from its own, much longer runs: keep them.
    previous_path = REPO / "bench-results.json"
    if previous_path.is_file():
        previous = json.loads(previous_path.read_text())
        results.update({k: v for k, v in previous.items() if k.startswith(LOAD_KEYS) and k not in results})
    (REPO / "bench-results.json").write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    report.update_readme(REPO / "README.md", results)
    print(f"\nwrote {REPO / 'bench-results.json'} and the performance table of {REPO / 'README.md'}")


if __name__ == "__main__":
    main()
