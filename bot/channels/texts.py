"""Splitting long texts at natural boundaries: paragraphs, lines, sentences, words."""

from __future__ import annotations

_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut where a reader pauses."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for mark in _BREAKS:
            at = window.rfind(mark)
            # A cut in the first half would leave a stub; try a finer mark.
            if at > limit // 2:
                cut = at + len(mark.rstrip())
                break
        if cut <= 0 or cut > limit:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
