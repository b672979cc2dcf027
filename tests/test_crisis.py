"""Crisis detection: the sure-fire rules of knowledge/crisis/rules.yml and their
loader, then what the product parser (rules and model) makes of crises the rules
leave to the model: indirect wording and typos.

Rule tests use the detector without a model, so each case is the rules' own;
parser tests use the `parser` fixture (the sentence model included).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from crisis_signals import write_rules

from bot.understanding.crisis import CrisisDetector, CrisisSignal
from bot.understanding.crisis_rules import RuleError, load_rules
from bot.understanding.normalize import Normalizer
from bot.understanding.parser import Parser

REPO = Path(__file__).resolve().parents[1]
CRISIS_EXAMPLES = REPO / "knowledge" / "crisis_examples.yml"
BOOK = load_rules()
RULE_NAMES = {kind: {rule.name for rule in rules} for kind, rules in BOOK.rules}
GUARD_PATTERNS = {guard.name: re.compile(guard.pattern) for guard in BOOK.guards}
UNGUARDED_RULES = [
    (rule.name, re.compile(rule.pattern)) for _, rules in BOOK.rules for rule in rules
]


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    """The rules alone: every hit is clear."""
    return CrisisDetector()


# Crises a sure-fire rule catches on its own (with the plain Normalizer).
RULE_CASES = [
    ("he took more oxy than he was supposed to", "overdose"),
    ("i took way more than my prescribed dose on purpose", "overdose"),
    ("there is no reason for me to keep living", "suicide"),
    ("I have nothing to live for", "suicide"),
    ("i already wrote goodbye letters to my kids", "suicide"),
    ("i have written my suicide note", "suicide"),
    ("I bought a rope yesterday", "suicide"),
    ("I think it's time I joined her", "suicide"),
    ("just finished writing my note", "suicide"),
    ("I'm done. doing it tonight", "suicide"),
    ("I poured boiling water on my hand on purpose", "self_harm"),
    ("took my dilaudid plus xanax plus some beers", "overdose"),
    ("my left side just went numb", "medical_emergency"),
    ("she's really hard to wake up", "medical_emergency"),
    ("mi abuelo se cayó y no se mueve", "medical_emergency"),
    ("the rope is already tied", "suicide"),
    ("having really bad chest pressure and sweating", "medical_emergency"),
    ("my wife says my smile looks crooked", "medical_emergency"),
    ("been vomiting nonstop since the infusion", "medical_emergency"),
    ("no la puedo despertar", "medical_emergency"),
    ("I don't plan on being here next week", "suicide"),
    ("I picked the 14th as my last day", "suicide"),
    ("found some pills that would be painless", "suicide"),
    ("SI NO ME AYUDAN HOY ME MATO", "suicide"),
    ("I took a whole lot of morphine an hour ago", "overdose"),
    ("the belt is already around the closet rod", "suicide"),
    ("do you know if it hurts to hang", "suicide"),
    ("keep digging at the wound on purpose", "self_harm"),
    ("she left a note saying she can't live with the pain anymore", "suicide"),
    ("ok i took like 15 of my nerve pain pills", "overdose"),
    ("me cuesta respirar", "medical_emergency"),
    ("gonna walk into traffic on the interstate", "suicide"),
    ("the helium tank came in the mail today", "suicide"),
    ("going up there and not come down", "suicide"),
    ("how long after drinking antifreeze does a person die", "suicide"),
    ('I want to kill myself', 'suicide'),
    ("I've been thinking about killing myself", 'suicide'),
    ("I'm having suicidal thoughts", 'suicide'),
    ("i've attempted suicide before", 'suicide'),
    ('i wanna die', 'suicide'),
    ("I'm going to take my own life", 'suicide'),
    ("i'm thinking of ending my life", 'suicide'),
    ('I just want to end it all', 'suicide'),
    ('thinking about ending it', 'suicide'),
    ('i wanna end it', 'suicide'),
    ('i want to end my suffering permanently', 'suicide'),
    ("i'm going to shoot myself", 'suicide'),
    ("i'm going to unalive myself", 'suicide'),
    ('kms', 'suicide'),
    ('i am going to kms', 'suicide'),
    ('please just kill me', 'suicide'),
    ('i hope this pain kills me', 'suicide'),
    ('I have a plan to kill myself', 'suicide'),
    ("I'm planning on taking all my pills tonight", 'suicide'),
    ('i am thinking about jumping off a bridge', 'suicide'),
    ('i keep thinking about driving into a tree', 'suicide'),
    ('i have been stockpiling my pills', 'suicide'),
    ("i've been researching ways to die", 'suicide'),
    ('how many pills would it take to die', 'suicide'),
    ('what is the lethal dose of ketamine', 'suicide'),
    ('suicide hotline number please', 'suicide'),
    ('should I call 988', 'suicide'),
    ('I wish I was dead', 'suicide'),
    ('i wish i were dead', 'suicide'),
    ('I want to go to sleep and never wake up', 'suicide'),
    ('i want to sleep and not wake up', 'suicide'),
    ("I'd rather be dead than live like this", 'suicide'),
    ('i feel like dying', 'suicide'),
    ('wat is the point of living', 'suicide'),
    ("what's the point anymore", 'suicide'),
    ('i cant do this anymore', 'suicide'),
    ('i cant do it anymore', 'suicide'),
    ("I can't go on like this", 'suicide'),
    ("the pain is so bad i can't go on", 'suicide'),
    ("I can't keep living with this pain", 'suicide'),
    ('everyone would be better off without me', 'suicide'),
    ('my family would be better off if I was gone', 'suicide'),
    ('sometimes i think everyone would be happier if i wasnt around', 'suicide'),
    ('it would be easier if i just died', 'suicide'),
    ("i feel like i'm better off dead", 'suicide'),
    ('nobody would even care if i died', 'suicide'),
    ("i don't care if i die", 'suicide'),
    ('I want it all to end', 'suicide'),
    ('I just want everything to stop', 'suicide'),
    ('life is not worth living', 'suicide'),
    ("life isn't worth it anymore", 'suicide'),
    ('i feel like giving up on everything', 'suicide'),
    ('why am i still alive', 'suicide'),
    ('i will not be around much longer', 'suicide'),
    ('i have been having dark thoughts', 'suicide'),
    ('the pain is so bad I want to die', 'suicide'),
    ('my pain is killing me and i want to die', 'suicide'),
    ('my son said he wants to kill himself', 'suicide'),
    ('my wife said she wants to die', 'suicide'),
    ("does ketamine help suicidal thoughts? im having them right now", "suicide"),
    ("is ketamine safe with vodka, im in the garage with the car running", "suicide"),
    ("how high does a balcony have to be so its quick", "suicide"),
    ("i have my pills counted out", "suicide"),
    ("i wont need any of it after this weekend", "suicide"),
    ("gonna step in front of it", "suicide"),
    ("standing at the edge of the train platform", "suicide"),
    ("hoy me despedí de mis hijos. no quiero seguir", "suicide"),
    ("i kinda just cut again", "self_harm"),
    ("my sleeve is soaked through", "medical_emergency"),
    ("i was just in a car accident and my hands are tingling", "medical_emergency"),
    ("got bit by a snake, my ankle is swelling fast", "medical_emergency"),
    ("terminé la infusión y me cuesta tragar", "medical_emergency"),
    ("ctb tonight. sorry.", "suicide"),
    ("make it look like an accident so my kids get the life insurance", "suicide"),
    ("i already wrote letters to my kids", "suicide"),
    ("ending it this weekend if it doesnt work", "suicide"),
    ("si no me funciona esta semana me mato", "suicide"),
    ("esta noche me despido de todos", "suicide"),
    ("tomé muchas pastillas para el dolor", "overdose"),
    ("red streaks going up my arm from the iv", "medical_emergency"),
    ("peeing blood and the pain is unbearable", "medical_emergency"),
    ("i'm planning to kill myself this weekend", "suicide"),
    ("planning my exit", "suicide"),
    ("how many oxy would it take", "suicide"),
    ("wanna sleep forever", "suicide"),
    ("is it bad to take 40 ibuprofen? i already did", "overdose"),
    ("used again after a year and i think i did too much", "overdose"),
    ("her right side went limp and she's slurring", "medical_emergency"),
    ("half my face is numb and my words are coming out wrong", "medical_emergency"),
    ("i'm on chemo and have a fever of 103", "medical_emergency"),
    ("after my infusion i can't pee at all", "medical_emergency"),
    ("mi papá dice que esta noche se acaba todo", "suicide"),
    ("i've decided tonight is it", "suicide"),
    ("i wanted to tell someone before i go tonight", "suicide"),
    ("this is my last message to anyone", "suicide"),
    ("i did the thing again w the razor", "self_harm"),
    ("i'm about to cut, please talk to me", "self_harm"),
    ("i poured boiling water on my leg again", "self_harm"),
    ("i mixed my percocet and my sleeping pills", "overdose"),
    ("mom suddenly can't speak and her right hand won't work", "medical_emergency"),
    ("the swelling is going up my whole arm", "medical_emergency"),
    (
        "I have had chronic back pain for 10 years and honestly some days I think"
        " everyone would be better off without me, anyway how much is an infusion",
        "suicide",
    ),
    (
        "my fibromyalgia is flaring, my husband left, and i keep thinking about"
        " ending it. can ketamine help with that",
        "suicide",
    ),
    ("I'm dying to know the price but honestly i want to end it all", 'suicide'),
    ('i keep hurting myself', 'self_harm'),
    ("I've been hurting myself to cope", 'self_harm'),
    ('i want to harm myself', 'self_harm'),
    ("i've been cutting again", 'self_harm'),
    ('I cut myself last night', 'self_harm'),
    ('self-harm urges are back', 'self_harm'),
    ("i've been self harming", 'self_harm'),
    ('i burn myself with a lighter', 'self_harm'),
    ('i punish myself physically when i fail', 'self_harm'),
    ('my daughter is cutting herself', 'self_harm'),
    ("i don't feel safe with myself right now", 'self_harm'),
    ('i overdosed', 'overdose'),
    ('my son overdosed on heroin', 'overdose'),
    ("she's overdosing", 'overdose'),
    ('can you overdose on ketamine? i think my friend just overdosed', 'overdose'),
    ('I took too many pills', 'overdose'),
    ('i took too much of my medication', 'overdose'),
    ('my friend took too much fentanyl', 'overdose'),
    ('took a whole bottle of tylenol', 'overdose'),
    ("i just took my whole month's supply", 'overdose'),
    ('i took all my pills', 'overdose'),
    ('I swallowed all my oxycodone', 'overdose'),
    ('i took 20 pills', 'overdose'),
    ('took like 30 tylenol an hour ago', 'overdose'),
    ('my toddler got into my oxycodone', 'overdose'),
    ('i popped like 15 percs', 'overdose'),
    ('i drank bleach', 'overdose'),
    ('i took 40 pills and i want to die', 'overdose'),
    ("I'm having chest pain", 'medical_emergency'),
    ('chest pain right now', 'medical_emergency'),
    ("there's a crushing pain in my chest", 'medical_emergency'),
    ('i cant breathe', 'medical_emergency'),
    ('struggling to breathe', 'medical_emergency'),
    ('he stopped breathing', 'medical_emergency'),
    ("he's not breathing", 'medical_emergency'),
    ("she's turning blue", 'medical_emergency'),
    ('she is unresponsive', 'medical_emergency'),
    ("he passed out and won't wake up", 'medical_emergency'),
    ('my wife is having a seizure', 'medical_emergency'),
    ('her face is drooping and speech is slurred', 'medical_emergency'),
    ("i think i'm having a stroke", 'medical_emergency'),
    ('my throat is closing', 'medical_emergency'),
    ('my lips are swelling', 'medical_emergency'),
    ("bleeding that won't stop", 'medical_emergency'),
    ("i'm bleeding from where the iv was and it won't stop", 'medical_emergency'),
    ('call 911', 'medical_emergency'),
    ('this is an emergency', 'medical_emergency'),
    ('medical emergency', 'medical_emergency'),
    ('emergency!!!', 'medical_emergency'),
    ('am i having a heart attack', 'medical_emergency'),
    ('should i go to the er', 'medical_emergency'),
    ("i'm in the ER", 'medical_emergency'),
    ('i need to use my epipen', 'medical_emergency'),
    ('i think i am dying', 'medical_emergency'),
    ("saved enough pills to not wake up", "suicide"),
    ("i will not be around next week so it does not matter", "suicide"),
    ("quiero morirme ya", "suicide"),
    ("esta noche me quito la vida", "suicide"),
    ("tengo ganas de cortarme otra vez", "self_harm"),
    ("tonight is my last night alive", "suicide"),
    ("standing on the railing of the bridge", "suicide"),
    ("my pressure is 210 over 125 and my head is pounding", "medical_emergency"),
    ("his lips look blue", "medical_emergency"),
    ("we are planning to end it together this weekend", "suicide"),
    ("heading to the train tracks", "suicide"),
    ("escribí una carta para mi hermana y me voy", "suicide"),
    ("her heart is racing at 180 and she is pale", "medical_emergency"),
    ("my son has a fever of 105", "medical_emergency"),
    ("me tomé un frasco de pastillas", "overdose"),
    ("she doubled up on her fentanyl patches and her pupils are pinpoint", "overdose"),
    ("sitting on the ledge of the parking garage", "suicide"),
    ("how many of my pills would kill me", "suicide"),
    ("the rifle is loaded and next to me", "suicide"),
    ("30 percs stashed in my sock drawer for when i am ready", "suicide"),
    ("ending things tonight, sorry mom", "suicide"),
    ("quiero acabar con mi vida", "suicide"),
    ("punching myself again until it bruises", "self_harm"),
    ("his blood sugar is 32 and he is sweating", "medical_emergency"),
]

# Crises no rule words (indirect, or misspelled beyond the lexicon): the model
# makes them clear. None: the kind is the model's call (see the comment).
PARSER_CASES = [
    ('kil myself tonight', 'suicide'),
    ('i am going to kill my slef', 'suicide'),
    ('feeling suicidel again', 'suicide'),
    ('sucidal thoughts every day', 'suicide'),
    ('i wnat to die', 'suicide'),
    ('i want 2 die', 'suicide'),
    ('i want to dieee', 'suicide'),
    ("I'm going to end things tonight", 'suicide'),
    ("i have a gun and i'm going to use it", 'suicide'),
    ('i have the pills ready', 'suicide'),
    ('i wish i would not wake up tomorrow', 'suicide'),
    ('i dont want to wake up tomorrow', 'suicide'),
    ('i should just die', 'suicide'),
    ('I want to disappear forever', 'suicide'),
    ("i'm worthless and everyone hates me, i should just disappear", 'suicide'),
    ("there's no reason to live", 'suicide'),
    ('there is no reason for me to keep living', 'suicide'),
    ('I have nothing to live for', 'suicide'),
    ("I don't see the point of living anymore", 'suicide'),
    ("i don't think i can survive another day like this", 'suicide'),
    ("I'm a burden to everyone", 'suicide'),
    ("i don't want to be here anymore", 'suicide'),
    ("I don't want to live", 'suicide'),
    ("i don't wanna live anymore", 'suicide'),
    ("I don't want to be alive anymore", 'suicide'),
    ('i just want it to be over', 'suicide'),
    ("i'm tired of living", 'suicide'),
    ("i've had enough of life", 'suicide'),
    ('goodbye forever', 'suicide'),
    ('this is my final goodbye', 'suicide'),
    ('my friend posted a goodbye note', 'suicide'),
    ('i already wrote goodbye letters to my kids', 'suicide'),
    ('i might do something stupid tonight', None),  # the model reads an emergency
    ("i'm gonna die if this continues", 'suicide'),
    ('i want to cut', 'self_harm'),
    ('i relapsed and cut', 'self_harm'),
    ('the urge to cut is really strong', 'self_harm'),
    ('i scratch until it bleeds', 'self_harm'),
    ('i hit my head against the wall on purpose', 'self_harm'),
    ('i ovedosed', 'overdose'),
    ("i think i OD'd", 'overdose'),
    ('i o.d. on my meds', 'overdose'),
    ('i took way more than my prescribed dose on purpose', 'overdose'),
    ('he took more oxy than he was supposed to', 'overdose'),
    ('i used too much of my fentanyl patch', 'overdose'),
    ('I swallowed a bottle of pills', 'overdose'),
    ('i took half a bottle of sleeping pills', 'overdose'),
    ('i accidentally took a double dose', 'overdose'),
    ('i mixed my pills and alcohol on purpose', 'overdose'),
    ('drank a bottle of wine and took my sleeping pills', 'overdose'),
    ('took my pills with a bottle of vodka', 'overdose'),
    ('my chest hurts', 'medical_emergency'),
    ('my chest is tight', 'medical_emergency'),
    ('i cnt breath', 'medical_emergency'),
    ('trouble breathing', 'medical_emergency'),
    ('i am short of breath now', 'medical_emergency'),
    ('he is unconcious', 'medical_emergency'),
    ("my husband fell and hit his head and isn't waking up", 'medical_emergency'),
    ('having a sezure', 'medical_emergency'),
    ('one side of my body is numb', 'medical_emergency'),
    ("i can't feel my face", 'medical_emergency'),
    ("my throat feels like it's closing", 'medical_emergency'),
    ('severe allergic reaction', 'medical_emergency'),
    ("I think I'm having a bad reaction to the ketamine", None),
    ('my arm is bleading everywhere', 'medical_emergency'),
    ('call an ambulence', 'medical_emergency'),
    ("i think i'm having a hart attack", 'medical_emergency'),
    ("after my infusion i feel like i'm going to pass out", None),
]

# Misspellings the lexicon corrects (knowledge/lexicon.yml `spelling:`), with
# the corrected message: the rules then catch them like the correct spelling.
TYPOS = [
    ("i cannt go on anymore", "i cannot go on anymore"),
    ("having a heart atack", "having a heart attack"),
    ("im having a hartattack", "i am having a heart attack"),
    ("i feel suisidal", "i feel suicidal"),
    ('kil myself tonight', 'kill myself tonight'),
    ('i am going to kill my slef', 'i am going to kill my self'),
    ('feeling suicidel again', 'feeling suicidal again'),
    ('sucidal thoughts every day', 'suicidal thoughts every day'),
    ('no point goin on', 'no point going on'),
    ('i ovedosed', 'i overdosed'),
    ('he is unconcious', 'he is unconscious'),
    ('having a sezure', 'having a seizure'),
    ('my arm is bleading everywhere', 'my arm is bleeding everywhere'),
    ('call an ambulence', 'call an ambulance'),
    ('this is an emergancy', 'this is an emergency'),
    ("i think i'm having a hart attack", "i think i'm having a heart attack"),
]

NON_CRISIS_MESSAGES = [
    # depression, anxiety and pain as topics
    "can pain make you depressed",
    "can chronic pain cause depression or anxiety",
    "does ketamine help with depression",
    "is ketamine an antidepressant",
    "stress and depression causing my back pain",
    "I have depression and chronic pain, am I a candidate?",
    "i am depressed because of my pain, will ketamine help",
    "my anxiety is through the roof before procedures",
    "is ketamine safe if I take antidepressants",
    "I'm tired of the pain",
    "i'm tired of living in pain, can ketamine help",
    "I don't want to live with pain forever, what are my options",
    "I don't want to live on opioids forever",
    "i cannot cope with my pain, can ketamine help",
    "how do I stop the pain",
    "i want the pain to end",
    "i just want my pain to be gone",
    "ketamine gave me a reason to live again",
    "I want my life back",
    # side effects, safety, addiction, overdose as information
    "what are the side effects like nausea",
    "will ketamine make me dizzy",
    "is ketamine addictive",
    "what happens if you take too much ketamine",
    "can you overdose on ketamine",
    "is it possible to overdose on ketamine",
    "what is the risk of overdose with ketamine infusions",
    "how do you prevent overdose during the infusion",
    "what happens if someone overdoses on ketamine",
    "I'm at risk of overdose on opioids, can ketamine help me taper",
    "I used to take too many painkillers years ago, is ketamine addictive",
    "the infusion took more than the recommended time",
    "it took more sessions than the doctor recommended",
    "does ketamine cause chest pain",
    "is shortness of breath a side effect of ketamine",
    "can ketamine cause seizures",
    "what is the chance of having an allergic reaction",
    "will I have trouble breathing during the infusion",
    "is it safe if i have breathing problems",
    "will I be unconscious during the infusion",
    "will I pass out during the infusion",
    "will the infusion make me feel like I'm dying",
    "can i mix ketamine and alcohol",
    "i took 2 tylenol for my headache",
    "i took all my usual meds this morning, can i still come in",
    "I had a stroke 3 years ago, can I still get ketamine",
    "I had a heart attack in 2019, is ketamine safe for me",
    "chest wall pain from an old rib fracture, is that chronic pain?",
    "breathing exercises for pain",
    "what if there is a medical emergency during my infusion",
    "is ketamine used in emergency rooms",
    "do you have emergency appointments",
    "emergency appointment",
    "I have COPD and get short of breath easily, can I have ketamine",
    "my heart attack was 5 years ago, can I get infusions",
    "do your nurses know cpr",
    # idioms
    "my pain is killing me",
    "the pain is killing me",
    "my back is killing me, can ketamine help",
    "this pain makes me want to scream",
    "I'm dying to know the price",
    "dying for a coffee",
    "I'm dying of boredom in the waiting room",
    "im dying lol",
    "drop dead gorgeous",
    "I'm dead tired after work",
    "kill the pain",
    "I'm trying to kill the pain with ketamine",
    "painkillers",
    "pain killer",
    "it took too much out of me",
    "i did too much yesterday and my back hurts",
    "I hurt myself lifting boxes at work and now my back is killing me",
    "i cut myself shaving lol",
    "I have been cutting back on my opioids",
    "is ketamine a cutting edge treatment",
    "in the end it was worth it",
    "when does the infusion end? it's 2 hours right?",
    "i feel odd on the second day after treatment",
    # bookings, logistics, greetings
    "hi there",
    "hello, how are you",
    "ok goodbye",
    "I'd like to book a consultation",
    "can i book an appointment for next tuesday",
    "i cannot go on thursday, can we reschedule",
    "I can't come in anymore because I moved",
    "i can't take ibuprofen anymore, what else can I use",
    "is there any point in trying ketamine if nothing else worked",
    "am i better off with infusions or nasal spray",
    "i'm 20 kms away from the clinic",
    "how much does an infusion cost",
    "does insurance cover ketamine",
    "can I drive home after the infusion",
    "how many infusions will I need",
    "i cannot swallow pills, is there another option",
    "should I bring my epipen",
    # consultation form answers
    "Sue Sidd",
    "my number is (513) 988-2211",
    "513.911.4455",
    "I live at 911 Oak Dr",
    "sue.sid@gmail.com",
    "Tuesday at 9:11 am",
]


@pytest.mark.parametrize(("message", "kind"), RULE_CASES)
def test_a_rule_catches_the_crisis(
    detector: CrisisDetector, normalizer: Normalizer, message: str, kind: str
) -> None:
    signal = detector.detect(normalizer(message))
    assert signal is not None, message
    assert signal.kind == kind, signal
    assert signal.level == "clear"


@pytest.mark.parametrize(("message", "kind"), PARSER_CASES)
def test_the_parser_finds_a_clear_crisis_no_rule_words(
    parser: Parser, message: str, kind: str | None
) -> None:
    result = parser.parse(message)
    assert result["intent"]["name"] == "crisis", result.get("crisis")
    if kind is not None:
        assert result["crisis"]["kind"] == kind, result["crisis"]


@pytest.mark.parametrize(("typo", "corrected"), TYPOS)
def test_the_lexicon_corrects_a_misspelled_crisis(
    parser: Parser, detector: CrisisDetector, typo: str, corrected: str
) -> None:
    assert parser.normalizer(typo) == parser.normalizer(corrected)
    signal = detector.detect(parser.normalizer(typo))
    assert signal is not None, typo
    assert parser.parse(typo).get("crisis") == parser.parse(corrected).get("crisis")


@pytest.mark.parametrize(
    "typo",
    [
        "kil myself tonight",
        "i am going to kill my slef",
        "feeling suicidel again",
        "sucidal thoughts every day",
        "i ovedosed",
        "he is unconcious",
        "having a sezure",
        "my arm is bleading everywhere",
        "call an ambulence",
        "i think i'm having a hart attack",
        "selfharm again tonight",
        "i cannt go on anymore",
        "having a heart atack",
        "im having a hartattack",
        "i feel suisidal",
    ],
)
def test_a_misspelled_crisis_is_a_clear_crisis(parser: Parser, typo: str) -> None:
    assert parser.parse(typo)["intent"]["name"] == "crisis"


@pytest.mark.parametrize(
    ("message", "kind"),
    [("no point goin on", "suicide"), ("this is an emergancy", "medical_emergency")],
)
def test_a_misspelled_hint_gets_at_least_the_safety_line(
    parser: Parser, message: str, kind: str
) -> None:
    """Said correctly, these are possible crises too: a rule fires, the model
    finds them safe enough for the answer to follow one safety line."""
    crisis = parser.parse(message).get("crisis")
    assert crisis is not None and crisis["kind"] == kind
    assert crisis["level"] in ("clear", "possible")


def crisis_examples() -> list[str]:
    """The `crisis` intent's training examples for a stock Rasa NLU."""
    examples = yaml.safe_load(CRISIS_EXAMPLES.read_text(encoding="utf-8"))["examples"]
    assert examples and all(isinstance(e, str) for e in examples)
    return examples


@pytest.mark.parametrize("example", crisis_examples())
def test_every_crisis_training_example_is_a_crisis(
    parser: Parser, example: str
) -> None:
    """What a stock Rasa learns as a crisis, faqbot's own parser must find too."""
    assert parser.parse(example).get("crisis") is not None, example


@pytest.mark.parametrize("message", NON_CRISIS_MESSAGES)
def test_faq_questions_and_idioms_never_get_the_crisis_reply(
    detector: CrisisDetector, normalizer: Normalizer, message: str
) -> None:
    """Idioms get nothing; a question or a past event about a crisis ("can you
    overdose on ketamine", "my heart attack was 5 years ago") a safety line."""
    signal = detector.detect(normalizer(message))
    if signal is not None:
        assert signal.level == "possible"
        assert any(
            guard.search(normalizer(message))
            for name, guard in GUARD_PATTERNS.items()
            if name in SAFETY_LINE_GUARDS
        )


@pytest.mark.parametrize("text", ["", "   ", "!!!", "\U0001f629\U0001f629"])
def test_empty_text_is_not_a_crisis(
    detector: CrisisDetector, normalizer: Normalizer, text: str
) -> None:
    assert detector.detect(normalizer(text)) is None


@pytest.mark.parametrize(
    ("message", "cue"),
    [("kms", "unalive"), ("i overdosed", "overdosed"), ("call 911", "call_911")],
)
def test_cue_names_the_rule_not_the_user_text(
    detector: CrisisDetector, normalizer: Normalizer, message: str, cue: str
) -> None:
    signal = detector.detect(normalizer(message))
    assert signal is not None
    assert signal.cue == cue
    assert signal.cue in RULE_NAMES[signal.kind]


def test_every_rule_is_exercised(
    detector: CrisisDetector, normalizer: Normalizer
) -> None:
    fired = set()
    for message, _ in RULE_CASES:
        signal = detector.detect(normalizer(message))
        assert signal is not None
        assert signal.cue in RULE_NAMES[signal.kind]
        fired.add(signal.cue)
    assert set().union(*RULE_NAMES.values()) - fired == set()


GUARD_CASES = [
    ("habitual_saying", "my son says 'i want to die' every time he has homework"),
    ("habitual_saying", "my teen has old self-harm scars and pelvic pain"),
    ("suicidal_topic", "is ketamine used for suicidal thoughts"),
    ("fiction", "my novel's hero wants to end it all, is that realistic"),
    ("idiom_could_kill_myself", "i could kill myself for missing my appointment"),
    ("away_for_a_while", "i won't be around next week bc im traveling for work"),
    ("spanish_idiom_dying", "me quiero morir de la risa"),
    ("suicidal_topic", "can chronic pain cause suicidal thoughts?"),
    ("idiom_dying_to", "I'm dying to know the price"),
    ("question_feel_like_dying", "will the infusion make me feel like I'm dying"),
    ("hypothetical_emergency", "what if there is a medical emergency"),
    ("overdose_question", "can you overdose on ketamine"),
    ("took_it_out_of_me", "the infusion took too much out of me"),
    ("symptom_question", "does ketamine cause a heart attack"),
    ("sedation_question", "will I be unconscious during the infusion"),
    ("medical_history", "I had a heart attack in 2019, is ketamine safe for me"),
    ("accidental_injury", "I hurt myself lifting boxes at work"),
    ("routine_medication", "i took all my usual pain medication before coming"),
    ("distance_kms", "i'm 20 kms away from the clinic"),
    ("phone_or_address", "my number is (513) 988-2211"),
    ("idiom_heart_attack", "the bill nearly gave me a heart attack"),
    ("idiom_overdose", "I overdosed on cake at the party"),
    ("idiom_cannot_breathe", "can't breathe from laughing at that meme"),
    ("past_event", "my uncle overdosed years ago, is ketamine addictive?"),
    ("joke_want_to_die", "i want to die because my team lost lol"),
    ("idiom_kill_me", "omg just kill me, the forms never end"),
    ("past_event", "no estoy pensando en suicidarme, cuánto dura el alivio?"),
    ("idiom_collapsed", "i passed out on the couch after work, is that the pain"),
    ("idiom_nearly_fainted", "i nearly passed out when i saw the bill"),
    ("screening_question", "do you screen patients for suicidal ideation first?"),
    ("idiom_cannot_breathe", "can't breathe through my nose with this cold"),
    ("accidental_injury", "my PT says I'm hurting myself by overdoing the exercises"),
]


@pytest.mark.parametrize(("guard", "message"), GUARD_CASES)
def test_each_guard_prevents_a_false_alarm(
    detector: CrisisDetector, normalizer: Normalizer, guard: str, message: str
) -> None:
    normalized = normalizer(message)
    assert GUARD_PATTERNS[guard].search(normalized)
    assert any(pattern.search(normalized) for _, pattern in UNGUARDED_RULES)
    signal = detector.detect(normalized)
    if guard in SAFETY_LINE_GUARDS:
        # A question or a past event about a crisis: a safety line first.
        assert signal is not None and signal.level == "possible"
    else:
        assert signal is None


SAFETY_LINE_GUARDS = {
    "question_feel_like_dying",
    "overdose_question",
    "symptom_question",
    "medical_history",
    "idiom_heart_attack",
    "past_event",
    "joke_want_to_die",
    "idiom_kill_me",
    "idiom_nearly_fainted",
    "screening_question",
    "suicidal_topic",
    "habitual_saying",
    "fiction",
}


def test_the_safety_line_guards_are_the_ones_the_rules_file_marks() -> None:
    book = load_rules()
    assert {g.name for g in book.guards if g.safety_line} == SAFETY_LINE_GUARDS


def test_all_guards_are_exercised() -> None:
    assert {name for name, _ in GUARD_CASES} == set(GUARD_PATTERNS)


@pytest.mark.parametrize(
    ("message", "cue"),
    [
        ("I'm dying to know the price but i want to end it all", "end_my_life"),
        ("can you overdose on ketamine? my friend overdosed", "overdosed"),
        ("does ketamine cause a stroke? i am having a heart attack", "heart_attack"),
        ("i hurt myself at work and now i want to hurt myself", "hurt_myself"),
        ("you can reach me at 513 988 2211, i want to die", "want_to_die"),
    ],
)
def test_a_guard_masks_only_its_own_words(
    detector: CrisisDetector, normalizer: Normalizer, message: str, cue: str
) -> None:
    signal = detector.detect(normalizer(message))
    assert signal is not None
    assert signal.cue == cue


def test_crisis_in_the_middle_of_a_long_message_is_found(
    detector: CrisisDetector, normalizer: Normalizer
) -> None:
    filler = "my lower back and hips ache every single day and nothing helps. " * 15
    message = filler + "sometimes i want to kill myself. " + filler
    signal = detector.detect(normalizer(message))
    assert signal == CrisisSignal(kind="suicide", cue="kill_myself")


def test_unnormalized_text_is_still_matched(detector: CrisisDetector) -> None:
    signal = detector.detect("I WANT TO DIE!!!")
    assert signal is not None
    assert signal.kind == "suicide"


def test_signal_is_immutable() -> None:
    signal = CrisisSignal(kind="suicide", cue="kill_myself")
    with pytest.raises(dataclasses.FrozenInstanceError):
        signal.cue = "other"  # type: ignore[misc]


# The loader.


def test_every_rule_starts_at_a_word_boundary() -> None:
    """The detector's one-pass pre-check only tries word starts: keep it true."""
    for _, rules in BOOK.rules:
        for rule in rules:
            assert rule.pattern.startswith(r"\b(?=\w)(?:"), rule.name


def test_rule_and_guard_names_are_unique() -> None:
    names = BOOK.names()
    assert len(names) == len(set(names))


def test_the_most_urgent_kinds_are_tried_first() -> None:
    kinds = [kind for kind, _ in BOOK.rules]
    assert kinds[:2] == ["overdose", "medical_emergency"]


def test_fragments_are_expanded() -> None:
    [kill] = [r for _, rules in BOOK.rules for r in rules if r.name == "kill_myself"]
    assert "{" not in kill.pattern
    assert re.search(kill.pattern, "he wants to kill himself")


VALID = """
fragments:
  self: [myself, himself]
rules:
  suicide:
    - name: kill_myself
      patterns: ["kill {self}"]
guards:
  - name: idiom
    patterns: [kill time]
"""


def test_a_small_rules_file_loads_and_drives_the_detector(tmp_path: Path) -> None:
    book = load_rules(write_rules(tmp_path, VALID))
    assert book.names() == ["kill_myself", "idiom"]
    detector = CrisisDetector(rules=book)
    assert detector.rule("he wants to kill himself") == CrisisSignal(
        "suicide", "kill_myself"
    )
    assert detector.rule("i kill time") is None
    assert detector.rule("skill myself") is None


def test_a_rule_matches_from_a_word_start_only(tmp_path: Path) -> None:
    """Even a rule written to begin with a space: the pre-check tries word starts."""
    text = VALID.replace('"kill {self}"', '"(?: |a)kill"')
    book = load_rules(write_rules(tmp_path, text))
    detector = CrisisDetector(rules=book)
    assert detector.rule("i akill") == CrisisSignal("suicide", "kill_myself")
    assert detector.rule("i kill") is None


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('["kill {self}"]', '["kill {me}"]', "rule 'kill_myself': unknown fragment"),
        ('["kill {self}"]', '["kill (myself"]', "rule 'kill_myself': .* not a valid"),
        ('["kill {self}"]', '[" kill {self}"]', "rule 'kill_myself': .* single spaces"),
        ('["kill {self}"]', '["(?:kill)?"]', "rule 'kill_myself': .* start at a word"),
        ("name: idiom", "name: kill_myself", "rule 'kill_myself': .* used twice"),
        ("  suicide:", "  sadness:", "unknown crisis kind 'sadness'"),
        ("name: kill_myself", "name: Kill-Myself", "rule 'Kill-Myself': .* name"),
        ("patterns: [kill time]", "pattern: [kill time]", "rule 'idiom': .*patterns"),
        ("self: [myself, himself]", "Self: x", "fragment 'Self'"),
    ],
)
def test_errors_name_the_file_and_the_rule(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    assert old in VALID
    path = write_rules(tmp_path, VALID.replace(old, new))
    with pytest.raises(RuleError, match=re.escape(str(path)) + ": .*" + error):
        load_rules(path)


def test_a_file_without_its_sections_is_refused(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "rules: {}\n")
    with pytest.raises(RuleError, match=re.escape(str(path))):
        load_rules(path)
