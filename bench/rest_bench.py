"""REST channel latency and throughput under `faqbot serve`, every message persisted.

Usage: python bench/rest_bench.py [--workers 2] [--seconds 10]

Starts `faqbot serve` on a free loopback port with a fresh SQLite database,
measures one-at-a-time turn latency (p50, p99) for an FAQ question and for a
consultation-form step, then requests per second at 16 concurrent connections
with wrk (Debian package `wrk`) when it is installed, else with a Python
client (which competes with the server for the two cores, so reads lower).
`bench/bench.py` (`make bench`) is the benchmark of record, with issue 10's
targets; this one is a quicker look at one-at-a-time latency. FAQBOT_SEMANTIC
passes through (off: the light mode).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FAQ_MESSAGES = (
    "is ketamine safe?",
    "what are the side effects",
    "how does ketamine work for pain",
    "can you get addicted to ketamine",
    "what is chronic pain",
)
FORM_STEPS = ("I'd like to book a consultation", "Dana Reyes", "513-555-0142", "skip")
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local messages = {%s}
local counter = 0
local id = 0
setup = function(thread)
  id = id + 1
  thread:set("id", id)
end
request = function()
  counter = counter + 1
  -- 2,000 visitors, each sending several messages, as on a real site
  local body = string.format('{"sender": "wrk-%%d-%%d", "message": "%%s"}',
    id, counter %% 2000, messages[(counter %% #messages) + 1])
  return wrk.format(nil, "/webhooks/rest/webhook", nil, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(conn: http.client.HTTPConnection, sender: str, message: str) -> float:
    body = json.dumps({"sender": sender, "message": message})
    start = time.perf_counter()
    conn.request(
        "POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("faqbot serve did not come up")


def latency(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    faq = [post(conn, f"lat-faq-{i}", FAQ_MESSAGES[i % 5]) for i in range(500)]
    form: list[float] = []
    for i in range(150):
        form += [post(conn, f"lat-form-{i}", step) for step in FORM_STEPS]
    for name, values in (("FAQ question", faq), ("form step", form)):
        print(
            f"{name:<14} p50 {percentile(values, 0.5) * 1000:6.2f} ms"
            f"   p99 {percentile(values, 0.99) * 1000:6.2f} ms   (n={len(values)})"
        )


def throughput_wrk(port: int, seconds: int) -> None:
    messages = ", ".join(json.dumps(m) for m in FAQ_MESSAGES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % messages)
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(script.name)
    print("wrk, 16 connections:")
    for line in result.stdout.splitlines():
        if any(
            k in line
            for k in (
                "Requests/sec",
                "50%",
                "99%",
                "requests in",
                "Non-2xx",
                "Socket errors",
            )
        ):
            print("  " + line.strip())


def throughput_python(port: int, seconds: int) -> None:
    counts = [0] * 16
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            post(conn, f"py-{index}-{counts[index]}", FAQ_MESSAGES[counts[index] % 5])
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"python client, 16 connections: {sum(counts) / seconds:.0f} requests/s")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--workers", type=int, default=2)
    args.add_argument("--seconds", type=int, default=10)
    options = args.parse_args()
    port = free_port()
    faqbot = Path(sys.executable).with_name("faqbot")
    with tempfile.TemporaryDirectory() as instance:
        env = {
            **os.environ,
            "FAQBOT_INSTANCE_PATH": instance,
            # Every request comes from one address: keep the limits out of it.
            "FAQBOT_RATELIMIT_PER_ADDRESS": "1000000000/minute",
            "FAQBOT_RATELIMIT_PER_SENDER": "1000000/minute",
        }
        env.pop("FAQBOT_DATABASE_URL", None)
        server = subprocess.Popen(
            [
                str(faqbot),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(options.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, time.monotonic() + 30)
            print(
                f"faqbot serve: {options.workers} gevent workers, SQLite,"
                f" {os.cpu_count()} cores"
            )
            latency(port)
            if shutil.which("wrk"):
                throughput_wrk(port, options.seconds)
            else:
                throughput_python(port, options.seconds)
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
