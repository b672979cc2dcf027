"""Staff pages under load: the inbox, a request page and an export with many
requests stored, and how long a worker takes to pick up what staff taught.

Usage: python bench/staff_bench.py [--requests N] [--rounds R]

Runs against a throwaway SQLite database in a temporary folder, through
Flask's test client (no network), and prints median and worst times.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.runtime import build_runtime, learned_knowledge, with_knowledge
from bot.settings import Settings
from bot.storage import HandoffDetails, TranscriptLine
from bot.storage.learning import Learning
from webhook import create_app
from webhook.staff.services import SERVICES_KEY


def _timed(call, rounds: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faqbot-staff-bench-"))
    runtime = build_runtime(Settings.from_env({"FAQBOT_INSTANCE_PATH": str(folder)}))
    now = datetime.now(UTC)
    lines = [
        TranscriptLine("user" if i % 2 == 0 else "bot", f"message {i}", now)
        for i in range(16)
    ]
    for n in range(args.requests):
        runtime.store.save_handoff(
            HandoffDetails(
                f"Visitor {n}", f"+1513555{n % 10000:04d}", None, "mornings", None, now
            ),
            channel="rest",
            sender_id=f"bench-{n}",
            transcript=lines,
        )
    app = create_app(runtime=runtime)
    app.extensions[SERVICES_KEY].users.create("bench", "a long bench password")
    client = app.test_client()
    token = client.get("/staff/login").get_data(as_text=True)
    token = token.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/staff/login",
        data={
            "username": "bench",
            "password": "a long bench password",
            "csrf_token": token,
        },
    )
    print(f"{args.requests} requests stored, {args.rounds} rounds each (ms):")
    for label, path in (
        ("inbox (newest 200)", "/staff/"),
        ("inbox search", "/staff/?q=visitor%2012"),
        ("request page", "/staff/requests/1"),
        ("CSV export, all", "/staff/requests.csv"),
        ("insights", "/staff/insights"),
    ):
        median, worst = _timed(lambda p=path: client.get(p), args.rounds)
        print(f"  {label:<22} median {median:8.1f}   worst {worst:8.1f}")
    learning = Learning(runtime.store)
    learning.add_phrasings("faq/side_effects", ["does it make you loopy"], author="b")
    median, worst = _timed(
        lambda: with_knowledge(
            runtime, learned_knowledge(runtime.knowledge, learning.learned())
        ),
        max(3, args.rounds // 4),
    )
    print(f"  {'knowledge rebuild':<22} median {median:8.1f}   worst {worst:8.1f}")


if __name__ == "__main__":
    main()
