"""Recognizing short conversational answers: yes, no, skip, cancel.

Every function is pure. Replies are compared as phrase keys (lower-case words,
apostrophes dropped), so "I don't" and "i dont" are the same answer; a reply
counts only when the whole of it is the answer, never a phrase inside a longer
message ("stop the pain" is not a cancel).
"""

import re
import unicodedata

from bot.understanding.normalize import straighten_quotes

_SKIP_PHRASES = frozenset(
    {
        "skip",
        "skip it",
        "skip this",
        "skip that",
        "next",
        "no",
        "nope",
        "nah",
        "none",
        "nothing",
        "no email",
        "no e mail",
        "no thanks",
        "no thank you",
        "n a",
        "na",
        "not applicable",
        "pass",
        "rather not",
        "id rather not",
        "i would rather not",
        "rather not say",
        "id rather not say",
        "prefer not",
        "prefer not to say",
        "id prefer not to",
        "id prefer not to say",
        "not now",
        "no comment",
    }
)
_SKIP_PATTERN = re.compile(
    r"(?:no |nope |sorry )?(?:i )?(?:dont|do not|havent) (?:have|got) "
    r"(?:one|any|it|that|e ?mails?|an? e ?mail(?: address)?|an? email address)"
)
_POLITE_HEAD = re.compile(r"^(?:(?:please|sorry|um|uh|ok|okay|oh|just) )+")
_POLITE_TAIL = re.compile(r"(?: (?:thanks|thank you|thx|please|sorry))+$")

# Phrase-key form (lower case, no apostrophes), ordered for readers of generated
# training data; `is_cancel` also accepts them with polite words around them.
CANCEL_PHRASES: tuple[str, ...] = (
    "cancel",
    "cancel that",
    "cancel this",
    "cancel it",
    "cancel the form",
    "stop",
    "stop it",
    "stop this",
    "stop that",
    "stop the form",
    "quit",
    "quit this",
    "exit",
    "abort",
    "never mind",
    "nevermind",
    "nvm",
    "forget it",
    "forget about it",
    "i changed my mind",
    "changed my mind",
    "ive changed my mind",
    "i have changed my mind",
    "i want to cancel",
    "i want to stop",
    "i want to quit",
    "lets stop",
    "i dont want to continue",
    "i dont want to do this",
)
_CANCEL_KEYS = frozenset(CANCEL_PHRASES)
_CANCEL_HEAD = re.compile(r"^(?:(?:please|ok|okay|oh|actually|just|um|no|hey|nah) )+")
_CANCEL_TAIL = re.compile(r"(?: (?:please|thanks|thank you|now|for now|right now))+$")

_YES_PHRASES = frozenset(
    {
        "yes",
        "y",
        "yep",
        "yup",
        "yeah",
        "yea",
        "ya",
        "sure",
        "sure thing",
        "ok",
        "okay",
        "k",
        "kk",
        "alright",
        "all right",
        "agree",
        "agreed",
        "i agree",
        "consent",
        "i consent",
        "i do",
        "i accept",
        "accept",
        "absolutely",
        "definitely",
        "certainly",
        "of course",
        "go ahead",
        "go for it",
        "please do",
        "feel free",
        "fine",
        "fine by me",
        "sounds good",
        "that works",
        "works for me",
        "perfect",
        "great",
        "correct",
        "you can",
        "you may",
        "no problem",
        "not a problem",
        "no worries",
        "no objection",
        "no objections",
        "i dont mind",
        "dont mind",
        "why not",
        "i dont see why not",
    }
)
_NO_PHRASES = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "no way",
        "never",
        "not",
        "not now",
        "not yet",
        "not really",
        "not at all",
        "not ok",
        "not okay",
        "not fine",
        "dont",
        "do not",
        "i dont",
        "i do not",
        "please dont",
        "please do not",
        "dont agree",
        "i dont agree",
        "do not agree",
        "i do not agree",
        "disagree",
        "i disagree",
        "i dont consent",
        "i do not consent",
        "decline",
        "i decline",
        "rather not",
        "id rather not",
        "i would rather not",
        "prefer not",
        "id prefer not",
        "you cant",
        "you may not",
        "cant",
        "cannot",
        "absolutely not",
        "definitely not",
        "certainly not",
        "of course not",
        "maybe later",
    }
)
_UNSURE_PHRASES = frozenset(
    {
        "maybe",
        "not sure",
        "im not sure",
        "unsure",
        "idk",
        "i dont know",
        "dont know",
        "dunno",
        "depends",
    }
)
# Words that carry no decision; a reply made only of these plus one side is clear.
_CONSENT_FILLER = frozenset(
    {
        "i",
        "im",
        "me",
        "my",
        "you",
        "we",
        "it",
        "its",
        "thats",
        "that",
        "this",
        "is",
        "are",
        "am",
        "be",
        "please",
        "thanks",
        "thank",
        "but",
        "and",
        "so",
        "oh",
        "well",
        "um",
        "uh",
        "then",
        "just",
        "to",
        "with",
        "by",
        "for",
        "all",
        "totally",
        "can",
        "contact",
        "contacted",
        "call",
        "text",
        "email",
        "reach",
        "store",
        "save",
        "keep",
        "details",
        "info",
        "information",
        "data",
        "number",
        "them",
        "those",
        "here",
    }
)
_LONGEST_CONSENT_PHRASE = max(
    len(phrase.split()) for phrase in _YES_PHRASES | _NO_PHRASES | _UNSURE_PHRASES
)
_YES_EMOJI = frozenset("👍✅👌✔☑🙆")
_NO_EMOJI = frozenset("👎❌🚫🙅✖")


def clean_text(text: str) -> str:
    """Return text in NFC form, straight apostrophes, no control chars, one-spaced."""
    text = straighten_quotes(unicodedata.normalize("NFC", text))
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(text.split())


def phrase_key(text: str) -> str:
    """Return the lower-case words of text (apostrophes dropped) for phrase lookup."""
    return " ".join(re.findall(r"[^\W_]+", clean_text(text).lower().replace("'", "")))


def drop_polite_tail(key: str) -> str:
    """Return a phrase key without trailing "thanks", "please" or "sorry"."""
    return _POLITE_TAIL.sub("", key)


def is_skip(text: str) -> bool:
    """True when the whole reply declines to give an optional detail."""
    key = drop_polite_tail(_POLITE_HEAD.sub("", phrase_key(text)))
    return key in _SKIP_PHRASES or _SKIP_PATTERN.fullmatch(key) is not None


def is_cancel(text: str) -> bool:
    """True when the whole reply asks to abandon the form ("stop the pain" is not)."""
    key = _CANCEL_TAIL.sub("", _CANCEL_HEAD.sub("", phrase_key(text)))
    return key in _CANCEL_KEYS


def _consent_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    lowered = clean_text(text).lower().replace("'", "")
    for token in re.findall(r"[^\W_]+|[^\w\s]", lowered):
        if token in _YES_EMOJI:
            tokens.append("yes")
        elif token in _NO_EMOJI:
            tokens.append("no")
        elif token[0].isalnum():
            tokens.append(token)
    return tokens


def parse_consent(text: str) -> bool | None:
    """True for a clear yes, False for a clear no, None when mixed or unclear.

    Phrases are matched longest first, so "no problem, go ahead" is a yes and
    "i do not agree" a no; "yes but no" has both sides and is None, and so is any
    reply with a word outside the consent vocabulary ("ok what does it cost").
    """
    tokens = _consent_tokens(text)
    saw_yes = saw_no = False
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_CONSENT_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in _UNSURE_PHRASES:
                return None
            if phrase in _YES_PHRASES or phrase in _NO_PHRASES:
                saw_yes |= phrase in _YES_PHRASES
                saw_no |= phrase in _NO_PHRASES
                break
            if size == 1 and phrase in _CONSENT_FILLER:
                break
        else:
            return None
        i += size
    return saw_yes if saw_yes != saw_no else None


_QUESTION_OPENERS = frozenset(
    "what whats how hows why when where wheres who whos which is are am can could"
    " does do did will would should may".split()
)


def looks_like_question(text: str) -> bool:
    """True for a message phrased as a question rather than as an answer."""
    words = phrase_key(text).split()
    return "?" in text or bool(words and words[0] in _QUESTION_OPENERS)
