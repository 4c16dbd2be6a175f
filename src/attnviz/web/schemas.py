"""The API's request and response bodies, as pydantic models for validation and the OpenAPI document.

Responses are serialised with `json` straight from `Explanation.to_dict()` (measured: validating them
through these models would cost more than the model itself); the models only document that schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_TEXTS = "The texts to run the model on, in order; the answer has one entry per text."
_MODEL = "A served model's name (GET /api/v1/models); left out, the first model."
_METHOD = "The explanation method; GET /api/v1/models lists each model's methods."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PredictRequest(_Request):
    texts: list[str] = Field(description=_TEXTS)
    model: str | None = Field(default=None, description=_MODEL)


class ExplainRequest(PredictRequest):
    method: str = Field(default="attention", description=_METHOD)


class RenderRequest(ExplainRequest):
    view: str | None = Field(
        default=None, description="Shade a class's own attention instead of the attention used (PNG only)."
    )


class CompareRequest(_Request):
    text: str = Field(description="The one text both models explain.")
    models: list[str] = Field(min_length=2, max_length=2, description="Two served models' names: left, right.")
    method: str = Field(default="attention", description=_METHOD)


class Token(BaseModel):
    text: str = Field(description="The token's surface: text[start:end].")
    start: int = Field(description="Start offset in code points (Python), not UTF-16 units.")
    end: int
    weight: float = Field(description="The attention the prediction used; sums to 1 over the tokens.")
    class_weights: dict[str, float] = Field(description="Each class's own attention on this token.")


class Explanation(BaseModel):
    """`Explanation.to_dict()` of the library: the same keys, the same meaning."""

    text: str
    label: str
    probabilities: dict[str, float]
    tokens: list[Token]
    truncated: bool = Field(description="True when the text had more words than the model reads.")
    method: str


class ExplainResponse(BaseModel):
    model: str
    method: str
    explanations: list[Explanation]


class Prediction(BaseModel):
    text: str
    label: str
    probabilities: dict[str, float]


class PredictResponse(BaseModel):
    model: str
    classes: list[str]
    predictions: list[Prediction]


class CompareResponse(BaseModel):
    models: list[str]
    explanations: list[Explanation] = Field(description="The left model's explanation, then the right's.")
    same_tokens: bool = Field(description="Whether both models read the same token spans.")
    difference: list[float] | None = Field(description="Per token, left weight minus right; null unless same_tokens.")
    note: str


class Limits(BaseModel):
    max_texts: int
    max_text_chars: int
    max_body_bytes: int


class ModelInfo(BaseModel):
    name: str
    classes: list[str]
    methods: list[str]
    max_length: int = Field(description="Words the model reads; the rest of a longer text is not read.")


class ModelsResponse(BaseModel):
    default: str
    models: list[ModelInfo]
    limits: Limits


class Health(BaseModel):
    status: Literal["ok"]
    models: int
    queued: int = Field(description="Requests waiting for the model right now.")


class ErrorDetail(BaseModel):
    location: str
    message: str


class ErrorResponse(BaseModel):
    status: int
    message: str = Field(description="One sentence: what was wrong and what to do.")
    errors: list[ErrorDetail] = Field(default_factory=list, description="Each invalid field (422 only).")
