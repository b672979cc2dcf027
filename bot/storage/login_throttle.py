"""Failed sign-ins slow the next attempts down, then refuse them for a while.

Counted per address and per user name over a sliding window and kept in the
database, so every worker process and host sees the same count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select

from bot.storage import schema
from bot.storage.store import Store


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are tolerated, and how they slow the next attempt."""

    window: timedelta = timedelta(minutes=15)
    user_limit: int = 5
    address_limit: int = 20
    delay_step: float = 0.5  # seconds added per failure after the first
    max_delay: float = 2.0


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may proceed, and how long to make it wait first."""

    refused: bool
    delay: float
    retry_after: timedelta = timedelta(0)


class LoginThrottle:
    """Reads and records failed sign-ins."""

    def __init__(self, store: Store, *, policy: ThrottlePolicy | None = None) -> None:
        self._store = store
        self.policy = policy or ThrottlePolicy()

    def check(
        self, address: str, username: str, *, now: datetime | None = None
    ) -> Verdict:
        """The verdict for an attempt from `address` as `username`."""
        now = now or datetime.now(UTC)
        since = now - self.policy.window
        table = schema.login_failures
        query = (
            select(table.c.scope, func.count(), func.min(table.c.at))
            .where(
                table.c.at > since,
                or_(
                    (table.c.scope == "address") & (table.c.key == address),
                    (table.c.scope == "user") & (table.c.key == _user_key(username)),
                ),
            )
            .group_by(table.c.scope)
        )
        with self._store.transaction("read sign-in failures") as conn:
            counts = {row[0]: (row[1], row[2]) for row in conn.execute(query)}
        user_count, user_oldest = counts.get("user", (0, None))
        address_count, address_oldest = counts.get("address", (0, None))
        p = self.policy
        blocked = [
            oldest
            for count, limit, oldest in (
                (user_count, p.user_limit, user_oldest),
                (address_count, p.address_limit, address_oldest),
            )
            if count >= limit and oldest is not None
        ]
        if blocked:
            retry = max(min(blocked) + p.window - now, timedelta(seconds=1))
            return Verdict(refused=True, delay=0.0, retry_after=retry)
        failures = max(user_count, address_count)
        delay = min(p.delay_step * max(failures - 1, 0), p.max_delay)
        return Verdict(refused=False, delay=delay)

    def failed(self, address: str, username: str) -> None:
        """Count a failed attempt against the address and the user name."""
        now = datetime.now(UTC)
        table = schema.login_failures
        with self._store.transaction("record the sign-in failure", write=True) as c:
            c.execute(
                table.insert(),
                [
                    {"scope": "address", "key": address, "at": now},
                    {"scope": "user", "key": _user_key(username), "at": now},
                ],
            )
            # Old rows say nothing any more.
            c.execute(delete(table).where(table.c.at < now - 4 * self.policy.window))

    def succeeded(self, address: str, username: str) -> None:
        """Forget the failures of this user and address after a good sign-in."""
        table = schema.login_failures
        with self._store.transaction("clear sign-in failures", write=True) as conn:
            conn.execute(
                delete(table).where(
                    or_(
                        (table.c.scope == "address") & (table.c.key == address),
                        (table.c.scope == "user")
                        & (table.c.key == _user_key(username)),
                    )
                )
            )


def _user_key(username: str) -> str:
    # Names of any length are tried; the column holds 255 characters.
    return username.strip().lower()[:255]
