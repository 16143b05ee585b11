"""README's performance table, generated from bench-results.json: `make bench` writes both, and
tests/unit/test_readme_bench.py fails when the README no longer shows what the file holds."""

import re
from pathlib import Path
from typing import Any

START = "<!-- bench-table: written by `make bench` from bench-results.json; edit bench/report.py, not this table -->"
END = "<!-- /bench-table -->"
# A row's target, by the start of its figure (storage-and-performance.md § 4 and issue 9).
TARGETS = (
    ("cold import ÷ import boto3", "≤ 2.0"),
    ("cold import ms", "≤ 2 × import boto3"),
    ("validate µs", "≥ 2.5× the baseline"),
    ("WCU / 1,000 live samples, aggregator", "≤ 75"),
    ("WCU / 1,000 live samples, per_host", "≤ 300"),
    ("WCU / 1,000 live samples, worst", "≤ 1,050"),
    ("billed B / stored sample", "≤ 8"),
    ("items read, 1 series × 1 d", "≤ 24"),
    ("items read, 1 series × 7 d", "≤ 8"),
    ("items read, 100 series", "≤ 100"),
    ("GET 1 series × 1 week", "≥ 100× faster"),
    ("group_by sum", "≤ 1.5"),
    ("composite", "≤ 5"),
    ("alert tick: series reads", "≤ 100"),
    ("alert tick: evaluation ms", "≤ 2,000"),
    ("anomaly precision", "≥ 0.9"),
    ("anomaly recall", "≥ 0.9"),
    ("snapshot render ms", "≤ 1,500"),
    ("aggregator, full floats, every 60 s", "WCU ≤ 75 / RCU ≤ 20 / ≤ 8 B"),
    ("aggregator, full floats, every 300 s", "WCU ≤ 300"),
    ("POST of 35,000 measurements", "202"),
    ("GET 1 series × last hour of a metric", "≤ 10 RCU / ≤ 200 ms"),
)


def target(figure: str) -> str:
    return next((goal for prefix, goal in TARGETS if figure.startswith(prefix)), "–")


def table(results: dict[str, Any]) -> str:
    lines = ["| figure | Polymetric | baseline | target |", "|---|---|---|---|"]
    lines += [f"| {figure} | {ours} | {baseline} | {target(figure)} |" for figure, ours, baseline in results["rows"]]
    return "\n".join(lines)


def block(results: dict[str, Any]) -> str:
    return f"{START}\n{table(results)}\n{END}"


def readme_block(readme: str) -> str:
    found = re.search(re.escape(START) + r".*?" + re.escape(END), readme, re.S)
    if found is None:
        raise ValueError(f"README.md has no {START!r} ... {END!r} block")
    return found.group(0)


def update_readme(path: Path, results: dict[str, Any]) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(readme_block(text), block(results)), encoding="utf-8")
