"""The crisis tiers in the chat widget, in real Chromium.

A possible crisis shows the safety line as its own bubble before the answer; a
crisis in the middle of the consultation form shows the crisis reply with a
"Continue my request" button that carries the form on. The parser's detector
is the real one, except for the phrases `crisis_signals` gives a fixed signal.
"""

from __future__ import annotations

from typing import Any

import pytest
from crisis_signals import PAST_ATTEMPT, PhraseDetector
from playwright.sync_api import Page, expect

from bot.conversation.crisis_replies import safety_line
from bot.conversation.replies import FORM_QUESTIONS
from bot.knowledge import KnowledgeBase
from bot.understanding.parser import Parser
from browser.live_servers import Bot


@pytest.fixture(scope="module")
def parser(knowledge: KnowledgeBase, parser: Parser) -> Parser:
    """The product's parser (its sentence model shared) with the phrase detector."""
    return Parser(knowledge, encoder=parser.encoder, crisis=PhraseDetector())


def open_chat(page: Page, bot: Bot) -> Any:
    """Open the chat and wait for the greeting, the log's first bot message."""
    page.goto(bot.url)
    page.get_by_role("button", name="Chat with us").click()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("automated assistant")
    return log


def ask(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")


def test_a_possible_crisis_shows_the_safety_line_then_the_answer(
    page: Page, bot: Bot, parser: Parser
) -> None:
    log = open_chat(page, bot)
    ask(page, PAST_ATTEMPT)
    line = safety_line("suicide", "en").text
    expect(log).to_contain_text(line)
    intent = parser.parse(PAST_ATTEMPT)["intent"]["name"]
    topic = bot.runtime.knowledge.topic(intent.removeprefix("faq/"))
    expect(log).to_contain_text(topic.answer[:60])
    bubbles = log.locator(".msg.bot")
    # The greeting, the safety line, then the answer.
    expect(bubbles.nth(1)).to_contain_text(line)
    expect(bubbles.nth(2)).to_contain_text(topic.answer[:60])
    expect(bubbles.nth(1).get_by_role("link", name="988")).to_have_attribute(
        "href", "tel:988"
    )


def test_continue_my_request_carries_the_form_on_after_a_crisis(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    ask(page, "I'd like a consultation")
    expect(log).to_contain_text(FORM_QUESTIONS["name"])
    ask(page, "Maria Lopez")
    expect(log).to_contain_text(FORM_QUESTIONS["phone"])
    ask(page, "i want to end it all")
    expect(log).to_contain_text("If you are thinking about suicide")
    page.get_by_role("button", name="Continue my request").click()
    expect(log).to_contain_text("You said: Continue my request")
    # The phone question again (the name was kept), now twice in the log.
    expect(log.get_by_text(FORM_QUESTIONS["phone"])).to_have_count(2)
    ask(page, "513 555 0134")
    expect(log).to_contain_text(FORM_QUESTIONS["email"])
    assert bot.user_messages()[-2:] == ["/request_consultation", "513 555 0134"]
