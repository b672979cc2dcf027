"""A channel's message ids: a retried message is answered once, never handled twice."""

from __future__ import annotations

from bot.messages import IncomingMessage
from bot.runtime import Runtime


def send(runtime: Runtime, text: str, message_id: str | None, *, sender: str = "v"):
    return runtime.engine.handle(
        IncomingMessage("test", sender, text, message_id=message_id)
    )


def user_lines(runtime: Runtime, sender: str = "v") -> list[str]:
    conversation = runtime.store.conversation("test", sender)
    return [
        line.text
        for line in runtime.store.transcript(conversation.id)
        if line.sender == "user"
    ]


def test_a_repeated_id_gets_the_same_replies_and_is_stored_once(
    runtime: Runtime,
) -> None:
    first = send(runtime, "is ketamine safe?", "m-1")
    again = send(runtime, "is ketamine safe?", "m-1")
    assert again == first
    assert user_lines(runtime) == ["is ketamine safe?"]


def test_a_repeated_yes_does_not_step_the_form_twice(runtime: Runtime) -> None:
    send(runtime, "i'd like a consultation", "m-1")
    asked_phone = send(runtime, "Maria Lopez", "m-2")
    assert send(runtime, "Maria Lopez", "m-2") == asked_phone
    state = runtime.store.conversation("test", "v").state
    assert state["slots"]["name"] == "Maria Lopez"
    assert user_lines(runtime).count("Maria Lopez") == 1


def test_buttons_and_sms_forms_survive_the_replay(runtime: Runtime) -> None:
    first = send(runtime, "hello", "m-1")
    assert any(reply.buttons for reply in first)
    assert send(runtime, "hello", "m-1") == first


def test_ids_are_per_conversation(runtime: Runtime) -> None:
    """Another visitor reusing an id gets their own answer, never someone else's."""
    send(runtime, "i'd like a consultation", "same")
    mine = send(runtime, "hello", "same", sender="other")
    assert user_lines(runtime, "other") == ["hello"]
    assert mine != send(runtime, "i'd like a consultation", "same")


def test_messages_without_ids_are_all_handled(runtime: Runtime) -> None:
    send(runtime, "hello", None)
    send(runtime, "hello", None)
    assert user_lines(runtime) == ["hello", "hello"]
