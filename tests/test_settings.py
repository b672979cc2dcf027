"""Settings are read once, from the environment, into a frozen object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.errors import ConfigurationError
from bot.settings import Settings


def test_defaults_use_sqlite_under_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/faqbot.db"
    assert settings.max_message_chars == 2000
    assert settings.phone_region == "US"
    assert settings.secret_key is None


def test_everything_can_be_configured() -> None:
    settings = Settings.from_env(
        {
            "FAQBOT_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test",
            "FAQBOT_MAX_MESSAGE_CHARS": "500",
            "FAQBOT_PHONE_REGION": "gb",
            "FAQBOT_SECRET_KEY": "s3cret",
        }
    )
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.max_message_chars == 500
    assert settings.phone_region == "GB"
    assert settings.secret_key == "s3cret"


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_a_bad_message_limit_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="FAQBOT_MAX_MESSAGE_CHARS"):
        Settings.from_env({"FAQBOT_MAX_MESSAGE_CHARS": value})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.max_message_chars = 1  # type: ignore[misc]
