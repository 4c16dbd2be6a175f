"""Schemathesis over our own OpenAPI document: hundreds of generated requests, valid and invalid, and
not one answer is a 5xx or breaks the schema the document promises."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attnviz.web import ServerLimits

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
# Examples per operation and mode; pictures and reports take tens of milliseconds each, the rest far less.
EXAMPLES = {"POST /api/v1/render/png": 15, "POST /api/v1/report": 25, "POST /api/v1/render/html": 25}
DEFAULT_EXAMPLES = 80


def test_generated_requests_never_get_a_server_error_or_break_the_schema(
    make_app: Callable[..., FastAPI], trained_folder: Path, short_folder: Path
) -> None:
    # Schemathesis's in-process transport sends "Host: testserver", without a port as on port 80.
    limits = ServerLimits(max_texts=16, max_text_chars=2_000, max_report_texts=50)
    models = {"tiny": trained_folder, "short": short_folder}
    app = make_app(models, port=80, extra_hosts=["testserver"], limits=limits)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    statuses: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        # a GET without parameters has no invalid form to generate
        for mode in MODES if operation.method.upper() != "GET" else MODES[:1]:
            _fuzz(operation, mode, EXAMPLES.get(label, DEFAULT_EXAMPLES), label, statuses)
    total = sum(statuses.values())
    assert total >= 500, statuses
    assert not [key for key in statuses if key[1] >= 500], statuses
    assert {status for _, status in statuses} >= {200, 404, 422}, statuses


def _fuzz(operation: object, mode: object, examples: int, label: str, statuses: Counter[tuple[str, int]]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))  # type: ignore[attr-defined]
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call()
        statuses[(label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS)

    run()
