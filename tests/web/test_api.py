"""Every route of the API in process, and every error a client can cause, with its status and message."""

from __future__ import annotations

import gzip
import json
import math
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from attnviz.classifier import TextClassifier
from attnviz.explanation import METHOD_NAMES, SCHEMA_KEYS
from attnviz.web import ServerLimits
from attnviz.web.encoding import explanation_json
from tests.web.conftest import client_for

pytestmark = pytest.mark.anyio
TEXTS = ["The food was great!", "Our room was awful today.", "", "日本 😀 <b>x</b> \u202e"]


def assert_same_explanation(served: dict[str, Any], library: dict[str, Any]) -> None:
    """Same keys in the same order, same strings and spans; numbers equal at float32 precision."""
    assert list(served) == list(SCHEMA_KEYS) == list(library)
    assert (served["text"], served["label"], served["truncated"], served["method"]) == (
        library["text"], library["label"], library["truncated"], library["method"],
    )  # fmt: skip
    assert served["probabilities"] == pytest.approx(library["probabilities"], rel=1e-7, abs=1e-12)
    assert len(served["tokens"]) == len(library["tokens"])
    for ours, theirs in zip(served["tokens"], library["tokens"], strict=True):
        assert list(ours) == list(theirs)
        assert (ours["text"], ours["start"], ours["end"]) == (theirs["text"], theirs["start"], theirs["end"])
        assert ours["weight"] == pytest.approx(theirs["weight"], rel=1e-7, abs=1e-12)
        assert ours["class_weights"] == pytest.approx(theirs["class_weights"], rel=1e-7, abs=1e-12)


def assert_error(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and isinstance(body["message"], str) and body["message"]
    for word in words:
        assert word in body["message"], body["message"]
    return body


async def test_explain_returns_the_library_explanation_schema(
    client: httpx.AsyncClient, classifier: TextClassifier
) -> None:
    response = await client.post("/api/v1/explain", json={"texts": TEXTS})
    assert response.status_code == 200
    body = response.json()
    assert (body["model"], body["method"]) == ("tiny", "attention")
    for served, library in zip(body["explanations"], classifier.explain(TEXTS), strict=True):
        assert_same_explanation(served, library.to_dict())


async def test_explain_numbers_name_the_models_float32_values_exactly(classifier: TextClassifier) -> None:
    import numpy as np

    library = classifier.explain(["The staff were lovely and the food was great."])[0].to_dict()
    served = json.loads(explanation_json(library))
    for ours, theirs in zip(served["tokens"], library["tokens"], strict=True):
        assert np.float32(ours["weight"]) == np.float32(theirs["weight"])


async def test_predict_gives_label_and_probabilities_per_text(
    client: httpx.AsyncClient, classifier: TextClassifier
) -> None:
    response = await client.post("/api/v1/predict", json={"texts": TEXTS[:2], "model": "tiny"})
    assert response.status_code == 200
    body = response.json()
    assert body["classes"] == classifier.classes_
    assert [p["label"] for p in body["predictions"]] == classifier.predict(TEXTS[:2])
    for prediction, row in zip(body["predictions"], classifier.predict_proba(TEXTS[:2]), strict=True):
        assert list(prediction) == ["text", "label", "probabilities"]
        assert list(prediction["probabilities"].values()) == pytest.approx(row.tolist(), rel=1e-6)


async def test_fast_lane_and_fastapi_route_answer_the_same(client: httpx.AsyncClient) -> None:
    body = json.dumps({"texts": TEXTS}).encode()
    fast = await client.post("/api/v1/explain", content=body, headers={"content-type": "application/json"})
    # a +json media type is JSON to FastAPI but not taken by the fast lane
    routed = await client.post("/api/v1/explain", content=body, headers={"content-type": "application/x+json"})
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content


async def test_models_lists_names_classes_methods_and_limits(
    make_app: Callable[..., FastAPI], trained_folder: Path
) -> None:
    app = make_app([trained_folder, trained_folder], limits=ServerLimits(max_texts=7))
    async with client_for(app) as client:
        body = (await client.get("/api/v1/models")).json()
    assert body["default"] == "tiny"
    assert [model["name"] for model in body["models"]] == ["tiny", "tiny-2"]
    assert body["models"][0]["methods"] == list(METHOD_NAMES)
    assert body["models"][0]["classes"] == ["negative", "neutral", "positive"]
    assert body["limits"]["max_texts"] == 7 and body["limits"]["max_body_bytes"] == 1 << 20


async def test_healthz_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "models": 1, "queued": 0}


async def test_compare_gives_the_weight_difference_when_tokens_agree(two_model_app: FastAPI) -> None:
    async with client_for(two_model_app) as client:
        response = await client.post(
            "/api/v1/compare", json={"text": "The food was great!", "models": ["tiny", "twin"]}
        )
    body = response.json()
    assert response.status_code == 200 and body["same_tokens"] is True
    assert body["models"] == ["tiny", "twin"]
    assert body["difference"] == [0.0] * len(body["explanations"][0]["tokens"])


async def test_compare_says_so_when_the_models_split_the_text_differently(two_model_app: FastAPI) -> None:
    text = "The staff were lovely and the food was great."
    async with client_for(two_model_app) as client:
        response = await client.post("/api/v1/compare", json={"text": text, "models": ["tiny", "short"]})
    body = response.json()
    assert body["same_tokens"] is False and body["difference"] is None
    assert "differently" in body["note"]
    assert [len(e["tokens"]) for e in body["explanations"]] == [10, 3]


async def test_render_html_is_a_standalone_page_to_download(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/render/html", json={"texts": ["<script>x</script> great"]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == 'attachment; filename="explanation.html"'
    assert "<script" not in response.text and "&lt;" in response.text  # the page has no script at all
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_render_png_draws_a_picture_and_takes_a_class_view(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/render/png", json={"texts": ["great food"], "view": "positive"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    bad = await client.post("/api/v1/render/png", json={"texts": ["great food"], "view": "nope"})
    assert_error(bad, 422, "'nope'")


def csv_upload(rows: list[tuple[str, str]], name: str = "reviews.csv") -> dict[str, Any]:
    lines = ["text,label", *(f'"{text}",{label}' for text, label in rows)]
    return {"file": (name, "\n".join(lines).encode(), "text/csv")}


async def test_report_upload_returns_the_batch_report(client: httpx.AsyncClient) -> None:
    rows = [("The food was great!", "positive"), ("The staff were rude.", "negative"), ("It was okay.", "neutral")]
    response = await client.post("/api/v1/report", files=csv_upload(rows))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "reviews.csv (uploaded)" in response.text and "confusion" in response.text.lower()
    policy = response.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy


async def test_report_reads_unlabelled_json_lines(client: httpx.AsyncClient) -> None:
    lines = b'{"text": "great food"}\n{"text": "awful room"}\n'
    response = await client.post("/api/v1/report", files={"file": ("texts.jsonl", lines)}, data={"model": "tiny"})
    assert response.status_code == 200 and "texts.jsonl (uploaded)" in response.text


async def test_report_never_writes_the_upload_under_its_name(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload must not get a named temporary file")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    files = csv_upload([("great", "positive"), ("awful", "negative")], name="../../evil.csv")
    response = await client.post("/api/v1/report", files=files)
    assert response.status_code == 200 and "evil.csv (uploaded)" in response.text
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == []


async def test_report_refuses_bad_files_with_their_own_message(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/api/v1/report", files={"file": ("x.csv", b"")}), 422, "x.csv", "empty")
    unknown = csv_upload([("great", "delicious-label")])
    assert_error(await client.post("/api/v1/report", files=unknown), 422, "delicious-label")
    assert_error(await client.post("/api/v1/report", files={"file": ("x.csv", b"\xff\xfe\x00")}), 422)
    assert_error(await client.post("/api/v1/report", data={"model": "tiny"}), 422, "file")


async def test_report_limits_the_number_of_rows(make_app: Callable[..., FastAPI], trained_folder: Path) -> None:
    app = make_app([trained_folder], limits=ServerLimits(max_report_texts=2))
    async with client_for(app) as client:
        response = await client.post("/api/v1/report", files=csv_upload([("a", "positive")] * 3))
    assert_error(response, 413, "3 texts", "at most 2")


async def test_report_falls_back_to_a_plain_page_for_a_model_without_folder(
    make_app: Callable[..., FastAPI], classifier: TextClassifier
) -> None:
    async with client_for(make_app({"memory": classifier})) as client:
        response = await client.post("/api/v1/report", files=csv_upload([("great", "positive")]))
    assert response.status_code == 200 and "plain table" in response.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"texts": "just one"}, ["texts", "valid list"]),
        ({"texts": [1, 2]}, ["texts.0", "valid string"]),
        ({}, ["texts", "required"]),
        ({"texts": ["a"], "colour": "red"}, ["colour"]),
        ({"texts": []}, ["empty"]),
        ({"texts": ["a"], "method": "shap"}, ["'shap'", "attention"]),
        ({"texts": ["lone \ud800 surrogate"]}, ["surrogate"]),
    ],
)
async def test_a_bad_body_is_422_with_a_message(
    client: httpx.AsyncClient, body: dict[str, Any], words: list[str]
) -> None:
    content = json.dumps(body).encode()
    response = await client.post("/api/v1/explain", content=content, headers={"content-type": "application/json"})
    assert_error(response, 422, *words)


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\xfd", b"", b"[1, 2]", b"null"])
async def test_a_body_that_is_not_a_json_object_is_422(client: httpx.AsyncClient, content: bytes) -> None:
    for route in ("/api/v1/explain", "/api/v1/predict", "/api/v1/compare"):
        response = await client.post(route, content=content, headers={"content-type": "application/json"})
        body = assert_error(response, 422)
        assert body["errors"], body


async def test_too_many_texts_is_413(make_app: Callable[..., FastAPI], trained_folder: Path) -> None:
    async with client_for(make_app([trained_folder], limits=ServerLimits(max_texts=3))) as client:
        response = await client.post("/api/v1/predict", json={"texts": ["a"] * 4})
    assert_error(response, 413, "4 texts", "at most 3")


async def test_a_text_too_long_is_413(make_app: Callable[..., FastAPI], trained_folder: Path) -> None:
    async with client_for(make_app([trained_folder], limits=ServerLimits(max_text_chars=10))) as client:
        response = await client.post("/api/v1/explain", json={"texts": ["short", "x" * 11]})
    assert_error(response, 413, "Text number 2", "11 characters", "--max-text-chars")


async def test_a_body_too_large_is_413_by_content_length(
    make_app: Callable[..., FastAPI], trained_folder: Path
) -> None:
    async with client_for(make_app([trained_folder], limits=ServerLimits(max_body_bytes=100))) as client:
        response = await client.post("/api/v1/explain", json={"texts": ["x" * 200]})
    assert_error(response, 413, "limit of 100 bytes", "--max-body")


async def test_a_chunked_body_without_length_is_413_too(make_app: Callable[..., FastAPI], trained_folder: Path) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"texts": ["'
        for _ in range(50):
            yield b"x" * 10
        yield b'"]}'

    async with client_for(make_app([trained_folder], limits=ServerLimits(max_body_bytes=100))) as client:
        request = client.build_request("POST", "/api/v1/explain", content=chunks())
        assert "content-length" not in request.headers and request.headers["transfer-encoding"] == "chunked"
        response = await client.send(request)
    assert_error(response, 413, "over the limit of 100 bytes")


async def test_an_unknown_model_is_404(client: httpx.AsyncClient) -> None:
    for route in ("/api/v1/explain", "/api/v1/predict", "/api/v1/render/html"):
        assert_error(await client.post(route, json={"texts": ["a"], "model": "nope"}), 404, "'nope'", "tiny")
    compare = await client.post("/api/v1/compare", json={"text": "a", "models": ["tiny", "nope"]})
    assert_error(compare, 404, "'nope'")
    report = await client.post("/api/v1/report", files=csv_upload([("a", "positive")]), data={"model": "nope"})
    assert_error(report, 404, "'nope'")


async def test_unknown_routes_and_methods_answer_json(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v2/explain"), 404, "/api/v2/explain", "/docs")
    assert_error(await client.get("/api/v1/explain"), 405, "GET")


async def test_the_page_carries_the_models_and_the_colour_model(
    make_app: Callable[..., FastAPI], classifier: TextClassifier
) -> None:
    async with client_for(make_app({"<b>odd</b>": classifier, "plain": classifier})) as client:
        response = await client.get("/")
    page = response.text
    assert response.status_code == 200 and "<b>odd</b>" not in page and "&lt;b&gt;odd&lt;/b&gt;" in page
    start = page.index('id="attnviz-config">') + len('id="attnviz-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert [model["name"] for model in config["models"]] == ["<b>odd</b>", "plain"]
    assert config["stops"][0] == [0xF7, 0xFB, 0xFF] and len(config["linear"]) == 256
    scripts = ("colors.js", "text.js", "app.js", "compare.js", "methods.js")
    assert "\n".join(f'<script src="/static/{name}" defer></script>' for name in scripts) in page
    assert "compare-left" in page


async def test_docs_is_our_own_page_listing_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    spec = (await client.get("/openapi.json")).json()
    for path in spec["paths"]:
        assert path in response.text
    assert {"/api/v1/explain", "/api/v1/predict", "/api/v1/models", "/healthz", "/api/v1/report"} <= set(spec["paths"])
    assert "<script" not in response.text and "cdn" not in response.text.lower()
    assert "ExplainRequest" in response.text and "class_weights" in response.text


async def test_static_files_are_a_fixed_set(client: httpx.AsyncClient) -> None:
    for name in ("app.js", "compare.js", "methods.js"):
        script = await client.get(f"/static/{name}")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in script.text and "eval(" not in script.text
    assert (await client.get("/static/app.css")).status_code == 200
    colours = await client.get("/static/colors.js")  # the colour model's script, shared with the report
    assert colours.status_code == 200 and "function attnvizColours" in colours.text
    text = await client.get("/static/text.js")
    assert text.status_code == 200 and "function attnvizText" in text.text
    for name in ("page.html.j2", "..%2Fapp.py", "%2e%2e%2f__init__.py", "../app.py"):
        assert (await client.get(f"/static/{name}")).status_code == 404


async def test_served_numbers_are_finite_or_refused() -> None:
    explanation = {
        "text": "a b", "label": "x", "probabilities": {"x": 0.5, "y": 0.5},
        "tokens": [{"text": "a", "start": 0, "end": 1, "weight": math.nan, "class_weights": {"x": 1.0, "y": 0.0}},
                   {"text": "b", "start": 2, "end": 3, "weight": 1.0, "class_weights": {"x": 0.0, "y": 1.0}}],
        "truncated": False, "method": "attention",
    }  # fmt: skip
    with pytest.raises(ValueError, match="not finite"):
        explanation_json(explanation)


async def test_a_picture_of_too_much_text_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/render/png", json={"texts": ["great food " * 1000] * 3})
    assert_error(response, 413, "characters", "HTML")


async def test_a_bug_answers_json_500_and_is_logged(
    make_app: Callable[..., FastAPI], classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    def broken(texts: list[str], method: str = "attention") -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(classifier, "explain", broken)
    transport = httpx.ASGITransport(app=make_app({"tiny": classifier}), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        response = await client.post("/api/v1/explain", json={"texts": ["a"]})
    assert_error(response, 500, "bug")
    assert "internal error" in caplog.text


async def test_a_gzipped_upload_is_read_and_a_gzip_bomb_is_413(client: httpx.AsyncClient) -> None:
    small = gzip.compress(b"text,label\ngreat food,positive\nawful room,negative\n")
    response = await client.post("/api/v1/report", files={"file": ("reviews.csv.gz", small)})
    assert response.status_code == 200 and "reviews.csv.gz (uploaded)" in response.text
    bomb = gzip.compress(b"text\n" + b"a" * (40 << 20))  # 40 MiB of text in about 40 KiB
    assert len(bomb) < 1 << 20
    assert_error(await client.post("/api/v1/report", files={"file": ("bomb.csv.gz", bomb)}), 413, "decompresses")


async def test_a_parquet_upload_is_refused_with_what_to_do(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/report", files={"file": ("data.parquet", b"PAR1....PAR1")})
    assert_error(response, 422, "Parquet", "attnviz report")


async def test_deeply_nested_json_is_422_not_a_crash(client: httpx.AsyncClient) -> None:
    content = b"[" * 100_000 + b"]" * 100_000
    for route in ("/api/v1/explain", "/api/v1/compare"):
        response = await client.post(route, content=content, headers={"content-type": "application/json"})
        assert_error(response, 422)
