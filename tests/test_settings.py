"""Settings are read once, from the environment, into a frozen object."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigurationError
from bot.settings import Settings


def test_defaults_use_sqlite_under_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/faqbot.db"
    assert settings.max_message_chars == 2000
    assert settings.phone_region == "US"
    assert settings.action_token is None


def test_everything_can_be_configured() -> None:
    settings = Settings.from_env(
        {
            "FAQBOT_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test",
            "FAQBOT_MAX_MESSAGE_CHARS": "500",
            "FAQBOT_PHONE_REGION": "gb",
            "FAQBOT_ACTION_TOKEN": "s3cret-t0ken",
        }
    )
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.max_message_chars == 500
    assert settings.phone_region == "GB"
    assert settings.action_token == "s3cret-t0ken"


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_a_bad_message_limit_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="FAQBOT_MAX_MESSAGE_CHARS"):
        Settings.from_env({"FAQBOT_MAX_MESSAGE_CHARS": value})


@pytest.mark.parametrize("value", ["XX", "ZZ", "001", "USA", "U.S.", "uk", " US"])
def test_a_phone_region_phonenumbers_does_not_know_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="FAQBOT_PHONE_REGION"):
        Settings.from_env({"FAQBOT_PHONE_REGION": value})


@pytest.mark.parametrize(("value", "region"), [("ca", "CA"), ("De", "DE"), ("", "US")])
def test_a_phone_region_is_read_in_any_case_and_blank_means_us(
    value: str, region: str
) -> None:
    assert Settings.from_env({"FAQBOT_PHONE_REGION": value}).phone_region == region


def test_a_blank_action_token_is_no_token() -> None:
    # An empty token would let an empty ?token= through.
    assert Settings.from_env({"FAQBOT_ACTION_TOKEN": ""}).action_token is None


def test_channels_are_off_without_their_secrets() -> None:
    settings = Settings.from_env({})
    assert not settings.twilio_enabled
    assert not settings.messenger_enabled
    assert settings.messenger_graph_url == "https://graph.facebook.com/v21.0"


def test_messenger_needs_all_three_secrets() -> None:
    two = {
        "FAQBOT_MESSENGER_VERIFY_TOKEN": "v",
        "FAQBOT_MESSENGER_APP_SECRET": "s",
    }
    assert not Settings.from_env(two).messenger_enabled
    three = {**two, "FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN": "p"}
    assert Settings.from_env(three).messenger_enabled


def test_channel_settings_are_read_and_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_env(
        {
            "FAQBOT_TWILIO_AUTH_TOKEN": "twilio-secret",
            "FAQBOT_PUBLIC_URL": "https://bot.clinic.example/",
            "FAQBOT_MESSENGER_VERIFY_TOKEN": "verify-secret",
            "FAQBOT_MESSENGER_APP_SECRET": "app-secret",
            "FAQBOT_MESSENGER_PAGE_ACCESS_TOKEN": "page-secret",
            "FAQBOT_MESSENGER_GRAPH_URL": "http://127.0.0.1:5299/v21.0/",
        }
    )
    assert settings.twilio_enabled and settings.messenger_enabled
    assert settings.public_url == "https://bot.clinic.example"
    assert settings.messenger_graph_url == "http://127.0.0.1:5299/v21.0"
    shown = repr(settings)
    for secret in ("twilio-secret", "verify-secret", "app-secret", "page-secret"):
        assert secret not in shown


@pytest.mark.parametrize(
    "value",
    ["bot.clinic.example", "ftp://bot.clinic.example", "https://", "https://x/?a=1"],
)
@pytest.mark.parametrize("key", ["FAQBOT_PUBLIC_URL", "FAQBOT_MESSENGER_GRAPH_URL"])
def test_a_url_setting_that_is_not_an_http_url_is_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=key):
        Settings.from_env({key: value})
