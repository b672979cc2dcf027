"""Finding the question at the end of a long message.

Visitors often tell their story first and ask last: eight lines about a back
injury, then "when does it officially count as chronic?". Scored as a whole,
the story drowns the question, so a long message is also scored on its last
question (the last sentence ending in "?", else its last sentence).
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def closing_question(text: str, *, min_words: int) -> str | None:
    """The message's last question when it has over `min_words` words, else None."""
    if len(text.split()) <= min_words:
        return None
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    if len(sentences) < 2:
        return None
    questions = [s for s in sentences if s.endswith("?")]
    return questions[-1] if questions else sentences[-1]


def sentence_windows(text: str, *, max_words: int) -> list[str]:
    """A long message cut into runs of whole sentences of at most `max_words`
    words (a longer sentence stands alone), for reading a crisis told halfway
    through a story; a message of `max_words` words or fewer is not cut."""
    if len(text.split()) <= max_words:
        return []
    windows: list[str] = []
    current: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        words = sentence.split()
        if current and len(current) + len(words) > max_words:
            windows.append(" ".join(current))
            current = []
        current += words
    if current:
        windows.append(" ".join(current))
    return windows
