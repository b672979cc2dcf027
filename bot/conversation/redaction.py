"""Taking a visitor's contact details back out of stored text.

Used when a visitor cancels the consultation form or refuses consent: what they
typed into it must not stay in the stored conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import phonenumbers

PHONE_MARK = "[phone removed]"
EMAIL_MARK = "[email removed]"
NAME_MARK = "[name removed]"

_EMAIL = re.compile(r"[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")
# A run of digits and phone punctuation long enough to be a number, for what
# phonenumbers does not recognise as valid (a mistyped number is still personal).
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
_MIN_NAME_WORD = 2


def contact_redactor(*, names: Iterable[str], region: str) -> Callable[[str], str]:
    """A function that removes phone numbers, emails and the given names from text.

    `names` are the names the visitor gave: each word of them is removed wherever
    it stands as a word, in any case.
    """
    words = sorted(
        {
            w
            for name in names
            for w in re.findall(r"[^\W\d_][\w'-]*", name)
            if len(w) >= _MIN_NAME_WORD
        },
        key=len,
        reverse=True,
    )
    name_pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.I)
        if words
        else None
    )

    def redact(text: str) -> str:
        text = _EMAIL.sub(EMAIL_MARK, text)
        for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, region))):
            text = text[: match.start] + PHONE_MARK + text[match.end :]
        text = _DIGIT_RUN.sub(PHONE_MARK, text)
        if name_pattern is not None:
            text = name_pattern.sub(NAME_MARK, text)
        return text

    return redact
