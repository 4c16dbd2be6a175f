"""The JSON API, version 1: thin routes over `InferenceService` and the render module.

Answers are encoded straight from the library's dictionaries (`encoding`): the response models in
`schemas` document them in the OpenAPI file but are not run per request.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from attnviz.explanation import Explanation
from attnviz.render.html import PAGE_CONTENT_SECURITY_POLICY
from attnviz.web import schemas
from attnviz.web.encoding import envelope, explanation_json, prediction_json
from attnviz.web.reports import HeavyJobs, build_report_page, render_download, security_header
from attnviz.web.service import InferenceService
from attnviz.web.uploads import EXPANSION, read_upload

PREFIX = "/api/v1"
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.ErrorResponse, "description": "No such model."},
    413: {"model": schemas.ErrorResponse, "description": "Too many texts, a text too long, or a body too large."},
    422: {"model": schemas.ErrorResponse, "description": "The body is not valid (each invalid field is listed)."},
    503: {"model": schemas.ErrorResponse, "description": "The inference queue is full; retry in a moment."},
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "A standalone HTML page."}
}
_PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}, "description": "PNG."}
}


def json_response(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    return Response(body, status_code=status, media_type="application/json")


def raw_json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _attachment(body: bytes, media_type: str, filename: str, csp: str | None = None) -> Response:
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    if csp is not None:
        headers["content-security-policy"] = csp
    return Response(body, media_type=media_type, headers=headers)


def api_router(service: InferenceService, jobs: HeavyJobs) -> APIRouter:
    """Every /api/v1 route and /healthz, bound to one service (no per-request dependency lookups)."""
    router = APIRouter()
    _model_routes(router, service, jobs)
    _file_routes(router, service, jobs)
    return router


async def predict_answer(service: InferenceService, body: schemas.PredictRequest) -> bytes:
    """The body of a /predict answer (shared by the FastAPI route and the fast lane)."""
    model, predictions = await service.predict(body.texts, body.model)
    fields = {"model": model.name, "classes": list(model.classifier.classes_)}
    return envelope(fields, "predictions", map(prediction_json, predictions))


async def explain_answer(service: InferenceService, body: schemas.ExplainRequest) -> bytes:
    """The body of an /explain answer (shared by the FastAPI route and the fast lane)."""
    name, explanations = await service.explain(body.texts, body.model, body.method)
    return envelope({"model": name, "method": body.method}, "explanations", map(explanation_json, explanations))


def _model_routes(router: APIRouter, service: InferenceService, jobs: HeavyJobs) -> None:
    @router.post(f"{PREFIX}/predict", response_model=schemas.PredictResponse, responses=_ERRORS, tags=["model"])
    async def predict(body: schemas.PredictRequest) -> Response:
        """The predicted class and every class's probability, per text."""
        return raw_json(await predict_answer(service, body))

    @router.post(f"{PREFIX}/explain", response_model=schemas.ExplainResponse, responses=_ERRORS, tags=["model"])
    async def explain(body: schemas.ExplainRequest) -> Response:
        """Per text, the library's explanation (`Explanation.to_dict()`): prediction and each word's weight.

        Numbers carry 9 significant digits: exactly the model's float32 values."""
        return raw_json(await explain_answer(service, body))

    @router.post(f"{PREFIX}/compare", response_model=schemas.CompareResponse, responses=_ERRORS, tags=["model"])
    async def compare(body: schemas.CompareRequest) -> Response:
        """One text under two models, and where both read the same tokens, the difference of their weights."""
        return json_response(await service.compare(body.text, body.models, body.method))

    @router.get(f"{PREFIX}/models", response_model=schemas.ModelsResponse, tags=["server"])
    async def models() -> Response:
        """The served models (the first is the default), their classes and methods, and the request limits."""
        registry, limits = service.registry, service.limits
        return json_response(
            {
                "default": registry.default.name,
                "models": [registry.get(name).info() for name in registry.names],
                "limits": {name: getattr(limits, name) for name in ("max_texts", "max_text_chars", "max_body_bytes")},
            }
        )

    @router.get("/healthz", response_model=schemas.Health, tags=["server"])
    async def healthz() -> Response:
        """Liveness: answers as long as the event loop runs; `queued` shows how busy the model is."""
        return json_response({"status": "ok", "models": len(service.registry), "queued": service.batcher.pending})


def _file_routes(router: APIRouter, service: InferenceService, jobs: HeavyJobs) -> None:
    async def download(body: schemas.RenderRequest, kind: str) -> bytes:
        name, dictionaries = await service.explain(body.texts, body.model, body.method)
        explanations = [Explanation.from_dict(item) for item in dictionaries]
        return await jobs.run(render_download, explanations, kind, body.view, f"attnviz: {name}")

    @router.post(f"{PREFIX}/render/html", response_class=Response, responses={**_HTML, **_ERRORS}, tags=["files"])
    async def render_html(body: schemas.RenderRequest) -> Response:
        """The explanations as a standalone HTML page (as `attnviz explain --output x.html`), to download."""
        page = await download(body, "html")
        return _attachment(
            page, "text/html; charset=utf-8", "explanation.html", security_header(PAGE_CONTENT_SECURITY_POLICY)
        )

    @router.post(f"{PREFIX}/render/png", response_class=Response, responses={**_PNG, **_ERRORS}, tags=["files"])
    async def render_png(body: schemas.RenderRequest) -> Response:
        """The explanations as a PNG picture; `view` shades one class's own attention."""
        return _attachment(await download(body, "png"), "image/png", "explanation.png")

    @router.post(f"{PREFIX}/report", response_class=Response, responses={**_HTML, **_ERRORS}, tags=["files"])
    async def report(
        file: Annotated[UploadFile, File(description="CSV, TSV or JSON Lines, also gzipped.")],
        model: Annotated[str | None, Form(description="A served model's name; left out, the first.")] = None,
        text_column: Annotated[str | None, Form(description="Column of the texts: a name or an index.")] = None,
        label_column: Annotated[str | None, Form(description="Column of true labels, if any.")] = None,
    ) -> Response:
        """The batch report of an uploaded data file: every text explained, with metrics when it has labels."""
        served = service.registry.get(model)
        limit = EXPANSION * service.limits.max_body_bytes
        dataset = read_upload(file.filename, await file.read(), text_column, label_column, max_bytes=limit)
        page = await jobs.run(build_report_page, served, dataset, service.limits.max_report_texts)
        headers = {"content-security-policy": security_header(page.content_security_policy)}
        return Response(page.html, media_type="text/html; charset=utf-8", headers=headers)
