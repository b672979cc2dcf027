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
    FAQBOT_SECRET_KEY     signs staff sessions; unset, SQLite deployments keep a
                          generated one in the instance folder
    FAQBOT_HANDOFF_WEBHOOK_URL  where new requests and crisis flags are POSTed
    FAQBOT_PUBLIC_URL     the address staff open, for links in notifications
    FAQBOT_RETENTION_DAYS conversations and closed requests older than this are
                          deleted daily by the server (unset: kept)
    """

    database_url: str
    instance_path: Path
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    phone_region: str = "US"
    action_token: str | None = None
    secret_key: str | None = None
    handoff_webhook_url: str | None = None
    public_url: str = ""
    retention_days: int | None = None

    @property
    def uses_sqlite(self) -> bool:
        """True when the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        instance = instance_folder(env)
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
            secret_key=env.get("FAQBOT_SECRET_KEY") or None,
            handoff_webhook_url=_webhook_url(env.get("FAQBOT_HANDOFF_WEBHOOK_URL")),
            public_url=(env.get("FAQBOT_PUBLIC_URL") or "").rstrip("/"),
            retention_days=_retention_days(env.get("FAQBOT_RETENTION_DAYS")),
        )


def instance_folder(env: Mapping[str, str]) -> Path:
    """The one place the embedded database and generated secrets live.

    FAQBOT_INSTANCE_PATH when set; otherwise `instance/` of the source checkout
    faqbot runs from (so every command finds the server's database wherever it
    is run), or, for an installed faqbot, $XDG_DATA_HOME/faqbot
    (~/.local/share/faqbot).
    """
    configured = env.get("FAQBOT_INSTANCE_PATH")
    if configured:
        return Path(configured).expanduser().absolute()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file():
        return checkout / "instance"
    data_home = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "faqbot"


def _webhook_url(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigurationError(
            "FAQBOT_HANDOFF_WEBHOOK_URL must be an http:// or https:// URL"
        )
    return value


def _retention_days(value: str | None) -> int | None:
    if not value:
        return None
    try:
        days = int(value)
    except ValueError as e:
        raise ConfigurationError("FAQBOT_RETENTION_DAYS must be a whole number") from e
    if days < 1:
        raise ConfigurationError("FAQBOT_RETENTION_DAYS must be at least 1")
    return days


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"
