"""attnviz: train attention RNN text classifiers and see, word by word, what they looked at.

The public names are imported lazily so that `attnviz.render` and the CLI's help start without
loading torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attnviz._version import __version__
from attnviz.errors import AttnvizError, ConfigError, DataError, ModelFolderError, NotFittedError
from attnviz.explanation import Explanation, Explanations, TokenWeight

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier
    from attnviz.text.readers import TextDataset, read_dataset

_LAZY = {
    "TextClassifier": "attnviz.classifier",
    "TextDataset": "attnviz.text.readers",
    "read_dataset": "attnviz.text.readers",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'attnviz' has no attribute {name!r}")


__all__ = [
    "AttnvizError",
    "ConfigError",
    "DataError",
    "Explanation",
    "Explanations",
    "ModelFolderError",
    "NotFittedError",
    "TextClassifier",
    "TextDataset",
    "TokenWeight",
    "__version__",
    "read_dataset",
]
