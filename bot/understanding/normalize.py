"""Text normalization shared by the matcher, the crisis detector and the tests.

Every phrasing in the knowledge base and every visitor message goes through the
same `Normalizer`, so the two sides always meet in one spelling: lowercase ASCII
words separated by single spaces, SMS shorthand and contractions expanded,
domain misspellings corrected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

# Shorthand that visitors type in chat and SMS, mapped to the full words.
# Single letters are only expanded where they are unambiguous in this domain.
SMS_SHORTHAND: Mapping[str, str] = MappingProxyType(
    {
        "u": "you",
        "ya": "you",
        "yu": "you",
        "r": "are",
        "ur": "your",
        "urs": "yours",
        "wat": "what",
        "wut": "what",
        "wht": "what",
        "whut": "what",
        "pls": "please",
        "plz": "please",
        "plse": "please",
        "thx": "thanks",
        "thnx": "thanks",
        "thanx": "thanks",
        "tnx": "thanks",
        "ty": "thank you",
        "tyvm": "thank you very much",
        "b4": "before",
        "2day": "today",
        "2moro": "tomorrow",
        "tmrw": "tomorrow",
        "gr8": "great",
        "bc": "because",
        "cuz": "because",
        "coz": "because",
        "becuz": "because",
        "abt": "about",
        "w": "with",
        "wo": "without",
        "ppl": "people",
        "sum1": "someone",
        "some1": "someone",
        "any1": "anyone",
        "ne1": "anyone",
        "msg": "message",
        "appt": "appointment",
        "appts": "appointments",
        "dr": "doctor",
        "doc": "doctor",
        "docs": "doctors",
        "drs": "doctors",
        "meds": "medication",
        "med": "medication",
        "yrs": "years",
        "yr": "year",
        "mo": "month",
        "mos": "months",
        "wks": "weeks",
        "wk": "week",
        "hrs": "hours",
        "hr": "hour",
        "k": "ok",
        "kk": "ok",
        "okay": "ok",
        "idk": "i do not know",
        "rn": "right now",
        "tho": "though",
        "thru": "through",
        "gonna": "going to",
        "wanna": "want to",
        "gotta": "got to",
        "kinda": "kind of",
        "sorta": "sort of",
        "lemme": "let me",
        "gimme": "give me",
        "y'all": "you all",
        "yall": "you all",
    }
)

# Contractions after apostrophes are dropped ("don't" -> "dont"), expanded so
# that "dont", "don't" and "do not" are one phrasing.
CONTRACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "im": "i am",
        "ive": "i have",
        "id": "i would",
        "youre": "you are",
        "youve": "you have",
        "dont": "do not",
        "doesnt": "does not",
        "didnt": "did not",
        "cant": "cannot",
        "cannot": "cannot",
        "wont": "will not",
        "wouldnt": "would not",
        "couldnt": "could not",
        "shouldnt": "should not",
        "isnt": "is not",
        "arent": "are not",
        "wasnt": "was not",
        "werent": "were not",
        "havent": "have not",
        "hasnt": "has not",
        "whats": "what is",
        "wats": "what is",
        "hows": "how is",
        "whos": "who is",
        "wheres": "where is",
        "thats": "that is",
        "theres": "there is",
        "its": "it is",
        "lets": "let us",
    }
)

_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})


def straighten_quotes(text: str) -> str:
    """Return `text` with curly and modifier apostrophes made straight."""
    return text.translate(_APOSTROPHES)
_SYMBOL_WORDS = (
    (re.compile(r"\bw/o\b"), " without "),
    (re.compile(r"\bw/"), " with "),
    (re.compile(r"\bb/c\b"), " because "),
    (re.compile(r"&"), " and "),
    (re.compile(r"\+"), " plus "),
)
_APOSTROPHE = re.compile(r"'")
# Initialisms written with dots ("o.d.", "i.v.", "a.m."): one word, as they are
# said, rather than loose letters ("o d") that no word list or model knows.
_DOTTED_INITIALS = re.compile(r"\b(?:[a-z]\.)+[a-z]\b\.?")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _undotted(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def fold_unicode(text: str) -> str:
    """Return `text` lowercased, with accents stripped and quotes made straight."""
    if text.isascii():  # most messages: nothing to fold but case
        return text.replace("`", "'").lower()
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Normalizer:
    """Turns any text into the matcher's canonical form.

    `spelling` maps misspelled words of the domain ("ketamin", "chronik") to their
    correct spelling; it comes from the knowledge base's lexicon.
    """

    def __init__(self, spelling: Mapping[str, str] | None = None) -> None:
        words: dict[str, str] = {}
        words.update(SMS_SHORTHAND)
        words.update(CONTRACTIONS)
        words.update({k.lower(): v.lower() for k, v in (spelling or {}).items()})
        self._words = MappingProxyType(words)

    def __call__(self, text: str) -> str:
        """Return the canonical form of `text` (may be the empty string)."""
        return " ".join(self.tokens(text))

    def tokens(self, text: str) -> list[str]:
        """Return the canonical words of `text`."""
        folded = fold_unicode(text)
        for pattern, replacement in _SYMBOL_WORDS:
            folded = pattern.sub(replacement, folded)
        folded = _APOSTROPHE.sub("", folded)
        if "." in folded:
            folded = _DOTTED_INITIALS.sub(_undotted, folded)
        words: list[str] = []
        for raw in _NON_WORD.split(folded):
            if not raw:
                continue
            replacement = self._words.get(raw)
            if replacement is None:
                words.append(raw)
            else:
                words.extend(replacement.split())
        return words
