"""The GSM-7 alphabet: which text fits a plain SMS without switching to UCS-2."""

from __future__ import annotations

# GSM 03.38 basic character set, plus the extension table (which costs two septets).
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    """Return True when every character of `text` is in the GSM-7 alphabet."""
    return all(ch in _BASIC or ch in _EXTENSION for ch in text)


def gsm7_length(text: str) -> int:
    """Return the number of septets `text` takes (extension characters count two)."""
    return sum(2 if ch in _EXTENSION else 1 for ch in text)
