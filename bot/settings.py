"""Configuration, read in one place: a frozen object built from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from bot.errors import ConfigurationError

DEFAULT_MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Settings:
    """Everything faqbot reads from its environment.

    FAQBOT_DATABASE_URL   SQLAlchemy URL; unset means SQLite under the instance folder
    FAQBOT_INSTANCE_PATH  folder for the embedded database (default ./instance)
    FAQBOT_MAX_MESSAGE_CHARS  longest visitor message accepted (default 2000)
    FAQBOT_PHONE_REGION   default region for phone numbers without + (default US)
    FAQBOT_ACTION_TOKEN   the token Rasa must send the action server; unset, the
                          action server refuses every call
    FAQBOT_SEMANTIC       "off" runs the light mode: the fuzzy matcher without the
                          sentence model (default on)
    """

    database_url: str
    instance_path: Path
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    phone_region: str = "US"
    action_token: str | None = None
    semantic: bool = True

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
        region = (env.get("FAQBOT_PHONE_REGION") or "US").upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            # Otherwise every phone number without a + would fail to parse.
            raise ConfigurationError(
                f"FAQBOT_PHONE_REGION {region!r} is not a region of the phone"
                " numbering plan; use a code such as US, CA or GB"
            )
        return cls(
            database_url=url,
            instance_path=instance,
            max_message_chars=max_chars,
            phone_region=region,
            action_token=env.get("FAQBOT_ACTION_TOKEN") or None,
            semantic=_switch(env.get("FAQBOT_SEMANTIC"), "FAQBOT_SEMANTIC"),
        )


def _switch(value: str | None, name: str) -> bool:
    """An on/off variable: unset is on."""
    if value is None or value.strip().lower() in ("", "on", "1", "true", "yes"):
        return True
    if value.strip().lower() in ("off", "0", "false", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off, not {value!r}")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"
