"""The README's performance table is what `make bench` last measured (bench-results.json), never typed by hand."""

import json
from pathlib import Path

from bench import report

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_table_shows_bench_results_json() -> None:
    results = json.loads((REPO / "bench-results.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert report.readme_block(readme) == report.block(results), "run `make bench` (it rewrites both)"
