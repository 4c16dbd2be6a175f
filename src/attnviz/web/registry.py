"""The models a server serves, by name: loaded once at start, looked up per request."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from attnviz.errors import ConfigError
from attnviz.explain import METHODS
from attnviz.web.problems import InvalidRequestError, UnknownModelError

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

PathLike = Union[str, "os.PathLike[str]"]
ModelSource = Union["TextClassifier", PathLike]
Models = Mapping[str, ModelSource] | Sequence[PathLike]


@dataclass(frozen=True)
class ServedModel:
    """A loaded classifier and its name; `folder` is None for a classifier handed over in memory."""

    name: str
    classifier: TextClassifier
    folder: Path | None

    @property
    def methods(self) -> list[str]:
        return list(METHODS)

    def info(self) -> dict[str, object]:
        return {
            "name": self.name,
            "classes": list(self.classifier.classes_),
            "methods": self.methods,
            "max_length": self.classifier.network_.config.max_length,
        }


def _unique(name: str, taken: Mapping[str, object]) -> str:
    """Two folders called `model` in different places are served as `model` and `model-2`."""
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    return candidate


def _load(source: ModelSource, device: str) -> tuple[TextClassifier, Path | None]:
    from attnviz.classifier import TextClassifier

    if isinstance(source, TextClassifier):
        source.classes  # noqa: B018 - raises NotFittedError for an untrained classifier
        return source, None
    folder = Path(source)
    return TextClassifier.load(folder, device=device), folder


class ModelRegistry:
    """Name -> ServedModel, in the order given; the first is the default."""

    def __init__(self, models: Models, device: str = "auto") -> None:
        items = models.items() if isinstance(models, Mapping) else ((None, source) for source in models)
        self._models: dict[str, ServedModel] = {}
        for given, source in items:
            classifier, folder = _load(source, device)
            base = given or (folder.resolve().name if folder is not None else "model")
            name = _unique(base, self._models)
            self._models[name] = ServedModel(name, classifier, folder)
        if not self._models:
            raise ConfigError("No models to serve; give at least one model folder.")

    @property
    def names(self) -> list[str]:
        return list(self._models)

    @property
    def default(self) -> ServedModel:
        return next(iter(self._models.values()))

    def __len__(self) -> int:
        return len(self._models)

    def get(self, name: str | None) -> ServedModel:
        """The model called `name` (the default for None); UnknownModelError (404) otherwise."""
        if name is None:
            return self.default
        model = self._models.get(name)
        if model is None:
            shown = name if len(name) <= 80 else name[:77] + "..."
            raise UnknownModelError(
                f"There is no model {shown!r} here; use one of: {', '.join(self._models)} (GET /api/v1/models)."
            )
        return model

    def method(self, model: ServedModel, method: str) -> str:
        if method not in model.methods:
            shown = method if len(method) <= 80 else method[:77] + "..."
            raise InvalidRequestError(
                f"Unknown explanation method {shown!r} for model {model.name!r}; "
                f"use one of: {', '.join(model.methods)}."
            )
        return method
