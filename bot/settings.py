"""Configuration, read in one place: a frozen object built from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers

from bot.errors import ConfigurationError

DEFAULT_MAX_MESSAGE_CHARS = 2000
# A visitor types a message every few seconds at most, a form is about ten; an
# address may be a clinic's or an office's shared one.
DEFAULT_PER_SENDER = "30/minute;300/hour"
DEFAULT_PER_ADDRESS = "300/minute;3000/hour"
DEFAULT_DB_POOL_SIZE = 10
DEFAULT_MESSENGER_GRAPH_URL = "https://graph.facebook.com/v21.0"


@dataclass(frozen=True)
class Settings:
    """Everything faqbot reads from its environment.

    FAQBOT_DATABASE_URL   SQLAlchemy URL; unset means SQLite under the instance folder
    FAQBOT_INSTANCE_PATH  folder for the embedded database (default ./instance)
    FAQBOT_MAX_MESSAGE_CHARS  longest visitor message accepted (default 2000)
    FAQBOT_PHONE_REGION   default region for phone numbers without + (default US)
    FAQBOT_ACTION_TOKEN   the token Rasa must send the action server; unset, the
                          action server refuses every call
    FAQBOT_RATELIMIT_STORAGE_URL  where rate-limit counters live: memory:// (per
                          process, the default) or redis://HOST:PORT shared by all
    FAQBOT_RATELIMIT_PER_SENDER   limits per channel sender, e.g. 30/minute;300/hour
    FAQBOT_RATELIMIT_PER_ADDRESS  limits per client address
    FAQBOT_TRUSTED_PROXIES  how many reverse proxies in front set X-Forwarded-For
                          (default 0: the peer's address is the client's)
    FAQBOT_DB_POOL_SIZE   database connections per worker process (default 10)
    FAQBOT_ALLOWED_ORIGINS  comma-separated web origins (https://clinic.example)
                          whose pages may embed the chat widget; unset, only the
                          bot's own pages may
    FAQBOT_TWILIO_AUTH_TOKEN  signs Twilio's webhooks; unset, the SMS channel is off
    FAQBOT_PUBLIC_URL     the address Twilio calls (behind a proxy), e.g.
                          https://bot.example.org; unset, the request's own URL
    FAQBOT_MESSENGER_VERIFY_TOKEN, FAQBOT_MESSENGER_APP_SECRET,
    FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN  Messenger's three secrets; the channel is
                          off unless all three are set
    FAQBOT_MESSENGER_GRAPH_URL  the Graph API's base URL (default Meta's)
    FAQBOT_SEMANTIC       "off" runs the light mode: the fuzzy matcher without the
                          sentence model (default on)
    FAQBOT_SECRET_KEY     signs staff sessions; unset, SQLite deployments keep a
                          generated one in the instance folder
    FAQBOT_HANDOFF_WEBHOOK_URL  where new requests and crisis flags are POSTed
    FAQBOT_RETENTION_DAYS conversations and closed requests older than this are
                          deleted daily by the server (unset: kept)
    """

    database_url: str
    instance_path: Path
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    phone_region: str = "US"
    action_token: str | None = None
    ratelimit_storage_url: str = "memory://"
    ratelimit_per_sender: str = DEFAULT_PER_SENDER
    ratelimit_per_address: str = DEFAULT_PER_ADDRESS
    trusted_proxies: int = 0
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    allowed_origins: tuple[str, ...] = ()
    twilio_auth_token: str | None = field(default=None, repr=False)
    public_url: str | None = None
    messenger_verify_token: str | None = field(default=None, repr=False)
    messenger_app_secret: str | None = field(default=None, repr=False)
    messenger_page_access_token: str | None = field(default=None, repr=False)
    messenger_graph_url: str = DEFAULT_MESSENGER_GRAPH_URL

    @property
    def twilio_enabled(self) -> bool:
        """The SMS channel runs only with a token to check Twilio's signatures."""
        return self.twilio_auth_token is not None

    @property
    def messenger_enabled(self) -> bool:
        """Messenger runs only with its verify token, app secret and page token."""
        return None not in (
            self.messenger_verify_token,
            self.messenger_app_secret,
            self.messenger_page_access_token,
        )
    semantic: bool = True
    secret_key: str | None = field(default=None, repr=False)
    handoff_webhook_url: str | None = None
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
        limits = _rate_limits(env)
        return cls(
            **limits,
            trusted_proxies=_whole(env, "FAQBOT_TRUSTED_PROXIES", 0, minimum=0),
            db_pool_size=_whole(
                env, "FAQBOT_DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE, minimum=1
            ),
            database_url=url,
            instance_path=instance,
            max_message_chars=max_chars,
            phone_region=region,
            action_token=env.get("FAQBOT_ACTION_TOKEN") or None,
            allowed_origins=parse_origins(env.get("FAQBOT_ALLOWED_ORIGINS") or ""),
            twilio_auth_token=env.get("FAQBOT_TWILIO_AUTH_TOKEN") or None,
            public_url=_http_url(env, "FAQBOT_PUBLIC_URL"),
            messenger_verify_token=env.get("FAQBOT_MESSENGER_VERIFY_TOKEN") or None,
            messenger_app_secret=env.get("FAQBOT_MESSENGER_APP_SECRET") or None,
            messenger_page_access_token=(
                env.get("FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN") or None
            ),
            messenger_graph_url=_http_url(env, "FAQBOT_MESSENGER_GRAPH_URL")
            or DEFAULT_MESSENGER_GRAPH_URL,
            semantic=_switch(env.get("FAQBOT_SEMANTIC"), "FAQBOT_SEMANTIC"),
            secret_key=env.get("FAQBOT_SECRET_KEY") or None,
            handoff_webhook_url=_webhook_url(env.get("FAQBOT_HANDOFF_WEBHOOK_URL")),
            retention_days=_retention_days(env.get("FAQBOT_RETENTION_DAYS")),
        )


def _whole(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError as e:
        raise ConfigurationError(f"{name} must be a whole number") from e
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}")
    return value


def _rate_limits(env: Mapping[str, str]) -> dict[str, str]:
    from limits import parse_many

    storage = env.get("FAQBOT_RATELIMIT_STORAGE_URL") or "memory://"
    if not storage.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigurationError(
            "FAQBOT_RATELIMIT_STORAGE_URL must be memory:// or redis://HOST:PORT"
        )
    found = {"ratelimit_storage_url": storage}
    for name, key, default in (
        ("FAQBOT_RATELIMIT_PER_SENDER", "ratelimit_per_sender", DEFAULT_PER_SENDER),
        ("FAQBOT_RATELIMIT_PER_ADDRESS", "ratelimit_per_address", DEFAULT_PER_ADDRESS),
    ):
        value = env.get(name) or default
        try:
            parse_many(value)
        except ValueError as e:
            raise ConfigurationError(
                f"{name} must be limits such as 30/minute;300/hour"
            ) from e
        found[key] = value
    return found


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


def _http_url(env: Mapping[str, str], key: str) -> str | None:
    """An http(s) URL without a trailing slash, None when unset."""
    value = (env.get(key) or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"{key} must be an http:// or https:// URL, e.g. https://bot.example.org"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{key} must not have a query or fragment")
    return value.rstrip("/")


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


_ORIGIN = re.compile(r"https?://[^\s/?#@]+", re.IGNORECASE)


def parse_origins(value: str) -> tuple[str, ...]:
    """Web origins from a comma-separated list, lower-cased, without trailing '/'."""
    origins = []
    for item in value.split(","):
        origin = item.strip().rstrip("/").lower()
        if not origin:
            continue
        if not _ORIGIN.fullmatch(origin):
            raise ConfigurationError(
                f"FAQBOT_ALLOWED_ORIGINS: {item.strip()!r} is not a web origin; write"
                " scheme and host (and port if not the default), like"
                " https://clinic.example or http://localhost:8000"
            )
        # Browsers leave the default port out of the Origin header.
        for default in ("http://", ":80"), ("https://", ":443"):
            if origin.startswith(default[0]) and origin.endswith(default[1]):
                origin = origin.removesuffix(default[1])
        origins.append(origin)
    return tuple(dict.fromkeys(origins))
