"""The bot's fixed wording, in one place so the engine, the actions and the Rasa
export say the same thing."""

from __future__ import annotations

from bot.conversation.crisis_replies import CRISIS_TEXT as _CRISIS_TEXT
from bot.knowledge import Clinic

# The crisis wording lives in `crisis_replies`; this is its English general reply.
CRISIS_TEXT = _CRISIS_TEXT

NOT_MEDICAL_ADVICE = (
    "I share general information from our article, not medical advice: please talk"
    " to a doctor about your own situation."
)

FORM_QUESTIONS = {
    # Also the answer to "talk to a person": this chat has no live staff, so the
    # visitor learns at once that someone will call back.
    "name": (
        "A member of our staff will call you back to arrange a consultation."
        " First, what is your full name?"
    ),
    "phone": "What is the best phone number to reach you?",
    "email": 'What is your email address? (Optional: say "skip" to leave it out.)',
    "preferred_time": (
        'When is a good time for us to contact you? (Optional: say "skip".)'
    ),
    "condition": (
        "In a sentence or two, what pain condition would you like help with?"
        ' (Optional: say "skip".)'
    ),
}

SLOT_LABELS = {
    "name": "name",
    "phone": "phone number",
    "email": "email address",
    "preferred_time": "preferred contact time",
    "condition": "condition",
}

CONSENT_REJECTION = (
    'Please answer "yes" or "no": may we contact you and keep these details?'
)
# Honest about what happens: nothing reaches the clinic's staff, though the chat
# itself, like every conversation, is kept.
CANCELLED = (
    "OK, I have cancelled your consultation request: nothing was sent to the"
    " clinic. Ask me anything else whenever you like."
)
NOTHING_TO_CANCEL = (
    "There is nothing to cancel: no consultation request is in progress. Ask me"
    " anything about chronic pain or ketamine infusions."
)
CONSENT_REFUSED = (
    "Understood: without your consent I have not sent your request to the clinic."
    " You can still ask me questions, or call us whenever you are ready."
)

# Sent by the engine after it has redacted the conversation (same transaction).
CONTACT_DETAILS_REMOVED = (
    "I have also removed the contact details you typed (name, phone number,"
    " email) from our record of this chat."
)


def forgotten_reply(*, requests: int) -> str:
    """Confirms what was deleted when a visitor asked to be forgotten."""
    deleted = "this conversation"
    if requests == 1:
        deleted += " and your consultation request"
    elif requests > 1:
        deleted += f" and your {requests} consultation requests"
    return (
        f"Done: I have deleted {deleted} from our records. If you write again, it"
        " starts a new conversation."
    )


def consent_question(clinic: Clinic) -> str:
    """The consent question names the clinic that will hold the details."""
    return (
        f"Last step: do you agree that {clinic.name} may contact you and store these"
        " details to arrange your consultation? Please answer yes or no."
    )


def greeting(clinic: Clinic) -> str:
    """Says who is talking and what it can do."""
    return (
        f"Hello! I am {clinic.name}'s automated assistant. I can answer questions"
        " about chronic pain and ketamine infusions, and help you request a"
        f" consultation. {NOT_MEDICAL_ADVICE}"
    )


def greeting_sms(clinic: Clinic) -> str:
    """The greeting's SMS form: the same promises in fewer characters."""
    return (
        f"Hi! I'm {clinic.name}'s automated assistant: text me a question about"
        " chronic pain or ketamine infusions. I share general information, not"
        " medical advice."
    )


def bot_disclosure(clinic: Clinic) -> str:
    """The truthful answer to "are you a bot?"."""
    return (
        "I am an automated assistant, not a person. If you would like to talk to"
        f" someone at {clinic.name}, I can ask a staff member to contact you, or you"
        f" can call {clinic.phone}."
    )


def not_in_article(clinic: Clinic, subject: str) -> str:
    """The honest answer to a common question the article does not answer."""
    return (
        f"Our article doesn't say {subject}, so I can't answer that here. Our staff"
        f" can tell you: call {clinic.name} at {clinic.phone} ({clinic.hours}), or"
        " I can ask someone to contact you."
    )


def no_information(clinic: Clinic) -> str:
    """The honest answer to a question the article does not cover."""
    return (
        "I'm sorry, I don't have that information. Our staff can help: call"
        f" {clinic.name} at {clinic.phone} ({clinic.hours}), or I can ask someone"
        " to contact you."
    )
