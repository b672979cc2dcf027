"""Read an article (HTML, Markdown or plain text) into titled blocks of text.

A block is a heading (with its rank: 1-6 from the markup, 0 in plain text), a
paragraph, a list, or a gap where a heading was lost: an empty heading element in
HTML or Markdown, an extra blank line in plain text. What a gap means is decided
by knowledge.extract. Plain text has no markup, so a heading there is a single
short line (at most 12 words) that does not end in '.', ',', ':', ';' or '!'; the
first line is the title.

Site chrome (calls to action, navigation, copyright lines) is dropped wherever a
whole heading, paragraph or list item matches one of CHROME_PATTERNS; in HTML the
contents of script, style, nav, header, footer, form, aside and similar elements
are skipped too (a <header> inside <article> or <main> is kept: it holds the
article's own title). Content before the title is page furniture and is dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

#: Whole blocks of site chrome, matched case-insensitively against a heading,
#: paragraph or list item after whitespace and edge punctuation are stripped.
CHROME_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"request an? (?:free )?(?:consultation|appointment)(?: today| now)?",
        r"(?:conditions|what) we treat",
        r"(?:have (?:a|any) questions?\b.*\?\s*)?"
        r"(?:give us a call|call us|contact us)(?: now| today)?",
        r"(?:book|schedule)(?: an appointment| a consultation)?"
        r"(?: now| online| today)?",
        r"read more|learn more|continue reading|back to top|skip to (?:main )?content",
        r"share(?: this(?: post| article)?| on \w+)?|follow us(?: on \w+)?",
        r"(?:©|\(c\)|copyright)\s*(?:©\s*)?\d{4}.*|.*\ball rights reserved",
        r"privacy policy|terms (?:of use|and conditions|& conditions)",
    )
)

Format = Literal["html", "markdown", "text"]


@dataclass(frozen=True)
class Block:
    """A heading, paragraph, list or gap (a lost heading) of an article."""

    kind: Literal["heading", "paragraph", "list", "gap"]
    text: str = ""
    level: int = 0  # heading rank; 0 where the format has none (plain text)
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """An article read into blocks: its title, the title's rank, what follows it."""

    format: Format
    title: str | None
    level: int
    blocks: tuple[Block, ...]


_HTML_DOC = re.compile(r"<!doctype\s+html|<(?:html|body)[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<(?:p|h[1-6]|div|article|section|main|ul|ol|li|br|table)\b[^>]*>", re.IGNORECASE
)
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S|^\S.*\n {0,3}=+[ \t]*$", re.MULTILINE)
_MD_INLINE = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\s]+\)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(\S.*)$")
_RULE = re.compile(r"(?:[-*_=]\s*){3,}")
_MD_SUBS = (  # inline Markdown reduced to its text, in this order
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),
)
_SKIP_TAGS = frozenset(
    "script style nav header footer form aside noscript template svg iframe button"
    " select".split()
)
_BLOCK_TAGS = frozenset(
    "p div section article main blockquote pre table tr td th dl dt dd figure"
    " figcaption address hr body".split()
)


def detect_format(text: str) -> Format:
    """Guess whether `text` is an HTML page, a Markdown document or plain text."""
    if _HTML_DOC.search(text):
        return "html"
    if _MD_HEADING.search(text):
        return "markdown"
    if _HTML_TAG.search(text):
        return "html"
    # Bullet lists alone do not make Markdown: plain-text articles use them too.
    return "markdown" if _MD_INLINE.search(text) else "text"


def read_article(text: str) -> Reading:
    """Detect the format of `text` and read it into a title and content blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = detect_format(text)
    if fmt == "html":
        parser = _HtmlBlocks()
        parser.feed(text)
        parser.close()
        title, level, blocks = _split_title(_drop_chrome(parser.finish()), parser.title)
    elif fmt == "markdown":
        text = re.sub(r"\A---\n.*?\n(?:---|\.\.\.)\n", "", text, flags=re.DOTALL)
        title, level, blocks = _split_title(_drop_chrome(_scan(text, markdown=True)))
    else:
        title, text = _text_title(text)
        level, blocks = 0, _text_headings(_drop_chrome(_scan(text, markdown=False)))
    return Reading(format=fmt, title=title, level=level, blocks=tuple(blocks))


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").replace("\u200b", "").split())


def _is_chrome(text: str) -> bool:
    core = _clean(text).strip(" .!:|»›→>-–—")
    return any(p.fullmatch(core) for p in CHROME_PATTERNS)


def _drop_chrome(blocks: list[Block]) -> list[Block]:
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "list":
            items = tuple(i for i in block.items if not _is_chrome(i))
            if items:
                kept.append(Block("list", items=items))
        elif block.kind == "gap" or not _is_chrome(block.text):
            kept.append(block)
    return kept


class _HtmlBlocks(HTMLParser):
    """Collects headings, paragraphs and lists of the readable part of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._blocks: list[Block] = []
        self._buffer: list[str] = []
        self._items: list[str] = []
        self._skipping: list[str] = []
        self._content_depth = 0  # open <article>/<main> elements
        self._list_depth = 0
        self._in_title = False

    def finish(self) -> list[Block]:
        self._flush()
        return self._blocks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS and (
            self._skipping or tag != "header" or not self._content_depth
        ):
            self._flush()
            self._skipping.append(tag)
        elif self._skipping:
            return
        elif tag == "title":
            self._in_title = True
        elif tag in ("article", "main"):
            self._flush()
            self._content_depth += 1
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth += 1
        elif tag == "br":
            self._buffer.append(" ")
        elif tag in _BLOCK_TAGS or tag == "li" or re.fullmatch(r"h[1-6]", tag):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag):
            text = _clean("".join(self._buffer))
            self._buffer.clear()
            self._blocks.append(Block("heading" if text else "gap", text, int(tag[1])))
        elif tag in ("ul", "ol"):
            self._flush()
            self._list_depth = max(0, self._list_depth - 1)
            if not self._list_depth and self._items:
                self._blocks.append(Block("list", items=tuple(self._items)))
                self._items.clear()
        elif tag in _BLOCK_TAGS or tag in ("li", "article", "main"):
            self._flush()
            if tag in ("article", "main"):
                self._content_depth = max(0, self._content_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self._buffer.append(data)

    def _flush(self) -> None:
        text = _clean("".join(self._buffer))
        self._buffer.clear()
        if text and self._list_depth:
            self._items.append(text)
        elif text:
            self._blocks.append(Block("paragraph", text))


def _scan(text: str, *, markdown: bool) -> list[Block]:
    """Split Markdown or plain text into blocks separated by blank lines."""
    blocks: list[Block] = []
    lines: list[str] = []
    items: list[str] = []
    blank_run = 0
    in_fence = False

    def flush() -> None:
        if lines:
            text = "\n".join(lines)
            blocks.append(Block("paragraph", _md_text(text) if markdown else text))
            lines.clear()
        if items:
            cleaned = (_md_text(i) if markdown else _clean(i) for i in items)
            blocks.append(Block("list", items=tuple(i for i in cleaned if i)))
            items.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if markdown and line.startswith(("```", "~~~")):
            in_fence = not in_fence  # code is not FAQ material
            continue
        if in_fence:
            continue
        if markdown and line.startswith(">"):
            line = line.lstrip("> ").strip()
        if not line:
            flush()
            blank_run += 1
            continue
        if not markdown and blank_run >= 2 and blocks:
            blocks.append(Block("gap"))
        blank_run = 0
        atx = _ATX.match(line) if markdown else None
        if atx:
            flush()
            heading = _md_text(atx[2] or "")
            blocks.append(Block("heading" if heading else "gap", heading, len(atx[1])))
        elif markdown and lines and not items and re.fullmatch(r"=+|-+", line):
            heading = _md_text("\n".join(lines))
            lines.clear()
            blocks.append(Block("heading", heading, 1 if line[0] == "=" else 2))
        elif _RULE.fullmatch(line) or (markdown and re.match(r"\[[^\]]+\]:\s", line)):
            flush()
        elif bullet := _BULLET.match(line):
            if lines:
                flush()
            items.append(bullet[1])
        elif items:
            items[-1] += " " + line  # a wrapped list item
        else:
            lines.append(line)
    flush()
    return blocks


def _md_text(text: str) -> str:
    for pattern, replacement in _MD_SUBS:
        text = pattern.sub(replacement, text)
    return _clean(html.unescape(text))


def _heading_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 12
        and not line.rstrip("\"'”’)").endswith((".", ",", ":", ";", "!"))
        and any(ch.isalpha() for ch in line)
    )


def _text_title(text: str) -> tuple[str | None, str]:
    """Take the first line as the title when it looks like one."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            first = _clean(html.unescape(line))
            if _heading_like(first):
                return first, "\n".join(lines[index + 1 :])
            break
    return None, text


def _text_headings(blocks: list[Block]) -> list[Block]:
    """Turn single short lines into headings and decode the rest of plain text."""
    result: list[Block] = []
    for block in blocks:
        text = _clean(html.unescape(block.text))
        if block.kind == "paragraph" and "\n" not in block.text and _heading_like(text):
            result.append(Block("heading", text))
        elif block.kind == "paragraph":
            result.append(Block("paragraph", text))
        else:
            result.append(block)
    return result


def _split_title(
    blocks: list[Block], fallback: str = ""
) -> tuple[str | None, int, list[Block]]:
    """Find the title heading (an h1, else `fallback`, else the first heading)."""
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    first_h1 = next((i for i in headings if blocks[i].level == 1), None)
    if first_h1 is None and _clean(fallback):
        # A <title> usually ends with the site's name after a separator.
        return re.split(r"\s+[|–—]\s+", _clean(fallback))[0], 1, blocks
    index = first_h1 if first_h1 is not None else next(iter(headings), None)
    if index is None:
        return None, 1, blocks
    return blocks[index].text, blocks[index].level, blocks[index + 1 :]
