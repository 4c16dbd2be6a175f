"""The OpenAPI document: the served names filled in, and as plain data for the reference page at /docs.

Swagger UI loads its scripts from a CDN, which fails offline and breaks the CSP; a page drawn on the
server from the same /openapi.json needs no script at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class FieldView:
    name: str
    type: str
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class SchemaView:
    name: str
    description: str
    fields: list[FieldView]


@dataclass(frozen=True)
class ContentView:
    media_type: str
    schema: str  # a schema's name (linked in the page) or a type description
    linked: bool


@dataclass(frozen=True)
class ResponseView:
    status: str
    description: str
    content: list[ContentView]


@dataclass(frozen=True)
class OperationView:
    method: str
    path: str
    summary: str
    description: str
    body: list[ContentView]
    responses: list[ResponseView]

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path.strip('/').replace('/', '-') or 'root'}"


@dataclass(frozen=True)
class ApiView:
    title: str
    version: str
    operations: list[OperationView]
    schemas: list[SchemaView]


def _restrict(schema: dict[str, Any], choices: list[str]) -> None:
    if schema.get("type") == "string":
        schema["enum"] = list(choices)
    for part in schema.get("anyOf", []):
        _restrict(part, choices)
    if isinstance(schema.get("items"), dict):
        _restrict(schema["items"], choices)


def restrict_choices(document: dict[str, Any], models: list[str], methods: list[str]) -> dict[str, Any]:
    """Writes the served model names and the explanation methods into the document as enums (in place).

    The request models are the same for every server; which names a server takes is only known here.
    """
    for schema in document.get("components", {}).get("schemas", {}).values():
        properties = schema.get("properties", {})
        for field, choices in (("model", models), ("models", models), ("method", methods)):
            if field in properties:
                _restrict(properties[field], choices)
    return document


def type_name(schema: dict[str, Any]) -> str:
    """A short reading of a JSON schema: `list of Token`, `map of string to number`, `string or null`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " or ".join(type_name(part) for part in schema[combinator])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_name(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of string to {type_name(schema['additionalProperties'])}"
    if kind == "string" and schema.get("format") == "binary":
        return "file"
    if "enum" in schema:
        return f"{kind}, one of: {', '.join(map(str, schema['enum']))}"
    return str(kind)


def _content(content: dict[str, Any]) -> list[ContentView]:
    views = []
    for media_type, item in content.items():
        schema = item.get("schema", {})
        views.append(ContentView(media_type, type_name(schema) if schema else "", "$ref" in schema))
    return views


def _operation(path: str, method: str, spec: dict[str, Any]) -> OperationView:
    responses = [
        ResponseView(str(status), str(answer.get("description", "")), _content(answer.get("content", {})))
        for status, answer in spec.get("responses", {}).items()
    ]
    return OperationView(
        method=method.upper(),
        path=path,
        summary=str(spec.get("summary", "")),
        description=str(spec.get("description", "")),
        body=_content(spec.get("requestBody", {}).get("content", {})),
        responses=responses,
    )


def _schema(name: str, schema: dict[str, Any]) -> SchemaView:
    required = set(schema.get("required", []))
    fields = [
        FieldView(
            field,
            type_name(item),
            field in required,
            "" if "default" not in item else repr(item["default"]).replace("None", "null"),
            str(item.get("description", "")),
        )
        for field, item in schema.get("properties", {}).items()
    ]
    return SchemaView(name, str(schema.get("description", "")), fields)


def describe_openapi(document: dict[str, Any]) -> ApiView:
    """The operations (in path order) and the named schemas of an OpenAPI 3 document."""
    operations = [
        _operation(path, method, item[method])
        for path, item in document.get("paths", {}).items()
        for method in _METHODS
        if method in item
    ]
    schemas = [_schema(name, schema) for name, schema in document.get("components", {}).get("schemas", {}).items()]
    info = document.get("info", {})
    return ApiView(str(info.get("title", "API")), str(info.get("version", "")), operations, schemas)
