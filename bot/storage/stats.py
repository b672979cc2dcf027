"""Figures for the insights page: activity per week, top topics, fallback rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.storage import schema
from bot.storage.store import Store

FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Week:
    """Counts for the week starting on Monday `start`."""

    start: date
    conversations: int
    requests: int
    crises: int


@dataclass(frozen=True)
class Summary:
    """What the insights page shows."""

    weeks: tuple[Week, ...]
    top_topics: tuple[tuple[str, int], ...]
    questions: int
    fallbacks: int

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.questions if self.questions else 0.0


class Insights:
    """Aggregates over stored conversations, requests and crisis flags."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def summary(
        self, *, weeks: int = 12, top: int = 10, now: datetime | None = None
    ) -> Summary:
        """The last `weeks` weeks, this one included."""
        now = now or datetime.now(UTC)
        first = _monday(now.date()) - timedelta(weeks=weeks - 1)
        since = datetime.combine(first, datetime.min.time(), UTC)
        c, h, f, m = (
            schema.conversations,
            schema.handoffs,
            schema.crisis_flags,
            schema.messages,
        )
        with self._store.transaction("read insights") as conn:
            started = conn.execute(
                select(c.c.created_at).where(c.c.created_at >= since)
            ).scalars()
            conversation_weeks = Counter(_monday(t.date()) for t in started)
            made = conn.execute(
                select(h.c.created_at).where(h.c.created_at >= since)
            ).scalars()
            request_weeks = Counter(_monday(t.date()) for t in made)
            flagged = conn.execute(
                select(f.c.flagged_at).where(f.c.flagged_at >= since)
            ).scalars()
            crisis_weeks = Counter(_monday(t.date()) for t in flagged)
            parses = conn.execute(
                select(m.c.parse).where(m.c.sender == "user", m.c.created_at >= since)
            ).scalars()
            topics: Counter[str] = Counter()
            questions = fallbacks = 0
            for parse in parses:
                if not parse or parse.get("form_slot"):
                    continue  # an answer to the form, not a question
                questions += 1
                name = (parse.get("intent") or {}).get("name") or ""
                if name == FALLBACK:
                    fallbacks += 1
                elif name.startswith("faq/"):
                    topics[name.removeprefix("faq/")] += 1
        return Summary(
            weeks=tuple(
                Week(
                    start=start,
                    conversations=conversation_weeks[start],
                    requests=request_weeks[start],
                    crises=crisis_weeks[start],
                )
                for start in (first + timedelta(weeks=i) for i in range(weeks))
            ),
            top_topics=tuple(topics.most_common(top)),
            questions=questions,
            fallbacks=fallbacks,
        )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
