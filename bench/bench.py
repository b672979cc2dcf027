"""`make bench`: one table of faqbot's speed, memory and start-up, every message
persisted, on SQLite and on PostgreSQL.

Usage: python bench/bench.py [--seconds 8] [--workers 2] [--backends sqlite,postgres]
       FAQBOT_SEMANTIC=off python bench/bench.py   # rules and matcher only

For each backend it starts `faqbot serve` on a free loopback port and measures,
with wrk (Debian package `wrk`) at 16 connections: FAQ turns from new visitors
(a new sender every request), from returning visitors (200 senders seen
before), consultation-form steps, and the same server's GET /health, the
framework's ceiling, in the same run; then /health and a chat turn while 100
stalled connections are held open; resident memory per worker; cold start
(process start to the first /health answer). Parse latency is measured in
process. Rate limits are raised for the run: wrk sends everything from one
address. PostgreSQL is the machine's (postgresql+psycopg://postgres@127.0.0.1/test),
in a schema made for the run and dropped after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 16
STALLED = 100
RASA_REST_RATE = 17.0  # stock Rasa 3.6 on faqbot's export, measured in issue 10
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


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()[0]
    return (
        f"{platform.node()}: {model}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}; load average {load:.1f} at the start"
    )


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
def server(url: str, folder: Path, workers: int) -> Iterator[tuple[int, int, float]]:
    """(port, master pid, cold start seconds) of a running `faqbot serve`."""
    port = free_port()
    env = {
        **os.environ,
        "FAQBOT_DATABASE_URL": url,
        "FAQBOT_INSTANCE_PATH": str(folder),
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


def wrk(port: int, seconds: int, script: str | None, path: str = "/") -> dict[str, str]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    found = {
        "rate": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "p50": re.search(r"50%\s+([\d.]+\w+)", out),
        "p99": re.search(r"99%\s+([\d.]+\w+)", out),
        "errors": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
    }
    return {k: (m.group(1) if m else "0") for k, m in found.items()}


def post_script(name: str) -> str:
    sender, pick, texts = SCENARIOS[name]
    script = WRK_POST % {
        "texts": ", ".join(json.dumps(t) for t in texts),
        "sender": sender,
        "pick": pick,
    }
    # Each run's consultations are new ones.
    return f"local run = {int(time.time() * 1000) % 1000000}\n" + script


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


def stalled_latency(port: int) -> tuple[float, float]:
    """Worst /health and chat-turn latency (ms) with 100 stalled connections open."""
    held = []
    try:
        for _ in range(STALLED):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: b\r\n"
                b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n{"
            )
            held.append(s)
        health, chat = [], []
        for n in range(20):
            started = time.perf_counter()
            get(port, "/health")
            health.append(time.perf_counter() - started)
            chat.append(post(port, f"stalled-{n}-{uuid.uuid4().hex[:6]}", FAQ[0]))
        return max(health) * 1000, max(chat) * 1000
    finally:
        for s in held:
            s.close()


def parse_latency() -> tuple[float, float]:
    from bot.knowledge import load_knowledge_base
    from bot.understanding.parser import Parser

    knowledge = load_knowledge_base()
    parser = Parser(knowledge)
    texts = [e for t in knowledge.topics for e in t.examples]
    timings = []
    for _ in range(5):
        for text in texts:
            started = time.perf_counter_ns()
            parser.parse(text)
            timings.append(time.perf_counter_ns() - started)
    timings.sort()
    return timings[len(timings) // 2] / 1000, timings[int(len(timings) * 0.99)] / 1000


def bench_backend(backend: str, seconds: int, workers: int) -> list[str] | None:
    with (
        tempfile.TemporaryDirectory() as folder,
        database(backend, Path(folder)) as url,
    ):
        if url is None:
            return None
        with server(url, Path(folder), workers) as (port, master, cold):
            for n in range(200):  # the returning visitors' first turns
                post(port, f"ret-{n}", FAQ[0])
            wrk(port, 2, post_script("new"))  # warm-up
            results = {
                name: wrk(port, seconds, post_script(name)) for name in SCENARIOS
            }
            results["health"] = wrk(port, seconds, None, "/health")
            stalled_health, stalled_chat = stalled_latency(port)
            memory = worker_memory(master)
        rows = []
        for name, label in (
            ("new", "FAQ turn, new visitors"),
            ("returning", "FAQ turn, returning visitors"),
            ("form", "form step"),
            ("health", "GET /health (ceiling)"),
        ):
            r = results[name]
            errors = f" ({r['errors']} non-2xx)" if r["errors"] != "0" else ""
            rows.append(
                f"| {backend} | {label} | {float(r['rate']):,.0f}{errors} |"
                f" {r['p50']} | {r['p99']} |"
            )
        share = float(results["new"]["rate"]) / float(results["health"]["rate"])
        rasa = float(results["new"]["rate"]) / RASA_REST_RATE
        rows.append(
            f"| {backend} | new-visitor rate vs /health; vs Rasa 3.6 (17/s) |"
            f" {share:.0%}; {rasa:.0f}x | | |"
        )
        rows.append(
            f"| {backend} | worst of 20 with {STALLED} stalled connections open |"
            f" | /health {stalled_health:.1f} ms | chat {stalled_chat:.1f} ms |"
        )
        rows.append(
            f"| {backend} | resident memory per worker |"
            f" {', '.join(f'{m:.0f} MiB' for m in memory)} | | |"
        )
        rows.append(f"| {backend} | cold start to first /health | {cold:.2f} s | | |")
        return rows


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--seconds", type=int, default=8)
    args.add_argument("--workers", type=int, default=2)
    args.add_argument("--backends", default="sqlite,postgres")
    options = args.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: needs wrk (apt-get install wrk)")
    print(f"Machine: {machine()}")
    semantic = os.environ.get("FAQBOT_SEMANTIC", "on")
    print(
        f"faqbot serve --workers {options.workers} (gevent), {CONNECTIONS} wrk"
        f" connections, {options.seconds} s per row, every message persisted,"
        f" FAQBOT_SEMANTIC={semantic}\n"
    )
    p50, p99 = parse_latency()
    print("| backend | measure | requests/s | p50 | p99 |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| - | parse (in process) | | {p50:.0f} us | {p99:.0f} us |")
    for backend in options.backends.split(","):
        rows = bench_backend(backend, options.seconds, options.workers)
        for row in rows or [f"| {backend} | unavailable: skipped | | | |"]:
            print(row, flush=True)


if __name__ == "__main__":
    main()
