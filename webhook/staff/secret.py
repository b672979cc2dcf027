"""The key that signs staff sessions: configured, or generated once for SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.errors import ConfigurationError
from bot.settings import Settings

KEY_FILE = "secret_key"
MIN_KEY_CHARS = 32


def session_secret(settings: Settings) -> str:
    """FAQBOT_SECRET_KEY, or for an embedded SQLite deployment a key kept in the
    instance folder (created on first start, readable by its owner only).

    A PostgreSQL deployment serves from several hosts that must share one key,
    so there it is required: ConfigurationError without it.
    """
    if settings.secret_key:
        if len(settings.secret_key) < MIN_KEY_CHARS:
            raise ConfigurationError(
                f"FAQBOT_SECRET_KEY must be at least {MIN_KEY_CHARS} characters;"
                ' generate one with: python3 -c "import secrets;'
                ' print(secrets.token_hex(32))"'
            )
        return settings.secret_key
    if not settings.uses_sqlite:
        raise ConfigurationError(
            "FAQBOT_SECRET_KEY is not set: a PostgreSQL deployment needs one key"
            " shared by every server; generate one with: python3 -c"
            ' "import secrets; print(secrets.token_hex(32))"'
        )
    return _kept_key(settings.instance_path / KEY_FILE)


def _kept_key(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting at once, one writes and the rest read.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path, wait=True)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32))
    return _read(path)


def _read(path: Path, *, wait: bool = False) -> str:
    import time

    for _ in range(50 if wait else 1):
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= MIN_KEY_CHARS:
            return key
        time.sleep(0.02)  # another worker is still writing it
    raise ConfigurationError(f"the session key file {path} is damaged; delete it")
