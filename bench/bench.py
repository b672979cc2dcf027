"""`make bench`: one table of faqbot's speed, memory and start-up, every message
persisted, on SQLite and on PostgreSQL, with the sentence model and without.

Usage: python bench/bench.py [--seconds 8] [--repeat 3] [--workers 2]
                             [--backends sqlite,postgres] [--modes light,semantic]

Modes: "semantic" is the understanding layer as it ships (the sentence model);
"light" is FAQBOT_SEMANTIC=off (rules and matcher only). For each mode and
backend it starts `faqbot serve` on a free loopback port and measures, with wrk
(Debian package `wrk`) at 16 connections: FAQ turns from new visitors (a new
sender every request), from returning visitors (200 senders seen before),
consultation-form steps, and the same server's GET /health, the framework's
ceiling, in the same run. Each of these runs `--repeat` times, one after the
other, and the table gives the median of the rates and of the percentiles, with
the load average (other processes' work on the machine) before the row.
Then, with 100 stalled connections held open (headers and one byte of body
sent), 50 `/health` requests and 50 chat turns are timed one at a time, and
again while wrk sends FAQ turns at 16 connections; resident memory per worker;
cold start (process start to the first /health answer). Parse latency is
measured in process. The last column says whether issue 10's target for the row
is met. Rate limits are raised for the run: wrk sends everything from one
address. PostgreSQL is the machine's
(postgresql+psycopg://postgres@127.0.0.1/test), in a schema made for the run
and dropped after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 16
STALLED = 100
TIMED = 50  # requests timed one at a time with the stalled connections open
RASA_REST_RATE = 17.0  # stock Rasa 3.6 on faqbot's export, measured in issue 10
MODES = {"semantic": "on", "light": "off"}  # mode -> FAQBOT_SEMANTIC
FAQ = ("is ketamine safe?", "what are the side effects", "how does ketamine work")
FORM = (
    "I'd like to book a consultation",
    "Dana Reyes",
    "513-555-0142",
    "dana@example.com",
    "weekday mornings",
    "back pain",
    "yes",
)
WRK_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local texts = {%(texts)s}
local counter = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  counter = counter + 1
  local sender = %(sender)s
  local body = string.format('{"sender": "%%s", "message": "%%s"}', sender,
    texts[%(pick)s])
  return wrk.format(nil, "/webhooks/rest/webhook", nil, body)
end
"""
SCENARIOS = {
    # A sender never seen before, every request.
    "new": (
        'string.format("new-%d-%d-%d", id, counter, math.random(1e9))',
        "(counter % #texts) + 1",
        FAQ,
    ),
    # 200 senders, each warmed up before the run.
    "returning": (
        'string.format("ret-%d", (id * 100 + counter) % 200)',
        "(counter % #texts) + 1",
        FAQ,
    ),
    # Consultations, seven steps each, 16 at a time.
    "form": (
        'string.format("form-%d-%d-%d", id, math.floor(counter / 7), run)',
        "(counter % 7) + 1",
        FORM,
    ),
}
LABELS = {
    "new": "FAQ turn, new visitors",
    "returning": "FAQ turn, returning visitors",
    "form": "form step",
    "health": "GET /health (ceiling)",
}


@dataclass(frozen=True)
class Measured:
    """One wrk row: the median over the repeats, and every repeat's rate."""

    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    rates: tuple[float, ...]
    load: float
    others: float  # share of the machine's CPU other processes used meanwhile


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return (
        f"{platform.node()}: {model}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}"
    )


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def tree_seconds(master: int) -> float:
    """CPU seconds used by the server: its master and worker processes."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master or stat.parent.name == str(master):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def own_seconds() -> float:
    """CPU seconds used by this process and the wrk runs it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def snapshot(master: int) -> tuple[float, float, float, float]:
    """(now, the machine's busy CPU seconds, the server's, this process's)."""
    return time.monotonic(), busy_seconds(), tree_seconds(master), own_seconds()


def load() -> float:
    """The one-minute load average: how busy the machine was."""
    return os.getloadavg()[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def post(port: int, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    try:
        conn.request(
            "POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"chat turn answered {response.status}")
    return time.perf_counter() - started


def timed_get(port: int, path: str) -> float:
    started = time.perf_counter()
    if get(port, path) != 200:
        raise RuntimeError(f"{path} did not answer 200")
    return time.perf_counter() - started


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str | None]:
    if backend == "sqlite":
        yield f"sqlite:///{folder}/bench.db"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(POSTGRES_URL, poolclass=NullPool)
    schema = f"faqbot_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - reported in the table
        print(f"PostgreSQL unavailable ({type(e).__name__}): skipped", file=sys.stderr)
        yield None
        return
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def server(
    url: str, folder: Path, workers: int, semantic: str
) -> Iterator[tuple[int, int, float]]:
    """(port, master pid, cold start seconds) of a running `faqbot serve`."""
    port = free_port()
    env = {
        **os.environ,
        "FAQBOT_DATABASE_URL": url,
        "FAQBOT_INSTANCE_PATH": str(folder),
        "FAQBOT_SEMANTIC": semantic,
        # A PostgreSQL deployment needs one session key for every server.
        "FAQBOT_SECRET_KEY": os.environ.get("FAQBOT_SECRET_KEY")
        or secrets.token_hex(32),
        "FAQBOT_RATELIMIT_PER_ADDRESS": "1000000000/minute",
        "FAQBOT_RATELIMIT_PER_SENDER": "1000000/minute",
    }
    faqbot = Path(sys.executable).with_name("faqbot")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(faqbot), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            try:
                if get(port, "/health") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError("faqbot serve did not start")
            time.sleep(0.02)
        yield port, process.pid, time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def milliseconds(figure: str) -> float:
    """wrk's "812.00us", "3.21ms" or "1.02s" in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", figure)
    if match is None:
        raise ValueError(f"not a wrk duration: {figure!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[match.group(2)]
    return float(match.group(1)) * scale


def wrk_once(
    port: int, seconds: int, script: str | None, path: str
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    command.append(f"http://127.0.0.1:{port}{path}")
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": float(rate.group(1)),
        "p50": milliseconds(p50.group(1)),
        "p99": milliseconds(p99.group(1)),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def wrk(
    port: int,
    master: int,
    seconds: int,
    repeat: int,
    script: Callable[[], str] | None,
    path: str = "/",
) -> Measured:
    """`repeat` wrk runs, one after the other; the medians, and how much of the
    machine other processes took meanwhile (a load average lags by a minute)."""
    before = load()
    runs, others = [], []
    for _ in range(repeat):
        started = snapshot(master)
        runs.append(wrk_once(port, seconds, script() if script else None, path))
        ended = snapshot(master)
        elapsed, busy, ours, own = (b - a for a, b in zip(started, ended, strict=True))
        others.append(max(0.0, busy - ours - own) / (elapsed * (os.cpu_count() or 1)))
    return Measured(
        rate=statistics.median(r["rate"] for r in runs),
        p50_ms=statistics.median(r["p50"] for r in runs),
        p99_ms=statistics.median(r["p99"] for r in runs),
        errors=int(sum(r["errors"] for r in runs)),
        rates=tuple(r["rate"] for r in runs),
        load=before,
        others=statistics.median(others),
    )


def post_script(name: str) -> Callable[[], str]:
    def script() -> str:
        sender, pick, texts = SCENARIOS[name]
        lua = WRK_POST % {
            "texts": ", ".join(json.dumps(t) for t in texts),
            "sender": sender,
            "pick": pick,
        }
        # Each run's consultations are new ones.
        return f"local run = {time.time_ns() % 10**9}\n" + lua

    return script


def worker_memory(master: int) -> list[float]:
    """Resident MiB of each worker process (the master's children)."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"VmRSS:\s+(\d+)", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


@contextmanager
def stalled_connections(port: int) -> Iterator[None]:
    """100 connections that sent their headers and one byte of a 60-byte body."""
    held = []
    try:
        for _ in range(STALLED):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: b\r\n"
                b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n{"
            )
            held.append(s)
        yield
    finally:
        for s in held:
            s.close()


@dataclass(frozen=True)
class Stalled:
    """Milliseconds: /health and chat turns, one at a time, median and worst."""

    health: tuple[float, float]
    chat: tuple[float, float]


def _median_worst(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, max(values) * 1000


def stalled_latency(port: int, *, busy_seconds: int = 0) -> Stalled:
    """/health and chat latency with 100 stalled connections open; with
    `busy_seconds`, while wrk sends FAQ turns from new visitors meanwhile."""
    with stalled_connections(port):
        busy = None
        if busy_seconds:
            busy = threading.Thread(
                target=wrk_once,
                args=(port, busy_seconds, post_script("new")(), "/"),
                daemon=True,
            )
            busy.start()
            time.sleep(1)  # wrk connected and the workers busy
        health, chat = [], []
        for n in range(TIMED):
            health.append(timed_get(port, "/health"))
            chat.append(post(port, f"stalled-{n}-{uuid.uuid4().hex[:6]}", FAQ[0]))
        if busy is not None:
            busy.join()
    return Stalled(_median_worst(health), _median_worst(chat))


def parse_latency(semantic: bool) -> tuple[float, float]:
    """Parse p50 and p99 in microseconds, in this process, one BLAS thread."""
    from bot.knowledge import load_knowledge_base
    from bot.runtime import build_parser

    knowledge = load_knowledge_base()
    parser = build_parser(knowledge, semantic=semantic)
    texts = [e for t in knowledge.topics for e in t.examples]
    parser.parse(texts[0])  # the sentence model loads on the first message
    timings = []
    for _ in range(3 if semantic else 5):
        for text in texts:
            started = time.perf_counter_ns()
            parser.parse(text)
            timings.append(time.perf_counter_ns() - started)
    timings.sort()
    return timings[len(timings) // 2] / 1000, timings[int(len(timings) * 0.99)] / 1000


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def rate_target(mode: str, name: str, r: Measured, health: Measured) -> str:
    """Issue 10's target for a wrk row, and whether the median meets it."""
    if mode == "light" and name == "new":
        share = r.rate / health.rate
        met = r.rate >= 1500 and share >= 0.35 and r.p99_ms <= 25
        return (
            f"≥ 1,500/s, ≥ 35 % of /health ({share:.0%}), p99 ≤ 25 ms:"
            f" {verdict(met)}"
        )
    if mode == "light" and name == "returning":
        return f"≥ 2,000/s: {verdict(r.rate >= 2000)}"
    if mode == "semantic" and name == "new":
        times = r.rate / RASA_REST_RATE
        met = times >= 15 and r.p99_ms <= 50
        return f"≥ 15× Rasa 3.6 ({times:.0f}×), p99 ≤ 50 ms: {verdict(met)}"
    return ""


def figure(ms: float) -> str:
    return f"{ms * 1000:.0f} us" if ms < 1 else f"{ms:.1f} ms"


def bench_backend(
    mode: str, backend: str, seconds: int, repeat: int, workers: int
) -> list[str] | None:
    with (
        tempfile.TemporaryDirectory() as folder,
        database(backend, Path(folder)) as url,
    ):
        if url is None:
            return None
        with server(url, Path(folder), workers, MODES[mode]) as (port, master, cold):
            for n in range(200):  # the returning visitors' first turns
                post(port, f"ret-{n}", FAQ[0])
            wrk_once(port, 2, post_script("new")(), "/")  # warm-up
            results = {
                name: wrk(port, master, seconds, repeat, post_script(name))
                for name in SCENARIOS
            }
            results["health"] = wrk(port, master, seconds, repeat, None, "/health")
            idle = stalled_latency(port)
            busy = stalled_latency(port, busy_seconds=seconds)
            memory = worker_memory(master)
        prefix = f"| {mode} | {backend} |"
        rows = []
        for name, label in LABELS.items():
            r = results[name]
            errors = f" ({r.errors} non-2xx)" if r.errors else ""
            spread = "–".join(f"{x:,.0f}" for x in (min(r.rates), max(r.rates)))
            rows.append(
                f"{prefix} {label} | {r.rate:,.0f}{errors} ({spread}) |"
                f" {figure(r.p50_ms)} | {figure(r.p99_ms)} |"
                f" {r.others:.0%}, {r.load:.1f} |"
                f" {rate_target(mode, name, r, results['health'])} |"
            )
        for label, s in (("no other traffic", idle), ("wrk sending FAQ turns", busy)):
            met = max(s.health[1], s.chat[1]) <= 100
            target = f"≤ 100 ms: {verdict(met)}" if s is idle else ""
            rows.append(
                f"{prefix} {STALLED} stalled connections open, {label}:"
                f" {TIMED} /health and {TIMED} chat turns, median / worst | |"
                f" /health {figure(s.health[0])} / {figure(s.health[1])} |"
                f" chat {figure(s.chat[0])} / {figure(s.chat[1])} | {load():.1f} |"
                f" {target} |"
            )
        rows.append(
            f"{prefix} resident memory per worker |"
            f" {', '.join(f'{m:.0f} MiB' for m in memory)} | | | | |"
        )
        rows.append(f"{prefix} cold start to first /health | {cold:.2f} s | | | | |")
        return rows


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--seconds", type=int, default=8)
    args.add_argument("--repeat", type=int, default=3)
    args.add_argument("--workers", type=int, default=2)
    args.add_argument("--backends", default="sqlite,postgres")
    args.add_argument("--modes", default="light,semantic")
    options = args.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: needs wrk (apt-get install wrk)")
    modes = options.modes.split(",")
    if not set(modes) <= set(MODES):
        sys.exit(f"bench: --modes takes {', '.join(MODES)}")
    print(f"Machine: {machine()}; load average {load():.1f} at the start")
    print(
        f"faqbot serve --workers {options.workers} (gevent), {CONNECTIONS} wrk"
        f" connections, {options.seconds} s per run, median of {options.repeat}"
        f" runs per row (the range of rates in brackets), every message persisted\n"
    )
    print(
        "| mode | backend | measure | requests/s | p50 | p99 |"
        " others' CPU, load | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode in modes:
        p50, p99 = parse_latency(semantic=mode == "semantic")
        print(
            f"| {mode} | - | parse (in process) | | {figure(p50 / 1000)} |"
            f" {figure(p99 / 1000)} | {load():.1f} | |",
            flush=True,
        )
        for backend in options.backends.split(","):
            rows = bench_backend(
                mode, backend, options.seconds, options.repeat, options.workers
            )
            for row in rows or [f"| {mode} | {backend} | unavailable: skipped |"]:
                print(row, flush=True)
    print(f"\nLoad average {load():.1f} at the end.")


if __name__ == "__main__":
    main()
