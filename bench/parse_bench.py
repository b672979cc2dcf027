"""Parse latency, knowledge-base load time and resident memory.

Usage: python bench/parse_bench.py [MESSAGES.yml] [--rounds N] [--light]

Messages come from a labelled file (default ../shared/eval/dev.yml); without
one, the knowledge base's own phrasings with a typo added stand in. The parser
is the product's (`bot.runtime.build_parser`): with the sentence model, unless
--light. Targets with the model: p50 <= 10 ms, resident memory <= 400 MB per
worker; light mode: p50 <= 100 us, p99 <= 1 ms; load <= 200 ms either way (the
model itself loads on the first message: "model load" below).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.knowledge import load_knowledge_base
from bot.runtime import build_parser

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
    args.add_argument("--rounds", type=int, default=None)
    args.add_argument("--light", action="store_true", help="without the model")
    options = args.parse_args()
    semantic = not options.light
    rounds = options.rounds or (3 if semantic else 20)
    texts = messages(options.messages)
    rss_before = resident_mib()

    loads = []
    for _ in range(5):
        start = time.perf_counter()
        parser = build_parser(load_knowledge_base(), semantic=semantic)
        loads.append(time.perf_counter() - start)
    start = time.perf_counter()
    parser.parse("warm up: the model loads on the first message")
    model_load = time.perf_counter() - start
    rss_after = resident_mib()

    gc.collect()
    latencies = []
    cpu = []
    for _ in range(rounds):
        for text in texts:
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            parser.parse(text)
            latencies.append(time.perf_counter_ns() - start)
            cpu.append(time.thread_time_ns() - start_cpu)
    latencies.sort()
    cpu.sort()
    p50 = latencies[len(latencies) // 2] / 1000
    p99 = latencies[int(len(latencies) * 0.99)] / 1000
    print(f"python            {sys.version.split()[0]}")
    print(f"mode              {'sentence model' if semantic else 'light'}")
    print(f"messages          {len(texts)} x {rounds} rounds")
    if semantic:
        print(f"parse p50         {p50 / 1000:8.2f} ms   (target <= 10 ms)")
        print(f"parse p99         {p99 / 1000:8.2f} ms")
        # On a shared machine the wall clock counts time spent waiting for a
        # core; CPU time is what one parse costs a core of its own.
        cpu_p50 = cpu[len(cpu) // 2] / 1e6
        print(f"parse CPU p50     {cpu_p50:8.2f} ms   (one BLAS thread)")
        load = os.getloadavg()[0]
        print(f"load average      {load:8.2f}   (cores: {os.cpu_count()})")
        print(f"model load        {model_load * 1000:8.1f} ms   (first message)")
    else:
        print(f"parse p50         {p50:8.1f} us   (target <= 100 us)")
        print(f"parse p99         {p99:8.1f} us   (target <= 1000 us)")
    print(f"parse mean        {statistics.fmean(latencies) / 1000:8.1f} us")
    print(
        f"load (kb+parser)  {min(loads) * 1000:8.1f} ms best,"
        f" {statistics.median(loads) * 1000:.1f} ms median   (target <= 200 ms)"
    )
    target = "   (target <= 400 MB per worker)" if semantic else ""
    print(
        f"resident memory   {rss_after:8.1f} MiB  ({rss_after - rss_before:+.1f} MiB"
        f" for five parsers, one model loaded){target}"
    )


if __name__ == "__main__":
    main()
