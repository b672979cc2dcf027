"""The crisis wording: the crisis reply and the safety line, in English and Spanish.

Two tiers (see `bot.understanding.crisis`). A clear crisis gets the crisis reply
alone: 988 (call or text) and 911 first, and for an overdose Poison Control too.
A possible one gets one short safety line, then the answer the message would
have had anyway. A message detected as Spanish is answered in Spanish: 988 and
Poison Control both take calls in Spanish.

Every text has an SMS form in GSM-7 (Spanish without the accents GSM-7 lacks),
short enough that a crisis reply and its "continue my request" option fit two
segments, and a safety line one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.conversation.payloads import payload

ENGLISH, SPANISH = "en", "es"
POISON_CONTROL = "1-800-222-1222"


@dataclass(frozen=True)
class Wording:
    """A text and its SMS form."""

    text: str
    sms: str


# The crisis reply: who to call, then (for an overdose) Poison Control, then
# the closing sentence.
_HELP = {
    ENGLISH: (
        "If you are thinking about suicide or harming yourself, please call or text"
        " 988 (the Suicide & Crisis Lifeline) now. If you or someone with you is in"
        " danger or having a medical emergency, call 911 right away."
    ),
    SPANISH: (
        "Si está pensando en el suicidio o en hacerse daño, llame o envíe un"
        " mensaje de texto al 988 (la Línea de Prevención del Suicidio y Crisis;"
        " si llama, oprima 2 para español) ahora. Si usted o alguien a su lado"
        " está en peligro o tiene una emergencia médica, marque 911 de inmediato."
    ),
}
_POISON_CONTROL = {
    ENGLISH: (
        "For an overdose or a poisoning, you can also call Poison Control at"
        f" {POISON_CONTROL}, free and day or night."
    ),
    SPANISH: (
        "Si se trata de una sobredosis o una intoxicación, también puede llamar a"
        f" Poison Control (el Centro de Toxicología) al {POISON_CONTROL}: es"
        " gratis, a toda hora y en español."
    ),
}
_CLOSING = {
    ENGLISH: (
        "This chat cannot give emergency help, but you do not have to go through"
        " this alone."
    ),
    SPANISH: (
        "Este chat no puede dar ayuda de emergencia, pero no tiene que pasar por"
        " esto a solas."
    ),
}
# The SMS forms, general and for an overdose; they leave the closing out where
# it would not fit.
_CRISIS_SMS = {
    ENGLISH: (
        "If you're thinking about suicide or harming yourself, call or text 988"
        " now. If you or someone with you is in danger or having a medical"
        " emergency, call 911 right away. This chat can't give emergency help,"
        " but you don't have to go through this alone."
    ),
    SPANISH: (
        "Si piensa en el suicidio o en hacerse daño, llame o mande un mensaje de"
        " texto al 988 ahora (si llama, oprima 2 para español). Si usted o alguien"
        " con usted se encuentra en peligro o tiene una emergencia médica, marque"
        " 911 de inmediato."
    ),
}
_OVERDOSE_SMS = {
    ENGLISH: (
        "If you're thinking about suicide or harming yourself, call or text 988"
        " now. If you or someone with you is in danger or having a medical"
        " emergency, call 911 right away. For an overdose or poisoning, also call"
        f" Poison Control: {POISON_CONTROL}."
    ),
    SPANISH: (
        "Si piensa en el suicidio, llame o mande un texto al 988 (si llama,"
        " oprima 2 para español). Si alguien se encuentra en peligro o tiene una"
        " emergencia médica, marque 911 ya. Por una sobredosis, llame también a"
        f" Poison Control (en español): {POISON_CONTROL}."
    ),
}

CRISIS_TEXT = f"{_HELP[ENGLISH]} {_CLOSING[ENGLISH]}"

_SUICIDE_LINE = {
    ENGLISH: Wording(
        "If you're thinking about suicide or are in danger now, call or text 988,"
        " or call 911.",
        "If you're thinking about suicide or are in danger now, call or text 988,"
        " or call 911.",
    ),
    SPANISH: Wording(
        "Si está pensando en el suicidio o está en peligro ahora, llame o envíe un"
        " mensaje de texto al 988, o marque 911.",
        "Si piensa en el suicidio o se encuentra en peligro ahora, llame o mande"
        " un mensaje de texto al 988, o marque 911.",
    ),
}
_OVERDOSE_LINE = {
    ENGLISH: Wording(
        "If someone has taken too much of a medicine or drug just now, call 911,"
        f" or Poison Control at {POISON_CONTROL}.",
        "If someone has taken too much of a medicine or drug just now, call 911,"
        f" or Poison Control at {POISON_CONTROL}.",
    ),
    SPANISH: Wording(
        "Si alguien acaba de tomar demasiado de un medicamento o una droga, marque"
        f" 911 o llame a Poison Control al {POISON_CONTROL} (atienden en español).",
        "Si alguien acaba de pasarse de la dosis de un medicamento o una droga,"
        f" marque 911 o llame a Poison Control (en español) al {POISON_CONTROL}.",
    ),
}
_EMERGENCY_LINE = {
    ENGLISH: Wording(
        "If this is happening to you or someone with you right now, call 911.",
        "If this is happening to you or someone with you right now, call 911.",
    ),
    SPANISH: Wording(
        "Si esto le está pasando a usted o a alguien a su lado ahora mismo,"
        " marque 911.",
        "Si esto le pasa a usted o a alguien con usted ahora mismo, marque 911.",
    ),
}
_LINES = {
    "overdose": _OVERDOSE_LINE,
    "medical_emergency": _EMERGENCY_LINE,
    "infusion_reaction": _EMERGENCY_LINE,
}

# The button a crisis reply offers when it paused the consultation form:
# requesting a consultation again resumes it at the first unanswered question.
_CONTINUE = {
    ENGLISH: ("Continue my request", "continuing your request"),
    SPANISH: ("Seguir mi solicitud", "seguir con su solicitud"),
}


def language_of(language: str | None) -> str:
    """English unless the message was detected as Spanish."""
    return SPANISH if language == SPANISH else ENGLISH


def crisis_reply(kind: str | None, language: str | None) -> Wording:
    """The crisis reply for a clear crisis of `kind` (None: not known)."""
    lang = language_of(language)
    if kind == "overdose":
        text = f"{_HELP[lang]} {_POISON_CONTROL[lang]} {_CLOSING[lang]}"
        return Wording(text, _OVERDOSE_SMS[lang])
    return Wording(f"{_HELP[lang]} {_CLOSING[lang]}", _CRISIS_SMS[lang])


def safety_line(kind: str | None, language: str | None) -> Wording:
    """The one line said before the answer to a possible crisis of `kind`."""
    return _LINES.get(kind or "", _SUICIDE_LINE)[language_of(language)]


def safety_message(kind: str | None, language: str | None) -> dict[str, Any]:
    """The safety line as a dispatcher message; channels know it by `safety_line`."""
    line = safety_line(kind, language)
    custom = {
        "safety_line": True,
        "kind": kind,
        "language": language_of(language),
        "sms": line.sms,
    }
    return {"text": line.text, "custom": custom}


def continue_button(language: str | None) -> dict[str, str]:
    """The quick reply that resumes a consultation request a crisis paused."""
    title, label = _CONTINUE[language_of(language)]
    return {"title": title, "payload": payload("request_consultation"), "label": label}
