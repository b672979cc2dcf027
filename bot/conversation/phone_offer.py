"""Offering the sender's own number as the consultation phone (SMS, WhatsApp).

A channel that knows the visitor's number puts it in the message metadata under
`SENDER_PHONE`; the form then asks "Is 513-555-0134 the best number to reach
you?", and a plain yes fills the phone without typing it. The offer is made
once per form: a no brings the ordinary question back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

# Metadata key a channel sets to the sender's verified number, in E.164 form.
SENDER_PHONE = "sender_phone"
# The slot holding the number offered; "" once the visitor has declined it.
OFFERED_PHONE_SLOT = "phone_offered"
DECLINED = ""


def sender_phone(latest_message: Mapping[str, Any]) -> str | None:
    """The sender's number a channel vouched for, if it is a valid one."""
    metadata = latest_message.get("metadata")
    value = metadata.get(SENDER_PHONE) if isinstance(metadata, Mapping) else None
    if not isinstance(value, str):
        return None
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown(e164: str) -> str:
    """A number as people write it: 513-555-0134 in North America, else +44 ..."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 1:
        digits = str(number.national_number)
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def offer_question(e164: str) -> str:
    """The phone question when the sender's own number is known."""
    return (
        f"Is {shown(e164)} the best number to reach you? Reply yes, or send the"
        " number you'd prefer."
    )


def question_asked(requested_slot: str | None, offered: Any) -> str | None:
    """The question a reply answers: a pending offer is a yes/no question.

    At "Is 513-555-0134 the best number?" a plain "no" declines the number,
    not the whole request, so the reply is judged as the offer's answer.
    """
    if requested_slot == "phone" and offered:
        return OFFERED_PHONE_SLOT
    return requested_slot
