"""Turn a clinic's article into a draft knowledge base of FAQ entries.

knowledge.readers reads the article (HTML, Markdown or plain text) into blocks.
Each heading starts a section and each section with text becomes one draft entry:
the heading asked as a question, the section's text as the answer, and a slug of
the question as its id. draft_to_yaml renders the draft for review and adds an
sms reply to each entry: the first sentences of its answer that fit one SMS.

Lost headings. Exports sometimes drop a sub-heading and leave a hole: an empty
heading element in HTML or Markdown, an extra blank line in plain text (the reader
marks it as a gap). The paragraphs after such a hole are orphans. When the text
before them introduces a list ("Common factors ... include:" directly followed by
headings or holes), the orphans are items of that list and join the section that
introduced it, even after sibling sub-headings ("Nerve Damage") in between. The list
stays open until a heading of the same or a higher rank as the introducing section;
plain text has no ranks, so there it stays open until the next heading phrased as a
question. With no open list an orphan joins the nearest preceding section.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml

from bot.gsm import gsm7_length, is_gsm7
from bot.knowledge import SMS_LIMIT
from knowledge.readers import CHROME_PATTERNS, Block, detect_format, read_article

__all__ = [
    "CHROME_PATTERNS",
    "Draft",
    "DraftEntry",
    "detect_format",
    "draft_to_yaml",
    "extract_article",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftEntry:
    """One draft FAQ entry, citing the article section it comes from."""

    id: str
    question: str
    answer: str
    section: str
    source: str


@dataclass(frozen=True)
class Draft:
    """A draft knowledge base extracted from one article."""

    title: str
    source: str
    entries: tuple[DraftEntry, ...]


@dataclass
class _Section:
    heading: str
    level: int
    paragraphs: list[str] = field(default_factory=list)


_QUESTION_WORDS = frozenset(
    "how what why when where which who can could do does did is are should will"
    " would".split()
)
_DETERMINERS = frozenset("the a an this that these those your our my its their".split())
_GSM_SUBSTITUTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"',
     "″": '"', "–": "-", "—": "-", "‒": "-", "―": "-", "•": "-", "…": "...",
     "\u00a0": " "}
)  # fmt: skip


def extract_article(text: str, *, source: str) -> Draft:
    """Split an article into draft entries, one per section with text."""
    reading = read_article(text)
    title = reading.title or PurePath(source).stem or source
    sections = _sections(reading.blocks, title=title, level=reading.level)
    entries = _entries(sections, source=source)
    logger.debug(
        "extracted %d entries from %s (%s)", len(entries), source, reading.format
    )
    return Draft(title=title, source=source, entries=entries)


def draft_to_yaml(draft: Draft) -> str:
    """Render a draft as reviewable YAML shaped like knowledge/faq.yml."""
    header = (
        f"# DRAFT knowledge base extracted from {draft.source} by `faqbot extract`.\n"
        "# Not reviewed: check every question, answer and sms against the article,\n"
        "# fill in signature, related and examples, then move the topics you keep\n"
        "# into knowledge/faq.yml. `section` cites the article heading.\n"
    )
    document = {
        "article": draft.source,
        "title": draft.title,
        "topics": [
            {
                "id": e.id,
                "question": e.question,
                "section": e.section,
                "source": e.source,
                "signature": [],
                "answer": e.answer,
                "sms": _sms(e.answer),
                "related": [],
                "examples": [],
            }
            for e in draft.entries
        ],
    }
    body = yaml.dump(
        document, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=88
    )
    return header + body


def _sections(blocks: tuple[Block, ...], *, title: str, level: int) -> list[_Section]:
    """Group blocks under their headings, placing orphans as the module says."""
    sections = [_Section(title, level)]
    current = target = sections[0]
    open_list: _Section | None = None
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            if open_list is not None and (
                block.level <= open_list.level
                if block.level and open_list.level
                else block.text.endswith("?")
            ):
                open_list = None
            current = target = _Section(block.text, block.level)
            sections.append(current)
        elif block.kind == "gap":
            target = open_list or current
        else:
            text = block.text or "\n".join(f"- {item}" for item in block.items)
            target.paragraphs.append(text)
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if (
                text.endswith(":")
                and following
                and following.kind in ("heading", "gap")
            ):
                open_list = target
    return sections


def _entries(sections: list[_Section], *, source: str) -> tuple[DraftEntry, ...]:
    entries: list[DraftEntry] = []
    taken: set[str] = set()
    for section in sections:
        if not section.paragraphs:
            continue
        question = _question(section.heading)
        base = _slug(question)
        entry_id, n = base, 1
        while entry_id in taken:
            n += 1
            entry_id = f"{base}_{n}"
        taken.add(entry_id)
        entries.append(
            DraftEntry(
                id=entry_id,
                question=question,
                answer="\n\n".join(section.paragraphs),
                section=section.heading,
                source=source,
            )
        )
    return tuple(entries)


def _question(heading: str) -> str:
    """A question heading as is; a statement heading asked about."""
    text = heading.rstrip(" .!:;,")
    if text.endswith("?"):
        return text
    words = [_lower_title_case(w) for w in text.split()]
    if not words:
        return heading
    if words[0] in _QUESTION_WORDS:  # "How to Prepare" -> "How to prepare?"
        return " ".join(words)[0].upper() + " ".join(words)[1:] + "?"
    if words[0] in ("a", "an"):
        words[0] = "the"
    elif len(words) > 1 and words[1] == "of" and words[0] not in _DETERMINERS:
        words.insert(0, "the")  # "Safety of X" -> "the safety of x"
    return f"What should I know about {' '.join(words)}?"


def _lower_title_case(word: str) -> str:
    # Only Title-case words are lowered: acronyms such as NMDA keep their capitals.
    return "-".join(
        p.lower() if p[:1].isupper() and (p[1:].islower() or len(p) == 1) else p
        for p in word.split("-")
    )


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text))
    slug = re.sub(r"[^a-z0-9]+", "_", plain.encode("ascii", "ignore").decode().lower())
    slug = slug.strip("_")
    if len(slug) > 60:
        slug = slug[:61].rsplit("_", 1)[0] or slug[:60]
    return slug or "entry"


def _sms(answer: str) -> str:
    """The first sentences of `answer` in GSM-7 that fit one SMS reply."""
    text = _gsm7(" ".join(re.sub(r"(?m)^- ", "", answer).split()))
    if gsm7_length(text) <= SMS_LIMIT:
        return text
    ends = [m.end() for m in re.finditer(r"[.!?]+[\"')]*(?=\s)", text)]
    fitting = [end for end in ends if gsm7_length(text[:end]) <= SMS_LIMIT]
    if fitting:
        return text[: fitting[-1]]
    limit = SMS_LIMIT - len("...")
    space = text.rfind(" ", 0, limit + 1)  # keep whole words where there are any
    cut = text[:space] if space > 0 else text[:limit]
    while gsm7_length(cut) > limit:  # extension characters count twice
        cut = cut[:-1]
    return cut.rstrip(" ,;:-") + "..."


def _gsm7(text: str) -> str:
    text = text.translate(_GSM_SUBSTITUTES)
    if is_gsm7(text):
        return text
    kept = []
    for ch in text:  # é is GSM-7 but á is not: only strip accents where needed
        if not is_gsm7(ch):
            ch = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        kept.append(ch)
    return "".join(kept)


def _dumper() -> type[yaml.SafeDumper]:
    """A SafeDumper writing multi-line text as literal blocks and indenting lists."""

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, False)

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return Dumper
