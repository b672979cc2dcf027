"""How staff pages show times and phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import phonenumbers


def national_phone(e164: str, region: str) -> str:
    """A number of the clinic's region in national format, others international."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    same_region = (
        phonenumbers.region_code_for_country_code(number.country_code) == region
        or phonenumbers.region_code_for_number(number) == region
    )
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def age(moment: datetime, *, now: datetime | None = None) -> str:
    """How long ago, as staff say it: "just now", "5 min ago", "2 h ago", "3 d ago"."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def timestamp(moment: datetime) -> str:
    """An absolute time, in UTC, for history and transcripts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
