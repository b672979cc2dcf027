"""Tests for knowledge.readers and knowledge.extract: article to draft knowledge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.gsm import is_gsm7
from knowledge.extract import Draft, DraftEntry, draft_to_yaml, extract_article
from knowledge.readers import detect_format

ARTICLE = Path(__file__).parents[1] / "knowledge" / "article.txt"
DATA = Path(__file__).parent / "data"
FIXTURES = {
    "text": ARTICLE,
    "html": DATA / "article.html",
    "markdown": DATA / "article.md",
}
TITLE = "What Does Ketamine Do For Chronic Pain?"
CAUSES = "What are the Causes of Chronic Pain?"
SECTIONS = [
    TITLE,
    CAUSES,
    "Nerve Damage",
    "Psychological Factors",
    "Ketamine for Chronic Pain Management",
    "A Short History of Ketamine",
    "How Does Ketamine Help With Chronic Pain?",
    "Safety of Ketamine Infusions",
    "The Bottom Line",
]
# Site chrome and page furniture found in the fixtures, never in the article body.
CHROME = (
    "Request A Consultation",
    "Conditions We Treat",
    "Give Us A Call",
    "Have a question",
    "schedule an appointment",
    "Contact Us",
    "Skip to content",
    "Read More",
    "Share this",
    "All rights reserved",
    "Related Articles",
    "Newsletter",
    "Example Ketamine Clinic",
    "dataLayer",
)


def _plain(text: str) -> str:
    """Text compared for faithfulness: straight quotes, collapsed whitespace."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
    return " ".join(text.translate(table).split())


def _extract(text: str) -> Draft:
    return extract_article(text, source="test.txt")


def _by_section(draft: Draft) -> dict[str, DraftEntry]:
    return {entry.section: entry for entry in draft.entries}


@pytest.fixture(scope="module", params=sorted(FIXTURES))
def draft(request: pytest.FixtureRequest) -> Draft:
    path = FIXTURES[request.param]
    return extract_article(path.read_text(encoding="utf-8"), source=path.name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FIXTURES["text"].read_text(encoding="utf-8"), "text"),
        (FIXTURES["html"].read_text(encoding="utf-8"), "html"),
        (FIXTURES["markdown"].read_text(encoding="utf-8"), "markdown"),
        ("<!DOCTYPE html><title>x</title>", "html"),
        ("<h2>Nerve Damage</h2>\n<p>The nerves send signals.</p>", "html"),
        ("Intro line<br>\nsecond line", "html"),
        ("# Title\n\nBody text.", "markdown"),
        ("Title\n=====\n\nBody text.", "markdown"),
        ("Ketamine is **not** an opioid.", "markdown"),
        ("See [our page](https://example.org/ketamine) for more.", "markdown"),
        ("# Title\n\nA line<br>with a break.", "markdown"),
        ("Nerve Damage\n\nThe nerves send signals.", "text"),
        ("Symptoms:\n- dizziness\n- nausea", "text"),
        ("#hashtag at the start of a line", "text"),
        ("Doses < 1 mg and > 0.5 mg are small.", "text"),
        ("", "text"),
    ],
)
def test_detect_format(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_every_format_finds_the_same_sections(draft: Draft) -> None:
    assert draft.title == TITLE
    assert [entry.section for entry in draft.entries] == SECTIONS


def test_formats_agree_entry_for_entry() -> None:
    drafts = {
        fmt: extract_article(path.read_text(encoding="utf-8"), source="article")
        for fmt, path in FIXTURES.items()
    }
    assert drafts["html"] == drafts["text"]
    assert drafts["markdown"] == drafts["text"]


@pytest.mark.parametrize(
    ("section", "question"),
    [
        (TITLE, TITLE),
        (CAUSES, CAUSES),
        ("Nerve Damage", "What should I know about nerve damage?"),
        (
            "A Short History of Ketamine",
            "What should I know about the short history of ketamine?",
        ),
        (
            "Safety of Ketamine Infusions",
            "What should I know about the safety of ketamine infusions?",
        ),
        ("The Bottom Line", "What should I know about the bottom line?"),
    ],
)
def test_headings_become_questions(draft: Draft, section: str, question: str) -> None:
    assert _by_section(draft)[section].question == question


def test_no_chrome_in_entries(draft: Draft) -> None:
    for entry in draft.entries:
        for text in (entry.question, entry.answer, entry.section):
            found = [c for c in CHROME if c.lower() in text.lower()]
            assert not found, (entry.id, found)


def test_paragraphs_that_lost_their_heading_join_the_causes_section(
    draft: Draft,
) -> None:
    sections = _by_section(draft)
    causes = sections[CAUSES].answer.split("\n\n")
    assert causes[0].endswith("Common factors associated with chronic pain include:")
    assert "a broken bone may heal" in causes[1]
    assert "such as cancer and arthritis" in causes[2]
    assert len(causes) == 3
    assert "cancer" not in sections["Nerve Damage"].answer
    assert "broken bone" not in sections[TITLE].answer


def test_answers_are_copied_from_the_article(draft: Draft) -> None:
    article = _plain(ARTICLE.read_text(encoding="utf-8"))
    for entry in draft.entries:
        for paragraph in entry.answer.split("\n\n"):
            assert paragraph == " ".join(paragraph.split()), entry.id
            assert _plain(paragraph) in article, (entry.id, paragraph)


def test_entries_have_unique_slug_ids_and_cite_the_source(draft: Draft) -> None:
    ids = [entry.id for entry in draft.entries]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)*", i) for i in ids), ids
    assert {entry.source for entry in draft.entries} == {draft.source}
    assert draft.source in {path.name for path in FIXTURES.values()}


def test_yaml_round_trips_for_curation(draft: Draft) -> None:
    text = draft_to_yaml(draft)
    assert text.startswith("# DRAFT")
    loaded = yaml.safe_load(text)
    assert loaded["article"] == draft.source
    assert loaded["title"] == draft.title
    assert len(loaded["topics"]) == len(draft.entries)
    for topic, entry in zip(loaded["topics"], draft.entries, strict=True):
        assert list(topic) == [
            "id", "question", "section", "source", "signature",
            "answer", "sms", "related", "examples",
        ]  # fmt: skip
        assert (topic["id"], topic["question"], topic["section"]) == (
            entry.id,
            entry.question,
            entry.section,
        )
        assert (topic["source"], topic["answer"]) == (entry.source, entry.answer)
        assert topic["examples"] == [] and topic["signature"] == []
        sms = topic["sms"]
        assert 0 < len(sms) <= 300 and is_gsm7(sms), entry.id
        # The article's sentences are short enough to cut at a sentence end.
        assert sms[-1] in ".?!" and _plain(entry.answer).startswith(sms), entry.id


def _sms_of(answer: str) -> str:
    entry = DraftEntry(id="t", question="Q?", answer=answer, section="Q?", source="t")
    draft = Draft(title="Q?", source="t", entries=(entry,))
    return yaml.safe_load(draft_to_yaml(draft))["topics"][0]["sms"]


SENTENCES = " ".join(f"Sentence number {n} is about ketamine care." for n in range(20))
WORDS = " ".join(f"word{n}" for n in range(80))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Short answer. Two sentences.", "Short answer. Two sentences."),
        ("First paragraph.\n\nSecond paragraph.", "First paragraph. Second paragraph."),
        (
            "Ketamine’s “healing effect” – it helps…",
            'Ketamine\'s "healing effect" - it helps...',
        ),
        ("Rest after:\n\n- Drink water\n- Sleep", "Rest after: Drink water Sleep"),
        (SENTENCES, SENTENCES[: SENTENCES.rindex(".", 0, 300) + 1]),
        (WORDS, WORDS[: WORDS.rindex(" ", 0, 298)] + "..."),
    ],
)
def test_sms_is_a_first_cut_of_the_answer(answer: str, expected: str) -> None:
    sms = _sms_of(answer)
    assert sms == expected
    assert len(sms) <= 300


@pytest.mark.parametrize(
    "chrome",
    [
        "Request A Consultation",
        "Conditions We Treat",
        "GIve Us A Call",
        "Have a question or need to schedule an appointment? Give us a call now.",
        "Contact Us",
        "Book Now",
        "Read More »",
        "Share this:",
        "© 2024 Example Clinic. All rights reserved.",
        "Copyright 2023 Example Clinic",
    ],
)
def test_chrome_is_left_out(chrome: str) -> None:
    text = (
        "Ketamine Basics\n\nKetamine is a medication.\n\n"
        f"{chrome}\n\nSide Effects\n\nSome people feel dizzy.\n\n{chrome}\n"
    )
    draft = _extract(text)
    assert [(e.section, e.answer) for e in draft.entries] == [
        ("Ketamine Basics", "Ketamine is a medication."),
        ("Side Effects", "Some people feel dizzy."),
    ]


def test_a_sentence_that_mentions_calling_is_content() -> None:
    line = "If the pain comes back, give us a call and we will adjust the plan."
    draft = _extract(f"Aftercare?\n\n{line}\n")
    assert draft.entries[0].answer == line


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("Nerve Damage", "What should I know about nerve damage?"),
        ("NMDA Receptors", "What should I know about NMDA receptors?"),
        (
            "An Overview of Infusions",
            "What should I know about the overview of infusions?",
        ),
        ("Your Safety", "What should I know about your safety?"),
        ("How to Prepare", "How to prepare?"),
        ("Is Ketamine Safe?", "Is Ketamine Safe?"),
        ("Long-Term Relief", "What should I know about long-term relief?"),
    ],
)
def test_statement_headings_are_asked_about(heading: str, question: str) -> None:
    draft = _extract(f"Ketamine Care?\n\nIntro.\n\n{heading}\n\nBody text here.\n")
    assert draft.entries[1].section == heading
    assert draft.entries[1].question == question


def test_a_title_that_is_not_a_question_is_asked_about() -> None:
    draft = _extract("Ketamine Infusions\n\nThey are given in a clinic.\n")
    assert draft.title == "Ketamine Infusions"
    assert draft.entries == (
        DraftEntry(
            id="what_should_i_know_about_ketamine_infusions",
            question="What should I know about ketamine infusions?",
            answer="They are given in a clinic.",
            section="Ketamine Infusions",
            source="test.txt",
        ),
    )


def test_an_orphan_without_a_list_joins_the_preceding_section() -> None:
    text = (
        "Care?\n\nIntro.\n\nFirst Topic\n\nOne.\n\n\n"
        "An orphan paragraph.\n\nSecond Topic\n\nTwo.\n"
    )
    sections = _by_section(_extract(text))
    assert sections["First Topic"].answer == "One.\n\nAn orphan paragraph."
    assert sections["Second Topic"].answer == "Two."


def test_a_list_of_subsections_closes_at_a_heading_of_its_rank() -> None:
    page = (
        "<h1>Care?</h1><h2>Causes</h2><p>Factors include:</p>"
        "<h3></h3><p>Injury.</p><h3>Nerves</h3><p>Nerve text.</p>"
        "<h3></h3><p>Illness.</p><h2>Treatment</h2><p>Treat.</p>"
        "<h3></h3><p>Later orphan.</p>"
    )
    sections = _by_section(_extract(page))
    assert sections["Causes"].answer == "Factors include:\n\nInjury.\n\nIllness."
    assert sections["Nerves"].answer == "Nerve text."
    assert sections["Treatment"].answer == "Treat.\n\nLater orphan."


def test_html_reads_only_the_article_and_decodes_entities() -> None:
    page = (
        "<html><head><title>Infusions | Example Clinic</title>"
        "<style>p { color: red }</style></head><body>"
        "<nav><ul><li>Home</li></ul></nav>"
        "<h2>What to Expect</h2><p>It&rsquo;s calm &amp;\n   quiet.</p>"
        "<ul><li>Rest</li><li>Hydrate</li></ul>"
        '<script>var x = "<p>hidden</p>";</script></body></html>'
    )
    draft = _extract(page)
    assert draft.title == "Infusions"
    assert [(e.question, e.answer) for e in draft.entries] == [
        ("What to expect?", "It’s calm & quiet.\n\n- Rest\n- Hydrate")
    ]


def test_markdown_markup_is_reduced_to_text() -> None:
    text = (
        "# Ketamine?\n\nSome **bold**, *emphasis*, `code` and a "
        "[link](https://example.org).\n\n## Side Effects ##\n\n"
        "* Dizziness\n* Nausea &amp; vomiting\n"
    )
    assert [(e.section, e.answer) for e in _extract(text).entries] == [
        ("Ketamine?", "Some bold, emphasis, code and a link."),
        ("Side Effects", "- Dizziness\n- Nausea & vomiting"),
    ]


def test_repeated_headings_get_numbered_ids() -> None:
    text = "Care?\n\nIntro.\n\nSide Effects\n\nA.\n\nSide Effects\n\nB.\n"
    assert [e.id for e in _extract(text).entries] == [
        "care",
        "what_should_i_know_about_side_effects",
        "what_should_i_know_about_side_effects_2",
    ]


def test_headings_without_text_are_dropped() -> None:
    text = "Care?\n\nIntro.\n\nEmpty Heading\n\nReal Heading\n\nBody.\n"
    assert [e.section for e in _extract(text).entries] == ["Care?", "Real Heading"]


def test_empty_article_gives_an_empty_draft() -> None:
    draft = extract_article("", source="blank.txt")
    assert draft == Draft(title="blank", source="blank.txt", entries=())
    assert yaml.safe_load(draft_to_yaml(draft))["topics"] == []
