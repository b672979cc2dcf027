"""SMS arithmetic: GSM-7 where possible, and how many segments a text costs.

A GSM-7 text fits 160 characters in one SMS, 153 per segment when split; one
character outside GSM-7 turns the whole message into UCS-2 (70, then 67 per
segment), so typographic quotes and dashes are swapped for plain ones first.
"""

from __future__ import annotations

from bot.gsm import gsm7_length, is_gsm7

GSM7_SINGLE, GSM7_SEGMENT = 160, 153
UCS2_SINGLE, UCS2_SEGMENT = 70, 67

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2022": "-",
        "\t": " ",
    }
)


def plain(text: str) -> str:
    """`text` with typographic punctuation made GSM-7 (other characters kept)."""
    return text.translate(_PLAIN)


def segments(text: str) -> int:
    """How many SMS segments `text` is sent as."""
    if is_gsm7(text):
        length, single, per_segment = gsm7_length(text), GSM7_SINGLE, GSM7_SEGMENT
    else:
        # UCS-2 counts UTF-16 code units: an emoji takes two.
        length = len(text.encode("utf-16-le")) // 2
        single, per_segment = UCS2_SINGLE, UCS2_SEGMENT
    if length <= single:
        return 1
    return -(-length // per_segment)
