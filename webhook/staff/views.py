"""The inbox, a request's page, crisis flags and exports: thin views over storage."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from bot.errors import HandoffNotFound, StorageError
from bot.storage import HANDOFF_STATUSES, handoffs_to_csv, handoffs_to_json
from bot.storage.inbox import StoredMessage
from webhook.runtime import runtime
from webhook.staff import blueprint
from webhook.staff.auth import author
from webhook.staff.formatting import national_phone
from webhook.staff.services import services

PAGE_SIZE = 200
MAX_SEARCH_CHARS = 100


@blueprint.app_template_filter("phone")
def phone_filter(e164: str) -> str:
    return national_phone(e164, runtime().settings.phone_region)


@blueprint.context_processor
def banner() -> dict[str, object]:
    """What every staff page shows: unreviewed crises and new requests."""
    from flask import g

    if getattr(g, "staff_user", None) is None:
        return {}
    inbox = services().inbox
    return {
        "unreviewed_crises": inbox.unreviewed_crises(),
        "new_requests": inbox.counts()["new"],
        "user": g.staff_user,
    }


def _filters() -> tuple[str | None, str]:
    status = request.args.get("status") or None
    if status is not None and status not in HANDOFF_STATUSES:
        abort(400, description=f"status must be one of {', '.join(HANDOFF_STATUSES)}")
    search = (request.args.get("q") or "").strip()[:MAX_SEARCH_CHARS]
    return status, search


@blueprint.get("/")
def inbox() -> ResponseReturnValue:
    """Requests newest first, filtered by status and searched by name or phone."""
    status, search = _filters()
    found = services().inbox.requests(status=status, search=search, limit=PAGE_SIZE)
    return render_template(
        "staff/inbox.html",
        requests=found,
        status=status,
        search=search,
        statuses=HANDOFF_STATUSES,
        counts=services().inbox.counts(),
        page_size=PAGE_SIZE,
    )


@blueprint.get("/requests/<int:handoff_id>")
def request_page(handoff_id: int) -> ResponseReturnValue:
    """A request's details, history and the whole transcript."""
    inbox = services().inbox
    found = inbox.request(handoff_id)
    if found is None:
        abort(404)
    messages = inbox.messages(found.conversation_id) if found.conversation_id else []
    if not messages:
        messages = [
            StoredMessage(line.sender, line.text, line.timestamp, None, None)
            for line in found.transcript
        ]
    return render_template(
        "staff/request.html",
        handoff=found,
        history=inbox.history(handoff_id),
        # The live conversation has the intents; after a purge, the request's copy.
        messages=messages,
        statuses=HANDOFF_STATUSES,
    )


@blueprint.post("/requests/<int:handoff_id>/status")
def set_status(handoff_id: int) -> ResponseReturnValue:
    status = request.form.get("status", "")
    if status not in HANDOFF_STATUSES:
        abort(400, description=f"status must be one of {', '.join(HANDOFF_STATUSES)}")
    try:
        services().inbox.set_status(handoff_id, status, author=author())
    except HandoffNotFound:
        abort(404)
    flash(f"Request #{handoff_id} marked {status}.")
    return redirect(url_for("staff.request_page", handoff_id=handoff_id))


@blueprint.post("/requests/<int:handoff_id>/notes")
def add_note(handoff_id: int) -> ResponseReturnValue:
    try:
        services().inbox.add_note(
            handoff_id, request.form.get("note", ""), author=author()
        )
    except HandoffNotFound:
        abort(404)
    except ValueError as e:
        flash(f"Note not added: {e}.", "error")
    else:
        flash("Note added.")
    return redirect(url_for("staff.request_page", handoff_id=handoff_id) + "#history")


@blueprint.get("/requests.<any(csv, json):fmt>")
def export_requests(fmt: str) -> ResponseReturnValue:
    """The filtered requests with transcripts, as spreadsheet-safe CSV or JSON."""
    status, search = _filters()
    found = services().inbox.requests(
        status=status, search=search, with_transcripts=True
    )
    if fmt == "json":
        body, mimetype = handoffs_to_json(found), "application/json"
    else:
        region = runtime().settings.phone_region
        body = handoffs_to_csv(found, phone=lambda p: national_phone(p, region))
        mimetype = "text/csv"
    name = f"requests-{status or 'all'}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/crisis")
def crisis_list() -> ResponseReturnValue:
    """Every crisis-flagged conversation, request or not; unreviewed first."""
    return render_template(
        "staff/crisis.html", conversations=services().inbox.crisis_conversations()
    )


@blueprint.post("/crisis/<int:conversation_id>/reviewed")
def review_crisis(conversation_id: int) -> ResponseReturnValue:
    try:
        services().inbox.review_crisis(conversation_id, author=author())
    except StorageError:
        abort(404)
    flash(f"Conversation #{conversation_id} marked reviewed.")
    return redirect(url_for("staff.crisis_list"))


@blueprint.get("/conversations/<int:conversation_id>")
def conversation_page(conversation_id: int) -> ResponseReturnValue:
    """A conversation's transcript, with or without a request."""
    inbox = services().inbox
    found = inbox.conversation(conversation_id)
    if found is None:
        abort(404)
    return render_template(
        "staff/conversation.html",
        conversation=found,
        messages=inbox.messages(conversation_id),
    )


@blueprint.errorhandler(400)
@blueprint.errorhandler(404)
def page_error(e: Exception) -> ResponseReturnValue:
    code = getattr(e, "code", 400)
    message = "There is no such page." if code == 404 else getattr(e, "description", "")
    return render_template(
        "staff/message.html",
        title="Not found" if code == 404 else "Bad request",
        message=message,
    ), code
