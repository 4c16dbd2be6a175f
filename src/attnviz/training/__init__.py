"""Fitting a network: batching by length and the training loop with early stopping."""

from attnviz.training.trainer import EncodedData, EpochRecord, SilentCallback, TrainingCallback, train_network

__all__ = ["EncodedData", "EpochRecord", "SilentCallback", "TrainingCallback", "train_network"]
