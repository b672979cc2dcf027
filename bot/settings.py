"""Configuration, read in one place: a frozen object built from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigurationError

DEFAULT_MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Settings:
    """Everything faqbot reads from its environment.

    FAQBOT_DATABASE_URL   SQLAlchemy URL; unset means SQLite under the instance folder
    FAQBOT_INSTANCE_PATH  folder for the embedded database (default ./instance)
    FAQBOT_SECRET_KEY     signs staff sessions; required outside tests and `make run`
    FAQBOT_MAX_MESSAGE_CHARS  longest visitor message accepted (default 2000)
    FAQBOT_PHONE_REGION   default region for phone numbers without + (default US)
    """

    database_url: str
    instance_path: Path
    secret_key: str | None = None
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    phone_region: str = "US"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("FAQBOT_INSTANCE_PATH") or "instance").absolute()
        url = env.get("FAQBOT_DATABASE_URL") or sqlite_url(instance / "faqbot.db")
        try:
            max_chars = int(
                env.get("FAQBOT_MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)
            )
        except ValueError as e:
            raise ConfigurationError(
                "FAQBOT_MAX_MESSAGE_CHARS must be a whole number"
            ) from e
        if max_chars < 1:
            raise ConfigurationError("FAQBOT_MAX_MESSAGE_CHARS must be positive")
        return cls(
            database_url=url,
            instance_path=instance,
            secret_key=env.get("FAQBOT_SECRET_KEY") or None,
            max_message_chars=max_chars,
            phone_region=env.get("FAQBOT_PHONE_REGION", "US").upper(),
        )


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"
