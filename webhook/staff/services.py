"""The storage services staff views use, built once per app."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from bot.storage import Store
from bot.storage.inbox import Inbox
from bot.storage.learning import Learning
from bot.storage.login_throttle import LoginThrottle
from bot.storage.staff_users import StaffUsers
from bot.storage.stats import Insights

SERVICES_KEY = "faqbot_staff"


@dataclass(frozen=True)
class StaffServices:
    """Accounts, the sign-in throttle, the inbox, learning and insights."""

    users: StaffUsers
    throttle: LoginThrottle
    inbox: Inbox
    learning: Learning
    insights: Insights
    # Failed sign-ins are slowed with this; tests pass a recorder.
    sleep: Callable[[float], None] = field(default=time.sleep)

    @classmethod
    def build(cls, store: Store) -> StaffServices:
        return cls(
            users=StaffUsers(store),
            throttle=LoginThrottle(store),
            inbox=Inbox(store),
            learning=Learning(store),
            insights=Insights(store),
        )


def services() -> StaffServices:
    """The current app's staff services."""
    return current_app.extensions[SERVICES_KEY]
