"""GET /openapi.json describes every public endpoint, and the server keeps to it.

schemathesis generates requests from the document (a bounded number per
operation): no answer may be a 5xx or carry a traceback, every answer must match
the document, and the server must still answer afterwards.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from test_action_server import TOKEN

from bot.runtime import Runtime
from bot.settings import Settings
from webhook import create_app
from webhook.openapi import DESCRIBED_STAFF_ROUTES, STAFF_PAGES_PREFIX

EXAMPLES = 25
_CONVERTER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\1}", rule)


def _public(rule: str) -> bool:
    """Staff pages behind sign-in are HTML for people, not a public API."""
    return not (
        rule == "/staff"
        or (rule.startswith(STAFF_PAGES_PREFIX) and rule not in DESCRIBED_STAFF_ROUTES)
    )


def test_the_document_is_openapi_3_1_and_lists_every_route(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and _public(rule.rule)
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    described = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert routes == described


def _app(tmp_path: Any, runtime: Runtime) -> Flask:
    from bot.runtime import build_runtime

    built = build_runtime(
        Settings.from_env(
            {
                "FAQBOT_INSTANCE_PATH": str(tmp_path),
                "FAQBOT_ACTION_TOKEN": TOKEN,
                # Generated requests come from one address in a burst.
                "FAQBOT_RATELIMIT_PER_ADDRESS": "1000000/minute",
                "FAQBOT_RATELIMIT_PER_SENDER": "1000000/minute",
            }
        ),
        knowledge=runtime.knowledge,
        store=runtime.store,
        parser=runtime.parser,
    )
    return create_app(runtime=built)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_server_keeps_to_its_document(tmp_path: Any, runtime: Runtime) -> None:
    app = _app(tmp_path, runtime)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    failures: list[str] = []
    for operation in schema.get_all_operations():
        _fuzz(operation.ok(), failures)
    assert failures == []
    health = app.test_client().get("/health")
    assert health.status_code == 200


def _fuzz(operation: Any, failures: list[str]) -> None:
    """Send EXAMPLES generated requests to one operation; note what is wrong."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        if case.query and "token" in case.query:
            case.query["token"] = TOKEN  # reach the action server, not just its 403
        response = case.call()
        text = response.text
        where = f"{operation.method.upper()} {operation.path} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{where}: {text[:200]}")
        if "Traceback" in text:
            failures.append(f"{where}: a traceback in the body")
        try:
            # Not "every schema-valid body is accepted": the server refuses some
            # strings JSON Schema cannot describe (unprintable senders, text
            # with lone surrogates), with a 400 saying why.
            case.validate_response(
                response, excluded_checks=[checks.positive_data_acceptance]
            )
        except Exception as e:  # noqa: BLE001 - schemathesis's failure group
            failures.append(f"{where}: {str(e)[:300]}")

    check()
