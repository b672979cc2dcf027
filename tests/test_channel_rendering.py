"""Channel rendering, pure: SMS options and segments, WhatsApp, Messenger limits."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.channels.keywords import Keyword, keyword
from bot.channels.messenger import (
    MAX_QUICK_REPLIES,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    quick_reply_title,
    send_requests,
)
from bot.channels.sms import render_sms, render_whatsapp, sms_options
from bot.channels.sms_text import plain, segments
from bot.channels.texts import split_text
from bot.conversation.actions.crisis import send_crisis_reply
from bot.conversation.crisis_replies import safety_message
from bot.conversation.options import chosen, remembered
from bot.gsm import is_gsm7
from bot.knowledge import KnowledgeBase
from bot.messages import Button, Reply
from bot.understanding.crisis import CrisisSignal

SIDE_EFFECTS = Button(
    "What side effects can ketamine infusions have?", "/faq/se", "side effects"
)
SAFETY = Button("Is ketamine infusion therapy safe?", "/faq/safety", "safety")
NO_LABEL = Button("Is ketamine addictive?", "/faq/addiction")


# --- SMS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters take two septets
        ("{" * 81, 2),
        ("é" * 160, 1),  # é is in GSM-7's basic table
        ("ł" * 70, 1),  # ł is not: UCS-2
        ("ł" * 71, 2),
        ("😀" * 35, 1),  # an emoji is two UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_typographic_punctuation_is_made_gsm7() -> None:
    text = "It\u2019s \u201cfine\u201d \u2014 really\u2026"
    assert plain(text) == 'It\'s "fine" - really...'
    assert is_gsm7(plain(text))
    assert not is_gsm7("Zo\u00eb \u0142")  # other letters stay as they are


def test_options_read_as_a_sentence_numbered_from_first() -> None:
    assert sms_options([SIDE_EFFECTS], 1) == "Reply 1 for side effects."
    assert (
        sms_options([SIDE_EFFECTS, SAFETY, NO_LABEL], 3)
        == "Reply 3 for side effects, 4 for safety or 5 for Is ketamine addictive."
    )


def test_an_sms_turn_is_one_body_with_options_numbered_across_replies() -> None:
    replies = [
        Reply("The long web answer.", buttons=(SIDE_EFFECTS,), short_text="Short."),
        Reply("When is a good time?", buttons=(SAFETY,)),
    ]
    assert render_sms(replies) == [
        "Short.\n\nReply 1 for side effects.\n\nWhen is a good time?"
        "\n\nReply 2 for safety."
    ]
    # The engine remembers the same numbering.
    assert remembered(replies) == ["/faq/se", "/faq/safety"]


def test_trailing_options_give_way_to_keep_two_segments() -> None:
    text = "x" * 250
    [body] = render_sms([Reply(text, buttons=(SIDE_EFFECTS, SAFETY, NO_LABEL))])
    assert segments(body) <= 2
    assert "1 for side effects" in body and "Is ketamine addictive" not in body


def test_options_stay_when_the_text_alone_is_past_two_segments() -> None:
    [body] = render_sms([Reply("y" * 400, buttons=(SIDE_EFFECTS, SAFETY))])
    assert body.endswith("Reply 1 for side effects or 2 for safety.")


def test_every_faq_answer_fits_two_gsm7_segments_with_its_options(
    knowledge: KnowledgeBase,
) -> None:
    by_id = {t.id: t for t in knowledge.topics}
    for topic in knowledge.topics:
        related = tuple(
            Button(by_id[r].question, f"/faq/{r}", by_id[r].label)
            for r in topic.related
        )
        reply = Reply(topic.answer, buttons=related, short_text=topic.sms)
        [body] = render_sms([reply])
        assert is_gsm7(body), topic.id
        assert segments(body) <= 2, topic.id
        assert "Reply 1 for " in body, topic.id


# --- SMS: the crisis tiers ------------------------------------------------------------

KINDS = ("suicide", "self_harm", "overdose", "medical_emergency", "infusion_reaction")
LANGUAGES = ("en", "es")


def crisis_turn(kind: str, language: str, *, in_form: bool) -> Reply:
    """The crisis reply as the action sends it (mid-form: with its continue button)."""
    signal = CrisisSignal(kind=kind, cue="x", language=language)
    tracker = Tracker(
        sender_id="visitor",
        slots={"requested_slot": "phone" if in_form else None},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "consultation_form"} if in_form else {},
        latest_action_name=None,
    )
    dispatcher = CollectingDispatcher()
    send_crisis_reply(dispatcher, tracker, signal)
    [message] = dispatcher.messages
    return Reply.from_dispatcher(message)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_crisis_reply_fits_two_gsm7_segments_with_its_continue_option(
    kind: str, language: str
) -> None:
    [body] = render_sms([crisis_turn(kind, language, in_form=True)])
    assert is_gsm7(body) and segments(body) <= 2, body
    assert "988" in body and "911" in body
    assert ("1-800-222-1222" in body) == (kind == "overdose")
    option = (
        "Responda 1 para seguir con su solicitud."
        if language == "es"
        else "Reply 1 for continuing your request."
    )
    assert body.endswith(option)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_faq_answer_after_any_safety_line_keeps_two_gsm7_segments(
    knowledge: KnowledgeBase, kind: str, language: str
) -> None:
    line = Reply.from_dispatcher(safety_message(kind, language))
    by_id = {t.id: t for t in knowledge.topics}
    for topic in knowledge.topics:
        related = tuple(
            Button(by_id[r].question, f"/faq/{r}", by_id[r].label)
            for r in topic.related
        )
        answer = Reply(topic.answer, buttons=related, short_text=topic.sms)
        bodies = render_sms([line, answer])
        # The line first, alone or with the answer; every body within two
        # segments, and the answer's options all kept.
        assert bodies[0].startswith(line.short_text or "")
        assert all(is_gsm7(b) and segments(b) <= 2 for b in bodies), topic.id
        assert bodies[-1].endswith(render_sms([answer])[0])


def test_a_safety_line_that_fits_shares_the_turns_one_body() -> None:
    line = Reply.from_dispatcher(safety_message("suicide", "en"))
    assert render_sms([line, Reply("Short answer.", buttons=(SAFETY,))]) == [
        f"{line.text}\n\nShort answer.\n\nReply 1 for safety."
    ]


def test_spanish_options_read_in_spanish_on_sms_and_whatsapp() -> None:
    reply = Reply("Texto.", buttons=(SIDE_EFFECTS, SAFETY), custom={"language": "es"})
    assert render_sms([reply]) == [
        "Texto.\n\nResponda 1 para side effects o 2 para safety."
    ]
    [whatsapp] = render_whatsapp([reply])
    assert "Responda con un número:\n*1* " in whatsapp


def test_a_body_past_twilios_limit_is_split() -> None:
    text = " ".join(["A sentence of the answer."] * 100)
    parts = render_sms([Reply(text)])
    assert len(parts) == 2
    assert all(len(p) <= 1600 for p in parts)
    assert " ".join(parts) == text


def test_whatsapp_keeps_the_full_text_and_lists_options_in_bold() -> None:
    [body] = render_whatsapp(
        [
            Reply(
                "Full \u201canswer\u201d.",
                buttons=(SIDE_EFFECTS, SAFETY),
                short_text="S",
            )
        ]
    )
    assert body == (
        "Full \u201canswer\u201d.\n\nReply with a number:\n"
        f"*1* {SIDE_EFFECTS.title}\n*2* {SAFETY.title}"
    )


def test_a_silent_turn_renders_nothing() -> None:
    assert render_sms([]) == [] and render_whatsapp([]) == []


# --- keywords and options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", Keyword.OPT_OUT),
        (" stop. ", Keyword.OPT_OUT),
        ("Unsubscribe", Keyword.OPT_OUT),
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        ("help", Keyword.HELP),
        ("help me with pain", None),
        ("stop the pain", None),
        ("stopped", None),
    ],
)
def test_keywords_are_whole_messages(text: str, expected: Keyword | None) -> None:
    assert keyword(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", "/a"), (" 2 ", "/b"), ("#2", "/b"), ("2.", "/b"), ("option 1", "/a")],
)
def test_a_number_picks_a_remembered_option(text: str, expected: str) -> None:
    assert chosen(text, {"options": ["/a", "/b"]}) == expected


@pytest.mark.parametrize("text", ["3", "0", "12 noon", "1 and 2", "one", "-1"])
def test_other_text_picks_nothing(text: str) -> None:
    assert chosen(text, {"options": ["/a", "/b"]}) is None


def test_no_remembered_options_means_a_number_is_just_text() -> None:
    assert chosen("1", {}) is None


# --- Messenger ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "title"),
    [
        (Button("Is ketamine addictive?", "/x", "addiction risk"), "Addiction risk"),
        (Button("Short?", "/x", "a label"), "Short?"),
        (
            Button("What is ketamine infusion therapy, and does it work?", "/x"),
            "What is ketamine\u2026",
        ),
        (
            Button("Supercalifragilisticexpialidocious", "/x"),
            "Supercalifragilisti\u2026",
        ),
    ],
)
def test_quick_reply_titles_fit_twenty_characters(button: Button, title: str) -> None:
    assert quick_reply_title(button) == title
    assert len(title) <= MAX_TITLE_CHARS


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_continue_button_keeps_its_whole_title_on_messenger(language: str) -> None:
    reply = crisis_turn("suicide", language, in_form=True)
    [button] = reply.buttons
    typing, message = send_requests([reply], "PSID")
    assert message["message"]["quick_replies"] == [
        {
            "content_type": "text",
            "title": button.title,
            "payload": "/request_consultation",
        }
    ]
    assert len(button.title) <= MAX_TITLE_CHARS


def test_a_turn_is_typing_then_texts_with_quick_replies_on_the_last() -> None:
    buttons = tuple(Button(f"Q{n}", f"/p{n}") for n in range(20))
    replies = [
        Reply("first", buttons=buttons[:2]),
        Reply("second", buttons=buttons[2:]),
    ]
    typing, first, second = send_requests(replies, "PSID")
    assert typing == {"recipient": {"id": "PSID"}, "sender_action": "typing_on"}
    assert first == {
        "recipient": {"id": "PSID"},
        "messaging_type": "RESPONSE",
        "message": {"text": "first"},
    }
    quick = second["message"]["quick_replies"]
    assert len(quick) == MAX_QUICK_REPLIES
    assert [q["payload"] for q in quick] == [f"/p{n}" for n in range(13)]


def test_texts_are_split_at_two_thousand_characters_between_words() -> None:
    text = ("word " * 900).strip()
    pieces = split_text(text, MAX_TEXT_CHARS)
    assert [len(p) <= MAX_TEXT_CHARS for p in pieces] == [True, True, True]
    assert " ".join(pieces) == text


def test_split_prefers_paragraphs_then_sentences() -> None:
    text = "a" * 15 + "\n\n" + "b" * 10 + ". " + "c" * 10
    assert split_text(text, 20) == ["a" * 15, "b" * 10 + ".", "c" * 10]
    assert split_text("x" * 45, 20) == ["x" * 20, "x" * 20, "x" * 5]
