"""Parse latency, knowledge-base load time and resident memory.

Usage: python bench/parse_bench.py [MESSAGES.yml] [--rounds N]

Messages come from a labelled file (default ../shared/eval/dev.yml); without
one, the knowledge base's own phrasings with a typo added stand in. Each round
uses a fresh parser so the typo cache starts cold for the first round.
Targets: p50 <= 100 us, p99 <= 1 ms, load <= 200 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.knowledge import load_knowledge_base
from bot.understanding.parser import Parser

DEFAULT_MESSAGES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.yml"


def resident_mib() -> float:
    """Current resident set size of this process, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def messages(path: Path | None) -> list[str]:
    if path is not None and path.exists():
        return [item["text"] for item in yaml.safe_load(path.read_text())]
    knowledge = load_knowledge_base()
    texts = [e for t in knowledge.topics for e in t.examples]
    return [t[:-2] + t[-1] + t[-2] if len(t) > 6 else t for t in texts]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("messages", nargs="?", type=Path, default=DEFAULT_MESSAGES)
    args.add_argument("--rounds", type=int, default=20)
    options = args.parse_args()
    texts = messages(options.messages)
    rss_before = resident_mib()

    loads = []
    for _ in range(5):
        start = time.perf_counter()
        parser = Parser(load_knowledge_base())
        loads.append(time.perf_counter() - start)
    rss_after = resident_mib()

    gc.collect()
    latencies = []
    for _ in range(options.rounds):
        for text in texts:
            start = time.perf_counter_ns()
            parser.parse(text)
            latencies.append(time.perf_counter_ns() - start)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1000
    p99 = latencies[int(len(latencies) * 0.99)] / 1000
    print(f"python            {sys.version.split()[0]}")
    print(f"messages          {len(texts)} x {options.rounds} rounds")
    print(f"parse p50         {p50:8.1f} us   (target <= 100 us)")
    print(f"parse p99         {p99:8.1f} us   (target <= 1000 us)")
    print(f"parse mean        {statistics.fmean(latencies) / 1000:8.1f} us")
    print(
        f"load (kb+parser)  {min(loads) * 1000:8.1f} ms best,"
        f" {statistics.median(loads) * 1000:.1f} ms median   (target <= 200 ms)"
    )
    print(
        f"resident memory   {rss_after:8.1f} MiB  ({rss_after - rss_before:+.1f} MiB"
        " for five loaded parsers)"
    )


if __name__ == "__main__":
    main()
