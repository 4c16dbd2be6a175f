"""The package's own exception types: one sentence for the user, saying what was wrong and what to do."""

from __future__ import annotations


class AttnvizError(Exception):
    """Base class of every error attnviz raises on purpose; the CLI prints its message on one line."""


class DataError(AttnvizError, ValueError):
    """A data file or a text argument cannot be used as given (bad format, missing column, bad row...)."""


class ConfigError(AttnvizError, ValueError):
    """A setting is out of range or inconsistent with another setting."""


class ModelFolderError(AttnvizError, OSError):
    """A model folder is missing, incomplete, damaged or from an unknown format version."""


class NotFittedError(AttnvizError, RuntimeError):
    """A classifier was asked to predict, explain or save before it was trained or loaded."""


class ExportError(AttnvizError, RuntimeError):
    """The model cannot be exported: the ONNX packages are missing or the exported model is wrong."""
