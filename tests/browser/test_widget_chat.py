"""The chat widget on the demo page, used as a visitor would, in real Chromium."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

from bot.conversation.replies import FORM_QUESTIONS
from browser.live_servers import Bot, HostSite, PageErrors, widget_page


def open_chat(page: Page, bot: Bot) -> Any:
    """Open the demo page and the chat; return the conversation log."""
    page.goto(bot.url)
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return page.get_by_role("log", name="Conversation")


def ask(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")


def test_the_first_open_greets_discloses_and_offers_topics(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    clinic = bot.runtime.knowledge.clinic.name
    expect(page.get_by_role("dialog", name=clinic)).to_be_visible()
    expect(log).to_contain_text("automated assistant")
    expect(log).to_contain_text("not medical advice")
    topic = bot.runtime.knowledge.topic("how_ketamine_works").question
    expect(page.get_by_role("button", name=topic)).to_be_visible()
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
    assert bot.user_messages() == []  # opening the chat sends nothing


def test_a_question_in_my_own_words_gets_the_answer_and_its_source(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    ask(page, "is this ketamine drip thing safe??")
    topic = bot.runtime.knowledge.topic("ketamine_safety")
    expect(log).to_contain_text(topic.answer[:60])
    expect(log).to_contain_text(f'Source: "{topic.section}"')
    assert bot.user_messages() == ["is this ketamine drip thing safe??"]


def test_a_suggested_question_is_sent_and_shown_by_its_title(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    topic = bot.runtime.knowledge.topic("how_ketamine_works")
    page.get_by_role("button", name=topic.question).click()
    expect(log).to_contain_text(topic.answer[:60])
    # The visitor's side shows the button's title, not its payload.
    expect(log).to_contain_text(f"You said: {topic.question}")
    expect(log).not_to_contain_text(topic.intent)
    assert bot.user_messages() == [f"/{topic.intent}"]


def test_phone_numbers_in_replies_are_tel_links(page: Page, bot: Bot) -> None:
    log = open_chat(page, bot)
    ask(page, "what is the meaning of life")
    link = log.get_by_role("link", name="+1 513-555-0100")
    expect(link).to_have_attribute("href", "tel:+15135550100")


def test_a_consultation_request_through_the_widget_reaches_the_export(
    page: Page, bot: Bot, runner: Any
) -> None:
    log = open_chat(page, bot)
    page.get_by_role("button", name="Request a consultation").last.click()
    expect(log).to_contain_text(FORM_QUESTIONS["name"])
    for answer, next_question in [
        ("Maria Lopez", FORM_QUESTIONS["phone"]),
        ("513 555 0134", FORM_QUESTIONS["email"]),
        ("maria@example.com", FORM_QUESTIONS["preferred_time"]),
        ("weekday mornings", FORM_QUESTIONS["condition"]),
        ("back pain since an injury", "Last step"),
        ("yes", "We have received your consultation request"),
    ]:
        ask(page, answer)
        expect(log).to_contain_text(next_question)
    status, output = runner("handoffs", "export", "--format", "json")
    assert status == 0
    (handoff,) = json.loads(output)
    assert handoff["channel"] == "rest"
    assert (handoff["name"], handoff["phone"]) == ("Maria Lopez", "+15135550134")
    assert handoff["email"] == "maria@example.com"
    said = [line["text"] for line in handoff["transcript"]]
    assert "Maria Lopez" in said and "back pain since an injury" in said


def test_the_conversation_survives_a_reload_and_start_over_clears_it(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    ask(page, "what does ketamine do for nerve damage")
    expect(log).to_contain_text("Source:")
    page.reload()
    # Still open, with the whole history, and the same conversation goes on.
    expect(log).to_contain_text("what does ketamine do for nerve damage")
    expect(log).to_contain_text("Source:")
    ask(page, "is it addictive")
    expect(log).to_contain_text(bot.runtime.knowledge.topic("addiction_risk").section)
    senders = page.evaluate(
        "Object.keys(sessionStorage).map(k => JSON.parse(sessionStorage[k]).sender)"
    )
    assert len(senders) == 1
    page.get_by_role("button", name="Start over").click()
    expect(log).not_to_contain_text("nerve damage")
    expect(log).to_contain_text("automated assistant")
    new_sender = page.evaluate(
        "Object.keys(sessionStorage).map(k => JSON.parse(sessionStorage[k]).sender)"
    )
    assert new_sender != senders


def test_markup_a_visitor_types_stays_text_and_never_runs(
    page: Page, bot: Bot, page_errors: PageErrors
) -> None:
    log = open_chat(page, bot)
    attack = "<img src=x onerror=alert(1)>"
    ask(page, attack)
    expect(log.get_by_text(attack, exact=True)).to_be_visible()
    expect(log.get_by_text("Assistant said:")).to_have_count(2)  # answered
    page.reload()  # and from sessionStorage too
    expect(log.get_by_text(attack, exact=True)).to_be_visible()
    images = page.evaluate(
        "document.querySelector('faqbot-widget').shadowRoot.querySelectorAll('img')"
        ".length"
    )
    assert images == 0
    assert page_errors.dialogs == []
    assert bot.user_messages() == [attack]


def test_the_typing_indicator_shows_while_the_answer_is_on_its_way(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    bot.gate.close()
    ask(page, "how long does the relief last")
    status = page.get_by_role("status")
    expect(status).to_contain_text("The assistant is typing")
    expect(log.get_by_text("how long does the relief last")).to_be_visible()
    bot.gate.open()
    expect(log).to_contain_text("Source:")
    expect(status).not_to_contain_text("typing")


def test_a_message_sent_while_the_server_is_down_waits_for_retry(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    page.goto(host_site.add("/", widget_page(bot)))
    page.get_by_role("button", name="Chat with us").click()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("automated assistant")
    bot.stop()
    ask(page, "can ketamine help with opioid tolerance")
    expect(log).to_contain_text("Not sent")
    retry = log.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    bot.start()
    page.reload()  # nothing is lost, even across a reload of the clinic's page
    expect(log).to_contain_text("You said: can ketamine help with opioid tolerance")
    expect(log).to_contain_text("Not sent")
    retry.click()
    topic = bot.runtime.knowledge.topic("opioid_tolerance")
    expect(log).to_contain_text(topic.answer[:60])
    expect(log).not_to_contain_text("Not sent")
    assert bot.user_messages() == ["can ketamine help with opioid tolerance"]


def test_a_retry_after_a_lost_answer_is_handled_once(page: Page, bot: Bot) -> None:
    """The server handled the message but the answer never arrived: a retry
    sends the same message id and gets the stored replies back."""
    log = open_chat(page, bot)
    lost: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        response = route.fetch()  # the real server handles it...
        lost.append(route.request.post_data_json["metadata"]["message_id"])
        assert response.status == 200
        route.abort("connectionreset")  # ...and the answer is lost

    page.route("**/webhooks/rest/webhook", lose_the_first_answer)
    ask(page, "i would like a consultation")
    log.get_by_role("button", name="Retry").click()
    expect(log).to_contain_text(FORM_QUESTIONS["name"])
    ask(page, "Maria Lopez")
    expect(log).to_contain_text(FORM_QUESTIONS["phone"])
    assert bot.user_messages() == ["i would like a consultation", "Maria Lopez"]
    # One question asked once: the retry did not start the form a second time.
    expect(log.get_by_text(FORM_QUESTIONS["name"])).to_have_count(1)


def test_a_crisis_message_gets_988_and_911_first_as_links(
    page: Page, bot: Bot
) -> None:
    log = open_chat(page, bot)
    ask(page, "i want to end it all")
    expect(log).to_contain_text("Assistant said: If you are thinking about suicide")
    expect(log.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(log.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
