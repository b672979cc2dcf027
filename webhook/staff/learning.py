"""Unanswered questions, teaching the bot from them, and the insights page."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.errors import StorageError
from bot.gsm import gsm7_length, is_gsm7
from bot.knowledge import CLINIC_TOPIC_PREFIX, FAQ_PREFIX, SMS_LIMIT
from bot.out_of_scope import is_out_of_scope
from bot.understanding.parser import NLU_FALLBACK
from webhook.live_knowledge import refresh_now
from webhook.runtime import runtime
from webhook.staff import blueprint
from webhook.staff.auth import author
from webhook.staff.charts import bar_chart, week_chart
from webhook.staff.services import services

# A wording that scores this high for another intent would steal its matches.
TOO_CLOSE = 0.6
MAX_ANSWER_CHARS = 2000
SLUG = re.compile(r"[a-z0-9][a-z0-9_]{1,47}")


def _group_or_404(key: str):  # type: ignore[no-untyped-def]
    group = services().learning.group(key)
    if group is None:
        abort(404, description="That group is gone: it was answered or dismissed.")
    return group


def _topic_choices() -> list[tuple[str, str]]:
    knowledge = runtime().knowledge
    return [(t.intent, t.question) for t in knowledge.topics]


def _too_close(text: str, target: str) -> str | None:
    """Why `text` would be a bad phrasing of `target`, or None."""
    ranking = runtime().parser.parse(text)["intent_ranking"]
    for candidate in ranking:
        name, confidence = candidate["name"], candidate["confidence"]
        # out_of_scope is where unanswerable questions sit: teaching one is the point.
        if name in (NLU_FALLBACK, target) or is_out_of_scope(name):
            continue
        if confidence >= TOO_CLOSE:
            return (
                f"{text!r} is too close to {_label(name)} (match {confidence:.2f});"
                " it would take that topic's questions"
            )
        break
    return None


def _label(intent: str) -> str:
    if intent.startswith(FAQ_PREFIX):
        try:
            topic = runtime().knowledge.topic(intent.removeprefix(FAQ_PREFIX))
        except KeyError:
            return intent
        return f'the topic "{topic.question}"'
    return f'the "{intent}" intent'


@blueprint.get("/unanswered")
def unanswered() -> ResponseReturnValue:
    """Fallbacks and guesses, grouped by similarity, most frequent first."""
    learning = services().learning
    return render_template(
        "staff/unanswered.html",
        groups=learning.unanswered(),
        topics=_topic_choices(),
        learned=learning.learned(),
    )


@blueprint.post("/unanswered/attach")
def attach() -> ResponseReturnValue:
    """Add a group's wordings to an existing topic as new phrasings."""
    group = _group_or_404(request.form.get("key", ""))
    intent = request.form.get("topic", "")
    if intent not in dict(_topic_choices()):
        abort(400, description="Choose one of the topics.")
    reasons = [r for t in group.texts if (r := _too_close(t, intent))]
    if reasons:
        flash("Not added: " + "; ".join(reasons) + ".", "error")
        return redirect(url_for("staff.unanswered"))
    services().learning.add_phrasings(
        intent, group.texts, author=author(), resolves=group.keys
    )
    refresh_now()
    flash(f"Added {len(group.texts)} wording(s) to {_label(intent)}.")
    return redirect(url_for("staff.unanswered"))


@blueprint.post("/unanswered/dismiss")
def dismiss() -> ResponseReturnValue:
    group = _group_or_404(request.form.get("key", ""))
    services().learning.dismiss(group.keys, author=author())
    flash("Dismissed.")
    return redirect(url_for("staff.unanswered"))


@blueprint.route("/unanswered/new-topic", methods=["GET", "POST"])
def new_topic() -> ResponseReturnValue:
    """Write the clinic's own answer to a group's question, as a new topic."""
    group = _group_or_404(request.values.get("key", ""))
    form = {
        "slug": request.form.get("slug", "").strip(),
        "question": request.form.get("question", group.texts[0]).strip(),
        "answer": request.form.get("answer", "").strip(),
        "sms": request.form.get("sms", "").strip(),
    }
    if request.method == "GET":
        return render_template(
            "staff/new_topic.html", group=group, form=form, errors=[]
        )
    errors = _topic_errors(form)
    if not errors:
        slug = form["slug"]
        target = FAQ_PREFIX + CLINIC_TOPIC_PREFIX + slug
        errors = [r for t in group.texts if (r := _too_close(t, target))]
    if not errors:
        try:
            services().learning.add_topic(
                slug,
                question=form["question"],
                answer=form["answer"],
                sms=form["sms"],
                examples=group.texts,
                author=author(),
                resolves=group.keys,
            )
        except StorageError as e:
            errors = [str(e)]
    if errors:
        return (
            render_template(
                "staff/new_topic.html", group=group, form=form, errors=errors
            ),
            400,
        )
    refresh_now()
    flash(f'Added the clinic topic "{form["question"]}". The bot answers it now.')
    return redirect(url_for("staff.unanswered"))


def _topic_errors(form: dict[str, str]) -> list[str]:
    errors = []
    if not SLUG.fullmatch(form["slug"]):
        errors.append(
            "The id must be 2-48 lower-case letters, digits or underscores,"
            " e.g. parking"
        )
    if not form["question"]:
        errors.append("Write the question")
    if not form["answer"]:
        errors.append("Write the answer")
    elif len(form["answer"]) > MAX_ANSWER_CHARS:
        errors.append(f"The answer is at most {MAX_ANSWER_CHARS} characters")
    if not form["sms"]:
        errors.append("Write the SMS answer")
    elif not is_gsm7(form["sms"]):
        errors.append("The SMS answer has characters SMS cannot carry (GSM-7 only)")
    elif gsm7_length(form["sms"]) > SMS_LIMIT:
        errors.append(f"The SMS answer is over {SMS_LIMIT} characters")
    return errors


@blueprint.get("/insights")
def insights() -> ResponseReturnValue:
    """Activity per week, the most asked topics and the fallback rate, as SVG."""
    summary = services().insights.summary()
    knowledge = runtime().knowledge
    questions = {t.id: t.question for t in knowledge.topics}
    return render_template(
        "staff/insights.html",
        summary=summary,
        charts=[
            week_chart("Conversations per week", summary.weeks, "conversations"),
            week_chart("Consultation requests per week", summary.weeks, "requests"),
            week_chart("Crisis flags per week", summary.weeks, "crises"),
        ],
        topics=bar_chart(
            "Most asked topics",
            [(questions.get(t, t), n) for t, n in summary.top_topics],
        ),
    )
